"""`make bench-conformance`: how long a default conformance run takes, and how many planted
deviations it catches compared with plain Schemathesis (`st run openapi.yaml`, all phases, all
checks) on the same catalogue. Writes its section of benchmarks/results.md.

Plain Schemathesis counts a mutant as detected when it reports a failure (check code + operation)
that the unmutated server does not produce: the control runs first (twice, to absorb run-to-run
noise) and its failures are the baseline.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from scripts.bench_results import write_section
from scripts.loopback_env import loopback_only_environment, use_loopback_only_environment
from scripts.run_mutation_catalogue import MutantRun, run_catalogue, run_one
from scripts.schemathesis_command import schemathesis_command

SECTION = "conformance"
ST_MAX_EXAMPLES = 50  # the suite's default Schemathesis budget, for a like-for-like comparison
ST_SEED = 20261126
JOBS = 2
STEP_DELAY = 0.05
FailureKey = tuple[str, str]


def default_run_seconds() -> float:
    """A full default run against the reference server as `make conformance` starts it."""
    from conformance.runner import run_suite
    from tests.mutants.launch import start_mutant_server, suite_config

    with start_mutant_server(step_delay=0.2) as server:
        started = time.monotonic()
        result = run_suite(suite_config(server.base_url))
        seconds = time.monotonic() - started
    if result.exit_code != 0:
        raise SystemExit(f"the default run against the reference server failed: {result.failures}")
    return seconds


def st_failures(mutant_id: str) -> tuple[set[FailureKey], float]:
    """Plain `st run` against the mutant's server: the (code, operation) of every failure."""
    from tests.mutants.launch import start_mutant_server

    with (
        start_mutant_server(mutant_id, step_delay=STEP_DELAY) as server,
        tempfile.TemporaryDirectory() as scratch,
    ):
        report = Path(scratch) / "st.json"
        command = schemathesis_command(
            server.base_url,
            phases="examples,coverage,fuzzing,stateful",
            seed=ST_SEED,
            max_examples=ST_MAX_EXAMPLES,
            checks="all",
            continue_on_failure=True,
            json_report=report,
        )
        started = time.monotonic()
        subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            env=loopback_only_environment(),
        )
        seconds = time.monotonic() - started
        document = json.loads(report.read_text()) if report.is_file() else {"failures": []}
    keys = {
        (str(failure["code"]), str(operation))
        for failure in document.get("failures", [])
        for operation in failure.get("operations", [])
    }
    return keys, seconds


def st_catalogue(
    mutant_ids: Sequence[str],
) -> tuple[set[FailureKey], dict[str, set[FailureKey]], float]:
    """Baseline failures of the control (two runs) and each mutant's failures beyond them."""
    from tests.mutants.catalogue import CONTROL

    first, seconds = st_failures(CONTROL)
    second, _ = st_failures(CONTROL)
    baseline = first | second
    with ThreadPoolExecutor(max_workers=JOBS) as pool:
        found = list(pool.map(st_failures, mutant_ids))
    return (
        baseline,
        {m: keys - baseline for m, (keys, _) in zip(mutant_ids, found, strict=True)},
        seconds,
    )


@dataclass
class BenchData:
    """Everything one benchmark run measured."""

    default_seconds: float
    control: MutantRun
    runs: list[MutantRun]
    st_seconds: float
    baseline: set[FailureKey]
    st_new: dict[str, set[FailureKey]]
    wall: float = 0.0


def _area_rows(data: BenchData) -> list[str]:
    by_area: dict[str, list[int]] = {}
    for run in data.runs:
        counts = by_area.setdefault(run.area, [0, 0, 0])
        counts[0] += 1
        counts[1] += run.detected
        counts[2] += bool(data.st_new[run.mutant_id])
    return [f"| {area} | {n} | {a} | {b} |" for area, (n, a, b) in sorted(by_area.items())]


def section(data: BenchData) -> str:
    """The Markdown section for benchmarks/results.md."""
    runs, st_new = data.runs, data.st_new
    total = len(runs)
    ours = sum(r.detected for r in runs)
    plain = sum(bool(st_new[r.mutant_id]) for r in runs)
    times = [r.first_failure_seconds for r in runs if r.first_failure_seconds is not None]
    st_found = sorted(
        f"`{r.mutant_id}` ({', '.join(sorted({c for c, _ in st_new[r.mutant_id]}))})"
        for r in runs
        if st_new[r.mutant_id]
    )
    control = "passes" if data.control.passed_as_control else "FAILS " + data.control.problems()
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [
        "### Conformance suite vs plain Schemathesis (`make bench-conformance`)",
        "",
        f"Run {when}, Python {platform.python_version()}, {os.cpu_count()} CPUs. Catalogue: "
        f"{total} planted deviations (tests/mutants), each a real reference server with one "
        f"contract line broken, {JOBS} at a time, server step delay {STEP_DELAY} s. Plain "
        f"Schemathesis: `st run openapi.yaml` with the API key header, all phases, `--checks all`, "
        f"`--max-examples {ST_MAX_EXAMPLES}` (the suite's default budget), seed {ST_SEED}.",
        "",
        "| measurement | plain `st run` | omni-conformance (default run) |",
        "|---|---:|---:|",
        f"| full run, unmutated reference server | {data.st_seconds:.1f} s "
        f"| {data.default_seconds:.1f} s |",
        f"| planted deviations detected | {plain}/{total} ({plain / total:.0%}) "
        f"| {ours}/{total} ({ours / total:.0%}) |",
        f"| ... by the check named after the broken rule | - "
        f"| {sum(r.by_own_rule for r in runs)}/{total} |",
        f"| median / slowest time to first detection | - "
        f"| {statistics.median(times) if times else 0:.1f} s / {max(times, default=0):.1f} s |",
        "",
        f"The omni-conformance default run uses step delay 0.2 s like `make conformance`. "
        f"Unmutated control: omni-conformance {control}; plain `st run` fails on it with "
        f"{', '.join(sorted(f'{c} {o}' for c, o in data.baseline)) or 'nothing'} (contract "
        "decisions Schemathesis does not know), so those failures do not count as detections.",
        "",
        "| area | mutants | omni-conformance | plain `st run` |",
        "|---|---:|---:|---:|",
        *_area_rows(data),
        "",
        f"Mutants plain Schemathesis detects: {', '.join(st_found) or 'none'}.",
        "",
        f"Whole benchmark took {data.wall:.0f} s.",
    ]
    return "\n".join(lines)


def main() -> int:
    """Default run time, our catalogue run, the plain Schemathesis catalogue run, then write."""
    from tests.mutants.catalogue import CATALOGUE, CONTROL

    use_loopback_only_environment()
    started = time.monotonic()
    ids = [m.id for m in CATALOGUE]
    default_seconds = default_run_seconds()
    print(f"default run: {default_seconds:.1f} s", flush=True)
    control = run_one(CONTROL, None, STEP_DELAY, None)
    runs = run_catalogue(ids, jobs=JOBS, max_examples=None, step_delay=STEP_DELAY, seed=None)
    print(f"omni-conformance: {sum(r.detected for r in runs)}/{len(runs)} detected", flush=True)
    baseline, st_new, st_seconds = st_catalogue(ids)
    print(f"plain st run: {sum(bool(v) for v in st_new.values())}/{len(ids)} detected", flush=True)
    data = BenchData(default_seconds, control, runs, st_seconds, baseline, st_new)
    data.wall = time.monotonic() - started
    text = section(data)
    write_section(SECTION, text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
