"""Console output: rich progress while checks run, then a rule-by-rule table and every failure."""

from __future__ import annotations

from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from conformance.runner import CheckOutcome, Outcome, SuiteResult

STYLES = {
    Outcome.PASS: "green",
    Outcome.FAIL: "bold red",
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


def summary_table(result: SuiteResult) -> Table:
    """One row per rule: outcome, topic, duration and reason."""
    table = Table(title=f"Conformance results (seed {result.seed})", show_lines=False)
    for column in ("rule", "topic", "outcome", "time", "reason / notes"):
        table.add_column(column, overflow="fold")
    for outcome in result.outcomes:
        reason = outcome.reason.splitlines()[0] if outcome.reason else ""
        if outcome.notes:
            reason = "; ".join(filter(None, [reason, *outcome.notes]))
        table.add_row(
            outcome.name,
            outcome.topic,
            Text(outcome.outcome.value, STYLES[outcome.outcome]),
            f"{outcome.duration:.1f}s",
            reason,
        )
    return table


def counts_line(result: SuiteResult) -> str:
    """`42 checks: 40 pass, 1 fail, 0 error, 1 skip in 63.2 s (seed 7)`."""
    parts = ", ".join(f"{result.count(o)} {o.value}" for o in Outcome)
    return f"{len(result.outcomes)} checks: {parts} in {result.duration:.1f} s (seed {result.seed})"


def print_result(console: Console, result: SuiteResult) -> None:
    """The table, a panel per failure (rule, sent, received, contract, curl) and the counts."""
    console.print(summary_table(result))
    for outcome in result.outcomes:
        if outcome.outcome is Outcome.FAIL and outcome.violation is not None:
            v = outcome.violation
            body = Text.assemble(
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
            console.print(Panel(body, title=f"FAIL {v.rule}", border_style="red"))
        elif outcome.outcome is Outcome.ERROR:
            console.print(
                Panel(
                    outcome.reason,
                    title=f"ERROR {outcome.name} (the suite broke)",
                    border_style="magenta",
                )
            )
    console.print(counts_line(result))
