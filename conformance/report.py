"""Console output: rich progress while checks run, then a check-by-check table and every failure
and warning, each naming the contract line (rule id and standing) it is about."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from conformance.levels import RULING_WARNING
from conformance.runner import CheckOutcome, Outcome, SuiteResult
from conformance.violation import Violation

STYLES = {
    Outcome.PASS: "green",
    Outcome.FAIL: "bold red",
    Outcome.WARN: "bold yellow",
    Outcome.ERROR: "bold magenta",
    Outcome.SKIP: "yellow",
}


class ConsoleProgress:
    """A rich progress bar over the selected checks; use as a context manager and as the
    callback."""

    def __init__(self, console: Console, total: int) -> None:
        self.console = console
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task = self._progress.add_task("conformance", total=total)

    def __enter__(self) -> ConsoleProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def __call__(self, name: str, outcome: CheckOutcome | None) -> None:
        """Show the running check; print one line per finished check."""
        if outcome is None:
            self._progress.update(self._task, description=name)
            return
        self._progress.advance(self._task)
        style = STYLES[outcome.outcome]
        self.console.print(
            Text.assemble(
                (f"{outcome.outcome.value:>5} ", style), name, (f"  {outcome.duration:.1f}s", "dim")
            )
        )


def outcome_line(outcome: CheckOutcome) -> str:
    """`rule (standing)` of the failure, else of the first warning, else empty."""
    if outcome.violation is not None:
        return outcome.violation.line
    if outcome.warnings:
        return ", ".join(dict.fromkeys(w.line for w in outcome.warnings))
    return ""


def reason_text(outcome: CheckOutcome) -> str:
    """The first line of the reason, then the notes."""
    reason = outcome.reason.splitlines()[0] if outcome.reason else ""
    return "; ".join(filter(None, [reason, *outcome.notes]))


def summary_table(result: SuiteResult) -> Table:
    """One row per check: outcome, the line a failure or warning names, duration and reason."""
    table = Table(
        title=f"Conformance results (seed {result.seed}, level {result.level})", show_lines=False
    )
    for column in ("check", "topic", "outcome", "line (standing)", "time", "reason / notes"):
        table.add_column(column, overflow="fold")
    for outcome in result.outcomes:
        table.add_row(
            outcome.name,
            outcome.topic,
            Text(outcome.outcome.value, STYLES[outcome.outcome]),
            outcome_line(outcome),
            f"{outcome.duration:.1f}s",
            reason_text(outcome),
        )
    return table


def counts_line(result: SuiteResult) -> str:
    """The summary counts and the run's duration and seed."""
    return f"{result.summary()} in {result.duration:.1f} s (seed {result.seed})"


def _evidence(v: Violation) -> Text:
    return Text.assemble(
        ("line: ", "bold"),
        f"{v.rule} ({v.standing})",
        "\n",
        ("case: ", "bold"),
        v.case or "-",
        "\n",
        ("contract says: ", "bold"),
        v.documented,
        "\n",
        ("sent:\n", "bold"),
        v.sent,
        "\n",
        ("received:\n", "bold"),
        v.received,
        "\n",
        ("reproduce:\n", "bold"),
        (v.curl or "-", "cyan"),
    )


def print_result(console: Console, result: SuiteResult) -> None:
    """The table, a panel per failure and per warning (line, case, sent, received, contract,
    curl), then the counts."""
    console.print(summary_table(result))
    for outcome in result.outcomes:
        if outcome.outcome is Outcome.FAIL and outcome.violation is not None:
            v = outcome.violation
            title = f"FAIL {outcome.name}: {v.line}"
            console.print(Panel(_evidence(v), title=title, border_style="red"))
        for warning in outcome.warnings:
            title = f"WARN {outcome.name}: {warning.line} {RULING_WARNING}"
            console.print(Panel(_evidence(warning), title=title, border_style="yellow"))
        if outcome.outcome is Outcome.ERROR:
            console.print(
                Panel(
                    outcome.reason,
                    title=f"ERROR {outcome.name} (the suite broke)",
                    border_style="magenta",
                )
            )
    console.print(counts_line(result))
