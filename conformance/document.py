"""`--report PATH`: a self-contained Markdown (.md) or HTML (.html/.htm) report of a run."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path

from conformance.levels import RULING_WARNING
from conformance.report import outcome_line, reason_text
from conformance.runner import CheckOutcome, Outcome, SuiteResult
from conformance.violation import Violation


def _fence(text: str) -> str:
    return "```\n" + text.replace("```", "`\u200b``") + "\n```"


def _findings(o: CheckOutcome) -> list[tuple[str, Violation]]:
    """(heading word, violation) for the failure and every warning of one check."""
    found: list[tuple[str, Violation]] = []
    if o.outcome is Outcome.FAIL and o.violation is not None:
        found.append(("FAIL", o.violation))
    found += [("WARN", w) for w in o.warnings]
    return found


def _markdown_finding(word: str, name: str, v: Violation) -> list[str]:
    suffix = f" — {RULING_WARNING}" if word == "WARN" else ""
    return [
        "",
        f"## {word} `{name}`: `{v.rule}` ({v.standing}){suffix}",
        "",
        f"- line: `{v.rule}`, standing **{v.standing}**",
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


def markdown_report(result: SuiteResult) -> str:
    """The run as Markdown: header with seed and counts, the check table, then each failure's and
    warning's evidence."""
    started = datetime.fromtimestamp(result.started_at, UTC).isoformat(timespec="seconds")
    lines = [
        "# Omni-Image conformance report",
        "",
        f"- target: `{result.config.get('base_url')}`",
        f"- started: {started}, duration {result.duration:.1f} s",
        f"- **seed: {result.seed}** (rerun with `--seed {result.seed}`)",
        f"- level: **{result.level}**",
        f"- run nonce `{result.run_nonce}` (prefix of this run's external_task_ids)",
        f"- digest of the create bodies sent (same seed, same digest): `{result.bodies_digest}`",
        f"- {result.summary()}",
        "",
        "| check | topic | outcome | line (standing) | time | reason / notes |",
        "|---|---|---|---|---|---|",
    ]
    for o in result.outcomes:
        reason = reason_text(o).replace("|", "/")
        lines.append(
            f"| `{o.name}` | {o.topic} | **{o.outcome.value}** | {outcome_line(o)} "
            f"| {o.duration:.1f}s | {reason} |"
        )
    for o in result.outcomes:
        for word, v in _findings(o):
            lines += _markdown_finding(word, o.name, v)
        if o.outcome is Outcome.ERROR:
            lines += ["", f"## ERROR `{o.name}` (the suite broke)", "", _fence(o.reason)]
    lines += ["", "## Options", "", _fence(json.dumps(result.config, indent=2, default=str)), ""]
    return "\n".join(lines)


CSS = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:4px 8px}tr.fail td{background:#fdd}"
    "tr.warn td{background:#ffe4c4}tr.error td{background:#fcf}tr.skip td{background:#ffc}"
    "pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}"
)
COLUMNS = ("check", "topic", "outcome", "line (standing)", "time", "reason / notes")


def _html_row(o: CheckOutcome) -> str:
    cells = [f"<code>{html.escape(o.name)}</code>", o.topic, o.outcome.value]
    cells += [html.escape(outcome_line(o)), f"{o.duration:.1f}s", html.escape(reason_text(o))]
    return f"<tr class='{o.outcome.value}'>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


def _html_details(o: CheckOutcome) -> str:
    esc = html.escape
    parts = []
    for word, v in _findings(o):
        suffix = f" &mdash; {RULING_WARNING}" if word == "WARN" else ""
        parts.append(
            f"<h2>{word} <code>{esc(o.name)}</code>: <code>{esc(v.rule)}</code> "
            f"({esc(v.standing)}){suffix}</h2>"
            f"<p><b>line:</b> <code>{esc(v.rule)}</code>, standing <b>{esc(v.standing)}</b><br>"
            f"<b>case:</b> {esc(v.case)}<br><b>contract says:</b> {esc(v.documented)}</p>"
            f"<h3>Sent</h3><pre>{esc(v.sent)}</pre><h3>Received</h3><pre>{esc(v.received)}</pre>"
            f"<h3>Reproduce</h3><pre>{esc(v.curl)}</pre>"
        )
    if o.outcome is Outcome.ERROR:
        parts.append(f"<h2>ERROR <code>{esc(o.name)}</code></h2><pre>{esc(o.reason)}</pre>")
    return "".join(parts)


def html_report(result: SuiteResult) -> str:
    """The same content as HTML with inline CSS (no external assets)."""
    target = html.escape(str(result.config.get("base_url")))
    header = "".join(f"<th>{h}</th>" for h in COLUMNS)
    options = html.escape(json.dumps(result.config, indent=2, default=str))
    return "".join(
        [
            "<!doctype html><html><head><meta charset='utf-8'>",
            f"<title>Omni-Image conformance report</title><style>{CSS}</style></head><body>",
            "<h1>Omni-Image conformance report</h1>",
            f"<p>target <code>{target}</code> &middot; <b>seed {result.seed}</b> &middot; ",
            f"level <b>{html.escape(result.level)}</b> &middot; ",
            f"{html.escape(result.summary())} &middot; {result.duration:.1f} s</p>",
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
