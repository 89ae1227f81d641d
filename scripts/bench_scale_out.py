"""Scale-out part of `make bench-server`: create throughput of 1 vs 2 worker processes
(`--workers`), on SQLite and on PostgreSQL (a temporary server with fsync and synchronous_commit
on), under wrk. Goal: 2 workers >= 1.5x one. Afterwards the database must hold at least as many
tasks as wrk counted answers (every answered task was committed before its answer).
Writes the `<!-- bench: scale-out -->` section of benchmarks/results.md.
"""

from __future__ import annotations

import datetime
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import psutil
import psycopg

from reference_server.launcher import start_reference_server
from scripts.bench_results import write_section
from scripts.bench_server import CONCURRENCY, LOAD_SECONDS, PATH, wrk_run
from scripts.loopback_env import use_loopback_only_environment
from scripts.postgres_cluster import temporary_cluster

SECTION = "scale-out"
GOAL = 1.5
ROUNDS = 3  # interleaved 1-worker / 2-worker rounds per database, median


def stored_tasks(database: str) -> int:
    if database.startswith("postgresql://"):
        with psycopg.connect(database) as db:
            row = db.execute("SELECT COUNT(*) FROM tasks").fetchone()
    else:
        with sqlite3.connect(database) as db:
            row = db.execute("SELECT COUNT(*) FROM tasks").fetchone()
    assert row is not None
    return int(row[0])


def measure(database: str, workers: int) -> tuple[float, int, int]:
    """(req/s, answers counted by wrk in warm-up + run, tasks stored afterwards)."""
    with start_reference_server(database=database, workers=workers, step_delay=3600) as server:
        url = server.base_url + PATH
        _, warm = wrk_run(url, 1.0)
        rps, counted = wrk_run(url, LOAD_SECONDS)
    return rps, warm + counted, stored_tasks(database)


def main() -> int:
    use_loopback_only_environment()
    started = time.perf_counter()
    idle_before = 100.0 - psutil.cpu_percent(interval=2.0)
    rows: list[str] = []
    ok = True
    with tempfile.TemporaryDirectory(prefix="omni-scale-") as scratch, ExitStack() as stack:
        cluster = stack.enter_context(temporary_cluster(durable=True))
        for kind in ("SQLite", "PostgreSQL"):
            rates: dict[int, list[float]] = {1: [], 2: []}
            counted = {1: 0, 2: 0}
            stored = {1: 0, 2: 0}
            for round_number in range(ROUNDS):
                for workers in (1, 2):
                    database = (
                        str(Path(scratch) / f"w{workers}-{round_number}.sqlite3")
                        if kind == "SQLite"
                        else cluster.create_database(f"bench_w{workers}")
                    )
                    print(f"scale-out: {kind}, {workers} worker(s), round {round_number + 1}",
                          flush=True)  # fmt: skip
                    rate, answered, kept = measure(database, workers)
                    rates[workers].append(rate)
                    counted[workers] += answered
                    stored[workers] += kept
            one, two = statistics.median(rates[1]), statistics.median(rates[2])
            counted1, counted2, stored1, stored2 = counted[1], counted[2], stored[1], stored[2]
            ratio = two / one
            durable = stored1 >= counted1 and stored2 >= counted2
            ok = ok and durable
            rows.append(
                f"| {kind} | {one:.0f} | {two:.0f} | {ratio:.2f}x | >= {GOAL}x | "
                f"{'yes' if ratio >= GOAL else 'no'} | {counted1 + counted2} answered, "
                f"{stored1 + stored2} stored: {'yes' if durable else 'NO'} |"
            )
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    table = "\n".join(rows)
    text = f"""
### Scale-out: `--workers` 1 vs 2 (`make bench-server`)

Run {now}, Python {platform.python_version()}, {platform.machine()}, {psutil.cpu_count()} CPUs
(shared by the server processes and wrk). create_task under wrk (one thread, {CONCURRENCY}
connections, {LOAD_SECONDS:g} s after a 1 s warm-up), step delay 3600 s (no lifecycle traffic);
median of {ROUNDS} interleaved rounds. Host CPU idle just before the run: {idle_before:.0f}%
(the machine is shared: work of other tenants takes CPU from both sides of the ratio).
SQLite: WAL, synchronous=NORMAL (a commit survives the death of any process). PostgreSQL
(temporary local server over a unix socket): fsync and synchronous_commit on (a commit survives
the machine). Each worker is a whole server process on the same port (SO_REUSEPORT).

| database | 1 worker (req/s) | 2 workers (req/s) | ratio | goal | met | answered tasks stored |
|---|---:|---:|---:|---|---|---|
{table}

Whole scale-out benchmark took {time.perf_counter() - started:.0f} s.
"""
    write_section(SECTION, text)
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
