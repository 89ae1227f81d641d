"""`make soak`: the long form of the reliability checks (bounded, a few minutes), results to
benchmarks/results.md between `<!-- bench: soak -->` and `<!-- /bench: soak -->`.

1. Crash safety: creates with callbacks at a steady rate, SIGKILL + restart many times.
2. Load: many concurrent clients from a second process; p50/p99 latency, throughput, server RSS.
3. One server per SQLite database: a second server on the same database is refused.
3b. Worker kills: SIGKILL of one of 2 `--workers` processes, several times mid-load, on SQLite
   and on PostgreSQL (a temporary server): nothing acknowledged lost or stepped twice, every
   terminal callback delivered in order.
4. Hostile input: a streamed 1 GB body and a decompression bomb; server RSS before/after.
5. Fuzzing at volume: Schemathesis (all phases) and the conformance suite; server log checked.
Exit code 0 only if every check holds (nothing lost, no 5xx, no traceback).
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from reference_server.launcher import ServerStartError, start_reference_server
from reference_server.request_validation import max_body_bytes
from scripts.bench_results import RESULTS_FILE, write_section
from scripts.loopback_env import use_loopback_only_environment
from scripts.postgres_cluster import temporary_cluster
from scripts.reliability.common import (
    HEADERS,
    PATH,
    TERMINAL,
    peak_rss_since_start,
    rss_bytes,
    server_tracebacks,
    task_statuses,
)
from scripts.reliability.crash import (
    CrashReport,
    WorkerKillReport,
    run_crash_cycles,
    run_worker_kills,
)
from scripts.reliability.fuzz import (
    FuzzRun,
    conformance_server,
    run_conformance_suite,
    run_schemathesis,
)
from scripts.reliability.images import create_body_with_image, png_declaring
from scripts.reliability.load import load_in_subprocess

SECTION = "soak"
MIB = 1 << 20


def crash_phase(scratch: Path, kills: int) -> CrashReport:
    print(f"[soak] crash safety: {kills} SIGKILLs while creating at 30/s", flush=True)
    return run_crash_cycles(scratch / "crash.sqlite3", kills=kills, seconds_between_kills=2.0,
                            rate=30, settle_timeout=120)  # fmt: skip


def load_phase(scratch: Path, clients: int, seconds: float) -> dict[str, Any]:
    print(f"[soak] load: {clients} clients for {seconds:g} s from a second process", flush=True)
    with start_reference_server(database=scratch / "load.sqlite3", step_delay=0.2) as server:
        idle = rss_bytes(server.process.pid)
        result = load_in_subprocess(server.base_url, clients, seconds)
        peak = peak_rss_since_start(server.process.pid)  # this server started for this phase
        created = result.pop("created")
        deadline = time.monotonic() + 120
        statuses = task_statuses(server.base_url, created)
        while time.monotonic() < deadline and not all(s in TERMINAL for s in statuses.values()):
            time.sleep(0.5)
            pending = [t for t, s in statuses.items() if s not in TERMINAL]
            statuses.update(task_statuses(server.base_url, pending))
        result.update(
            created=len(created),
            duplicated=len(created) - len(set(created)),
            lost=sum(s is None for s in statuses.values()),
            terminal=sum(s in TERMINAL for s in statuses.values()),
            rss_idle_mib=idle / MIB,
            rss_peak_mib=peak / MIB,
            tracebacks=server_tracebacks(server.output),
        )
    return result


def worker_kill_phase(scratch: Path, kills: int) -> dict[str, WorkerKillReport]:
    print(f"[soak] worker kills: {kills} SIGKILLs of one of 2 workers, SQLite and PostgreSQL",
          flush=True)  # fmt: skip
    reports: dict[str, WorkerKillReport] = {}
    with temporary_cluster(durable=True) as cluster:
        for kind, database in (("SQLite", str(scratch / "workers.sqlite3")),
                               ("PostgreSQL", cluster.create_database("soak"))):  # fmt: skip
            reports[kind] = run_worker_kills(database, workers=2, kills=kills,
                                             seconds_between_kills=2.0, rate=30,
                                             settle_timeout=120)  # fmt: skip
    return reports


def worker_kill_rows(reports: dict[str, WorkerKillReport]) -> list[str]:
    rows = [
        "| database | SIGKILLs of a worker | acknowledged | lost | processed twice | duplicated | "
        "terminal | terminal callback delivered | out of order | creates refused |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, report in reports.items():
        c = report.crash
        rows.append(
            f"| {kind} | {c.kills} | {c.acknowledged} | {c.lost} | {report.processed_twice} | "
            f"{c.duplicated} | {c.terminal} | {c.callbacks_delivered} | "
            f"{c.callbacks_out_of_order} | {c.failed_attempts} |"
        )
    return rows


def second_process_phase(scratch: Path) -> bool:
    print("[soak] one process per database: starting a second server on it", flush=True)
    with start_reference_server(database=scratch / "single.sqlite3"):
        try:
            with start_reference_server(database=scratch / "single.sqlite3"):
                return False
        except ServerStartError as error:
            return "in use by another omni-reference-server" in str(error)


def hostile_phase(scratch: Path) -> dict[str, Any]:
    print("[soak] hostile input: streamed 1 GB body, 100 decompression bombs", flush=True)

    def body() -> Iterator[bytes]:
        block = b" " * MIB
        for _ in range(1024):
            yield block

    with (
        start_reference_server(database=scratch / "hostile.sqlite3") as server,
        httpx.Client(base_url=server.base_url, headers=HEADERS, trust_env=False) as client,
    ):
        before = rss_bytes(server.process.pid)
        try:
            streamed: Any = client.post(PATH, content=body(), timeout=120).json()["code"]
        except httpx.TransportError as error:
            streamed = type(error).__name__
        bomb = create_body_with_image(png_declaring(60_000, 60_000))
        codes = {client.post(PATH, content=bomb, timeout=30).json()["code"] for _ in range(100)}
        return {
            "streamed_1gb": streamed,
            "bomb_codes": sorted(codes),
            "rss_before_mib": before / MIB,
            "rss_peak_mib": peak_rss_since_start(server.process.pid) / MIB,
            "rss_after_mib": rss_bytes(server.process.pid) / MIB,
            "tracebacks": server_tracebacks(server.output),
        }


def fuzz_phase(scratch: Path, seconds: float, examples: int) -> tuple[list[FuzzRun], list[str]]:
    print(f"[soak] fuzzing: Schemathesis {seconds:g} s (all phases), conformance suite", flush=True)
    with conformance_server(scratch / "fuzz.sqlite3") as server:
        base = server.base_url
        runs = [
            run_schemathesis(base, max_time=seconds, max_examples=examples,
                             phases="examples,coverage,fuzzing,stateful", cwd=scratch, seed=11),
            run_conformance_suite(base, max_examples=examples // 5, cwd=scratch, seed=11),
        ]  # fmt: skip
        return runs, server_tracebacks(server.output)


@dataclass
class SoakResults:
    crash: CrashReport
    load: dict[str, Any]
    single: bool
    hostile: dict[str, Any]
    fuzz: list[FuzzRun]
    fuzz_tracebacks: list[str]
    seconds: float
    fuzz_budget: str = ""
    worker_kills: dict[str, WorkerKillReport] | None = None

    @property
    def ok(self) -> bool:
        load, hostile = self.load, self.hostile
        load_ok = (load["server_errors"], load["transport_errors"], load["lost"],
                   load["duplicated"], len(load["tracebacks"])) == (0, 0, 0, 0, 0)  # fmt: skip
        return (
            self.crash.ok and self.single and load_ok and load["terminal"] == load["created"]
            and hostile["bomb_codes"] == [1201] and not hostile["tracebacks"]
            and all(run.ok for run in self.fuzz) and not self.fuzz_tracebacks
            and all(report.ok for report in (self.worker_kills or {}).values())
        )  # fmt: skip


def markdown(results: SoakResults) -> str:
    crash, load, single, hostile = results.crash, results.load, results.single, results.hostile
    fuzz, fuzz_tracebacks, seconds = results.fuzz, results.fuzz_tracebacks, results.seconds
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lat = load["latency_ms"]
    lines = [
        "### Soak (`make soak`)",
        "",
        f"Run {when}, Python {platform.python_version()}, {platform.machine()}. "
        f"Whole soak took {seconds:.0f} s. Server and load are separate processes on loopback.",
        "",
        f"Crash safety ({crash.kills} SIGKILLs, restart on the same database, creates with "
        "callbacks at 30/s):",
        "",
        "| acknowledged (code 0) | found after restarts | lost | duplicated | terminal | terminal "
        "callback delivered | callbacks out of order | creates refused while down | stored but "
        "never acknowledged |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {crash.acknowledged} | {crash.found} | {crash.lost} | {crash.duplicated} | "
        f"{crash.terminal} | {crash.callbacks_delivered} | {crash.callbacks_out_of_order} | "
        f"{crash.failed_attempts} | {crash.stored_unacknowledged} |",
        "",
        f"Load ({load['clients']} clients, create -> get -> list, {load['seconds']} s): "
        f"{load['requests']} requests, {load['throughput_rps']} req/s, "
        f"{load['server_errors']} 5xx, {load['transport_errors']} transport errors, "
        f"{load['created']} tasks created, {load['lost']} lost, {load['duplicated']} duplicated, "
        f"{load['terminal']} terminal. Server RSS {load['rss_idle_mib']:.0f} MiB idle, "
        f"peak {load['rss_peak_mib']:.0f} MiB.",
        "",
        "| operation | count | p50 (ms) | p99 (ms) |",
        "|---|---:|---:|---:|",
        *(f"| {op} | {v['count']} | {v['p50']} | {v['p99']} |" for op, v in lat.items()),
        "",
        f"One server per SQLite database: second server refused = {'yes' if single else 'NO'}.",
        "",
        "Worker kills (`--workers 2`, SIGKILL of one worker every 2 s while creating with "
        "callbacks at 30/s; the supervisor starts a replacement; PostgreSQL: a temporary local "
        "server, fsync on):",
        "",
        *worker_kill_rows(results.worker_kills or {}),
        "",
        f"Hostile input: streamed 1 GB body -> {hostile['streamed_1gb']}; 100 decompression "
        f"bombs -> codes {hostile['bomb_codes']}; server RSS {hostile['rss_before_mib']:.0f} MiB "
        f"before, peak {hostile['rss_peak_mib']:.0f} MiB, {hostile['rss_after_mib']:.0f} MiB after "
        f"(bounded by the body limit, {max_body_bytes() / MIB:.0f} MiB, not by the body size).",
        "",
        f"Fuzzing (Schemathesis all phases, {results.fuzz_budget}; conformance suite with "
        "every optional input): "
        + "; ".join(
            f"{run.tool} {'passed' if run.ok else f'FAILED (exit {run.returncode})'}"
            for run in fuzz
        )
        + f"; server tracebacks: {len(fuzz_tracebacks)}.",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bounded soak of the reference server.")
    parser.add_argument("--kills", type=int, default=8)
    parser.add_argument("--worker-kills", type=int, default=6)
    parser.add_argument("--load-seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--fuzz-seconds", type=float, default=90)
    parser.add_argument("--fuzz-examples", type=int, default=1000)
    parser.add_argument("--no-write", action="store_true", help="print, do not touch results.md")
    args = parser.parse_args(argv)
    use_loopback_only_environment()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="omni-soak-") as folder:
        scratch = Path(folder)
        crash = crash_phase(scratch, args.kills)
        load = load_phase(scratch, args.clients, args.load_seconds)
        single = second_process_phase(scratch)
        worker_kills = worker_kill_phase(scratch, args.worker_kills)
        hostile = hostile_phase(scratch)
        fuzz, fuzz_tracebacks = fuzz_phase(scratch, args.fuzz_seconds, args.fuzz_examples)
    budget = f"{args.fuzz_seconds:g} s, up to {args.fuzz_examples} examples per operation, seed 11"
    results = SoakResults(crash, load, single, hostile, fuzz, fuzz_tracebacks,
                          time.monotonic() - started, budget, worker_kills)  # fmt: skip
    text = markdown(results)
    print(text)
    if not args.no_write:
        write_section(SECTION, text)
        print(f"[soak] results written to {RESULTS_FILE}")
    for run in fuzz:
        if not run.ok:
            print(f"[soak] {run.tool} output tail:\n{run.tail}", file=sys.stderr)
    ok = results.ok
    print(f"[soak] {'all checks hold' if ok else 'SOME CHECK FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
