"""`--report PATH`: a self-contained Markdown (.md) or HTML (.html/.htm) report of a run."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path

from conformance.runner import Outcome, SuiteResult


def _fence(text: str) -> str:
    return "```\n" + text.replace("```", "`\u200b``") + "\n```"


def markdown_report(result: SuiteResult) -> str:
    """The run as Markdown: header with seed, the rule table, then each failure's evidence."""
    started = datetime.fromtimestamp(result.started_at, UTC).isoformat(timespec="seconds")
    counts = ", ".join(f"{result.count(o)} {o.value}" for o in Outcome)
    lines = [
        "# Omni-Image conformance report",
        "",
        f"- target: `{result.config.get('base_url')}`",
        f"- started: {started}, duration {result.duration:.1f} s",
        f"- **seed: {result.seed}** (rerun with `--seed {result.seed}`), run nonce `{result.run_nonce}`",
        f"- {len(result.outcomes)} checks: {counts}",
        "",
        "| rule | topic | outcome | time | reason / notes |",
        "|---|---|---|---|---|",
    ]
    for o in result.outcomes:
        reason = "; ".join(filter(None, [o.reason.splitlines()[0] if o.reason else "", *o.notes]))
        lines.append(f"| `{o.name}` | {o.topic} | **{o.outcome.value}** | {o.duration:.1f}s | {reason.replace('|', '/')} |")
    for o in result.outcomes:
        if o.outcome is Outcome.FAIL and o.violation is not None:
            v = o.violation
            lines += [
                "", f"## FAIL `{v.rule}`", "", f"- case: {v.case}", f"- contract says: {v.documented}", "",
                "Sent:", "", _fence(v.sent), "", "Received:", "", _fence(v.received), "",
                "Reproduce:", "", "```sh\n" + v.curl + "\n```",
            ]
        elif o.outcome is Outcome.ERROR:
            lines += ["", f"## ERROR `{o.name}` (the suite broke)", "", _fence(o.reason)]
    lines += ["", "## Options", "", _fence(json.dumps(result.config, indent=2, default=str)), ""]
    return "\n".join(lines)


def html_report(result: SuiteResult) -> str:
    """The same content as HTML with inline CSS (no external assets)."""
    rows = "".join(
        f"<tr class='{o.outcome.value}'><td><code>{html.escape(o.name)}</code></td><td>{o.topic}</td>"
        f"<td>{o.outcome.value}</td><td>{o.duration:.1f}s</td>"
        f"<td>{html.escape('; '.join(filter(None, [o.reason.splitlines()[0] if o.reason else '', *o.notes])))}</td></tr>"
        for o in result.outcomes
    )
    details = ""
    for o in result.outcomes:
        if o.outcome is Outcome.FAIL and o.violation is not None:
            v = o.violation
            details += (
                f"<h2>FAIL <code>{html.escape(v.rule)}</code></h2><p><b>case:</b> {html.escape(v.case)}<br>"
                f"<b>contract says:</b> {html.escape(v.documented)}</p><h3>Sent</h3><pre>{html.escape(v.sent)}</pre>"
                f"<h3>Received</h3><pre>{html.escape(v.received)}</pre><h3>Reproduce</h3>"
                f"<pre>{html.escape(v.curl)}</pre>"
            )
        elif o.outcome is Outcome.ERROR:
            details += f"<h2>ERROR <code>{html.escape(o.name)}</code></h2><pre>{html.escape(o.reason)}</pre>"
    counts = ", ".join(f"{result.count(o)} {o.value}" for o in Outcome)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Omni-Image conformance report</title><style>"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:4px 8px}tr.fail td{background:#fdd}tr.error td{background:#fcf}tr.skip td{background:#ffc}"
        "pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}</style></head><body>"
        f"<h1>Omni-Image conformance report</h1><p>target <code>{html.escape(str(result.config.get('base_url')))}</code>"
        f" &middot; <b>seed {result.seed}</b> &middot; {len(result.outcomes)} checks: {counts} &middot; "
        f"{result.duration:.1f} s</p><table><tr><th>rule</th><th>topic</th><th>outcome</th><th>time</th>"
        f"<th>reason / notes</th></tr>{rows}</table>{details}<h2>Options</h2>"
        f"<pre>{html.escape(json.dumps(result.config, indent=2, default=str))}</pre></body></html>"
    )


def write_report(result: SuiteResult, path: str | Path) -> None:
    """HTML for .html/.htm, Markdown otherwise."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = html_report(result) if target.suffix.lower() in (".html", ".htm") else markdown_report(result)
    target.write_text(text, encoding="utf-8")
