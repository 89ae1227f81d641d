"""`make mutation`: run the full default conformance suite against every planted deviation.

Each mutant of tests/mutants/catalogue*.py runs as its own reference-server subprocess; the whole
suite (every check, default budgets) runs against it. A mutant is detected when at least one check
fails; the table says which checks caught it, whether the check named after its rule is among
them, and the time from the start of the run to the first failure. The unmutated control runs
first and must pass: no check may fail or end in an error. Exit 0 when the control passes and
every mutant is detected, else 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from scripts.loopback_env import use_loopback_only_environment

REPORT = Path("reports/mutation.json")


@dataclass
class MutantRun:
    """What the full suite did against one mutant (or the control)."""

    mutant_id: str
    rule_id: str
    area: str
    description: str
    caught_by: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    first_failure_seconds: float | None = None
    duration: float = 0.0
    seed: int = 0

    @property
    def detected(self) -> bool:
        """At least one check failed."""
        return bool(self.caught_by)

    @property
    def by_own_rule(self) -> bool:
        """The check named after the broken rule is among those that failed."""
        return self.rule_id in self.caught_by

    @property
    def passed_as_control(self) -> bool:
        """As the unmutated control: no check failed and none ended in an error."""
        return not self.caught_by and not self.errors

    def problems(self) -> str:
        """The failed and errored checks, for a report line."""
        return ", ".join([*self.caught_by, *(f"{name} (error)" for name in self.errors)])


def run_one(
    mutant_id: str, max_examples: int | None, step_delay: float, seed: int | None
) -> MutantRun:
    """Start the mutant's server, run the full suite against it, stop it."""
    from conformance.runner import CheckOutcome, Outcome, run_suite
    from tests.mutants.catalogue import CONTROL, MUTANTS
    from tests.mutants.launch import start_mutant_server, suite_config

    mutant = MUTANTS.get(mutant_id)
    run = MutantRun(
        mutant_id,
        mutant.rule_id if mutant else "",
        mutant.area if mutant else "",
        mutant.description if mutant else "the reference server, unmutated",
    )
    overrides: dict[str, object] = {} if max_examples is None else {"max_examples": max_examples}
    if seed is not None:
        overrides["seed"] = seed
    started = time.monotonic()

    def progress(name: str, outcome: CheckOutcome | None) -> None:
        if (
            outcome is not None
            and outcome.outcome is Outcome.FAIL
            and run.first_failure_seconds is None
        ):
            run.first_failure_seconds = time.monotonic() - started

    with start_mutant_server(mutant_id if mutant else CONTROL, step_delay=step_delay) as server:
        started = time.monotonic()
        result = run_suite(suite_config(server.base_url, **overrides), progress=progress)
    run.duration = time.monotonic() - started
    run.seed = result.seed
    run.caught_by = [o.name for o in result.outcomes if o.outcome is Outcome.FAIL]
    run.errors = [o.name for o in result.outcomes if o.outcome is Outcome.ERROR]
    return run


def run_catalogue(
    mutant_ids: Sequence[str],
    *,
    jobs: int,
    max_examples: int | None,
    step_delay: float,
    seed: int | None,
) -> list[MutantRun]:
    """Every mutant in `mutant_ids`, `jobs` at a time (each in its own worker process)."""
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_one, m, max_examples, step_delay, seed) for m in mutant_ids]
        return [future.result() for future in futures]


def render(console: Console, control: MutantRun, runs: list[MutantRun], wall: float) -> None:
    """The catalogue table and a summary line."""
    table = Table(title="Planted deviations vs the full default suite")
    for column in (
        "mutant",
        "area",
        "rule broken",
        "detected",
        "own rule",
        "caught by",
        "to detection",
    ):
        table.add_column(column, justify="right" if column == "to detection" else "left")
    for run in runs:
        shown = ", ".join(run.caught_by[:3]) + (
            f" +{len(run.caught_by) - 3}" if len(run.caught_by) > 3 else ""
        )
        seconds = (
            f"{run.first_failure_seconds:.1f} s" if run.first_failure_seconds is not None else "-"
        )
        table.add_row(
            run.mutant_id,
            run.area,
            run.rule_id,
            "[green]detected[/]" if run.detected else "[red bold]MISSED[/]",
            "yes" if run.by_own_rule else "[yellow]no[/]",
            shown or "-",
            seconds,
        )
    console.print(table)
    detected = sum(run.detected for run in runs)
    own = sum(run.by_own_rule for run in runs)
    console.print(
        f"{detected}/{len(runs)} detected ({own} by the check named after the broken rule); "
        f"control: {'pass' if control.passed_as_control else 'FAILED ' + control.problems()} "
        f"in {control.duration:.1f} s; wall time {wall:.0f} s",
        highlight=False,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, run the control and the catalogue, print the table, write the JSON report."""
    from tests.mutants.catalogue import CATALOGUE, CONTROL

    parser = argparse.ArgumentParser(prog="run_mutation_catalogue", description=__doc__)
    parser.add_argument("--jobs", type=int, default=2, help="mutant servers at a time [2]")
    parser.add_argument("--max-examples", type=int, help="Schemathesis budget [suite default]")
    parser.add_argument("--step-delay", type=float, default=0.05, help="server step delay [0.05]")
    parser.add_argument("--seed", type=int, help="suite seed [random per run]")
    parser.add_argument("--only", nargs="+", metavar="MUTANT_ID", help="run only these mutants")
    args = parser.parse_args(argv)
    use_loopback_only_environment()
    ids = [m.id for m in CATALOGUE]
    unknown = sorted(set(args.only or ()) - set(ids))
    if unknown or args.jobs < 1:
        parser.error(
            f"unknown mutant id(s): {', '.join(unknown)}" if unknown else "--jobs must be >= 1"
        )
    selected = [i for i in ids if not args.only or i in args.only]
    console = Console() if Console().is_terminal else Console(width=180)
    started = time.monotonic()
    control = run_one(CONTROL, args.max_examples, args.step_delay, args.seed)
    runs = run_catalogue(
        selected,
        jobs=args.jobs,
        max_examples=args.max_examples,
        step_delay=args.step_delay,
        seed=args.seed,
    )
    wall = time.monotonic() - started
    render(console, control, runs, wall)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps(
            {"control": asdict(control), "mutants": [asdict(r) for r in runs], "wall": wall},
            indent=1,
        )
    )
    console.print(f"JSON: {REPORT}", highlight=False)
    return 0 if control.passed_as_control and all(run.detected for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
