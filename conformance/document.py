"""`--report PATH`: a self-contained Markdown (.md) or HTML (.html/.htm) report of a run."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path

from conformance.runner import CheckOutcome, Outcome, SuiteResult


def _fence(text: str) -> str:
    return "```\n" + text.replace("```", "`\u200b``") + "\n```"


def _reason(outcome: CheckOutcome) -> str:
    first = outcome.reason.splitlines()[0] if outcome.reason else ""
    return "; ".join(filter(None, [first, *outcome.notes]))


def _counts(result: SuiteResult) -> str:
    return ", ".join(f"{result.count(o)} {o.value}" for o in Outcome)


def markdown_report(result: SuiteResult) -> str:
    """The run as Markdown: header with seed, the rule table, then each failure's evidence."""
    started = datetime.fromtimestamp(result.started_at, UTC).isoformat(timespec="seconds")
    lines = [
        "# Omni-Image conformance report",
        "",
        f"- target: `{result.config.get('base_url')}`",
        f"- started: {started}, duration {result.duration:.1f} s",
        f"- **seed: {result.seed}** (rerun with `--seed {result.seed}`)",
        f"- run nonce `{result.run_nonce}` (prefix of this run's external_task_ids)",
        f"- digest of the create bodies sent (same seed, same digest): `{result.bodies_digest}`",
        f"- {len(result.outcomes)} checks: {_counts(result)}",
        "",
        "| rule | topic | outcome | time | reason / notes |",
        "|---|---|---|---|---|",
    ]
    for o in result.outcomes:
        reason = _reason(o).replace("|", "/")
        lines.append(
            f"| `{o.name}` | {o.topic} | **{o.outcome.value}** | {o.duration:.1f}s | {reason} |"
        )
    for o in result.outcomes:
        if o.outcome is Outcome.FAIL and o.violation is not None:
            v = o.violation
            lines += [
                "",
                f"## FAIL `{v.rule}`",
                "",
                f"- case: {v.case}",
                f"- contract says: {v.documented}",
                "",
                "Sent:",
                "",
                _fence(v.sent),
                "",
                "Received:",
                "",
                _fence(v.received),
                "",
                "Reproduce:",
                "",
                "```sh\n" + v.curl + "\n```",
            ]
        elif o.outcome is Outcome.ERROR:
            lines += ["", f"## ERROR `{o.name}` (the suite broke)", "", _fence(o.reason)]
    lines += ["", "## Options", "", _fence(json.dumps(result.config, indent=2, default=str)), ""]
    return "\n".join(lines)


CSS = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:4px 8px}tr.fail td{background:#fdd}"
    "tr.error td{background:#fcf}tr.skip td{background:#ffc}"
    "pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}"
)


def _html_row(o: CheckOutcome) -> str:
    cells = [f"<code>{html.escape(o.name)}</code>", o.topic, o.outcome.value, f"{o.duration:.1f}s"]
    cells.append(html.escape(_reason(o)))
    return f"<tr class='{o.outcome.value}'>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _html_details(o: CheckOutcome) -> str:
    esc = html.escape
    if o.outcome is Outcome.FAIL and o.violation is not None:
        v = o.violation
        return (
            f"<h2>FAIL <code>{esc(v.rule)}</code></h2>"
            f"<p><b>case:</b> {esc(v.case)}<br><b>contract says:</b> {esc(v.documented)}</p>"
            f"<h3>Sent</h3><pre>{esc(v.sent)}</pre><h3>Received</h3><pre>{esc(v.received)}</pre>"
            f"<h3>Reproduce</h3><pre>{esc(v.curl)}</pre>"
        )
    if o.outcome is Outcome.ERROR:
        return f"<h2>ERROR <code>{esc(o.name)}</code></h2><pre>{esc(o.reason)}</pre>"
    return ""


def html_report(result: SuiteResult) -> str:
    """The same content as HTML with inline CSS (no external assets)."""
    target = html.escape(str(result.config.get("base_url")))
    header = "".join(
        f"<th>{h}</th>" for h in ("rule", "topic", "outcome", "time", "reason / notes")
    )
    options = html.escape(json.dumps(result.config, indent=2, default=str))
    return "".join(
        [
            "<!doctype html><html><head><meta charset='utf-8'>",
            f"<title>Omni-Image conformance report</title><style>{CSS}</style></head><body>",
            "<h1>Omni-Image conformance report</h1>",
            f"<p>target <code>{target}</code> &middot; <b>seed {result.seed}</b> &middot; ",
            f"{len(result.outcomes)} checks: {_counts(result)} &middot; ",
            f"{result.duration:.1f} s</p>",
            f"<table><tr>{header}</tr>",
            *(_html_row(o) for o in result.outcomes),
            "</table>",
            *(_html_details(o) for o in result.outcomes),
            f"<h2>Options</h2><pre>{options}</pre></body></html>",
        ]
    )


def write_report(result: SuiteResult, path: str | Path) -> None:
    """HTML for .html/.htm, Markdown otherwise."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = (
        html_report(result)
        if target.suffix.lower() in (".html", ".htm")
        else markdown_report(result)
    )
    target.write_text(text, encoding="utf-8")
