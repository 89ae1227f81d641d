"""Crash safety: create tasks with callbacks at a steady rate, SIGKILL the server, restart, check.

Every task answered with code 0 must still exist after the restarts, reach a terminal status and
have its terminal callback delivered (at least once, in lifecycle order); no task may appear
twice. Used by tests/reliability (short) and scripts/soak.py (long).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from reference_server.launcher import RunningServer, start_reference_server
from scripts.reliability.common import (
    HEADERS,
    PATH,
    TERMINAL,
    CallbackLog,
    all_listed,
    callback_receiver,
    server_tracebacks,
    task_statuses,
)


@dataclass
class CrashReport:
    kills: int
    acknowledged: int
    found: int
    lost: int
    duplicated: int
    terminal: int
    callbacks_delivered: int
    callbacks_missing: int
    callbacks_out_of_order: int
    failed_attempts: int
    stored_unacknowledged: int
    tracebacks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.lost == 0
            and self.duplicated == 0
            and self.terminal == self.acknowledged
            and self.callbacks_missing == 0
            and self.callbacks_out_of_order == 0
            and not self.tracebacks
        )


class SteadyCreator:
    """A thread POSTing creates at `rate` per second; remembers what was acknowledged."""

    def __init__(self, server: RunningServer, callback_url: str, rate: float) -> None:
        self.server = server
        self.callback_url = callback_url
        self.interval = 1.0 / rate
        self.acknowledged: dict[str, str] = {}  # task_id -> external_task_id
        self.failed_attempts = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> SteadyCreator:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with httpx.Client(headers=HEADERS, timeout=5, trust_env=False) as client:
            next_at = time.monotonic()
            while not self._stop.is_set():
                external = f"crash-{uuid.uuid4().hex[:12]}"
                body = {"prompt": "crash safety", "callback_url": self.callback_url,
                        "external_task_id": external}  # fmt: skip
                try:
                    answer = client.post(self.server.base_url + PATH, json=body).json()
                    if answer.get("code") == 0:
                        self.acknowledged[answer["data"]["task_id"]] = external
                    else:
                        self.failed_attempts += 1
                except (httpx.HTTPError, ValueError):
                    self.failed_attempts += 1  # server down between kill and restart
                next_at += self.interval
                self._stop.wait(max(0.0, next_at - time.monotonic()))


def run_crash_cycles(
    database: Path,
    *,
    kills: int,
    seconds_between_kills: float,
    rate: float,
    settle_timeout: float = 60.0,
    step_delay: float = 0.3,
) -> CrashReport:
    """Create at `rate`/s, SIGKILL and restart `kills` times, then check what survived."""
    with (
        callback_receiver() as (callbacks, url),
        start_reference_server(
            database=database,
            step_delay=step_delay,
            extra_args=["--callback-retry-base", "0.05", "--callback-timeout", "2"],
        ) as server,
    ):
        with SteadyCreator(server, url, rate) as creator:
            for _ in range(kills):
                time.sleep(seconds_between_kills)
                server.kill()
                server.restart()
            time.sleep(seconds_between_kills / 2)
        return _settle(server, callbacks, dict(creator.acknowledged),
                       settle_timeout=settle_timeout, kills=kills,
                       failed_attempts=creator.failed_attempts)  # fmt: skip


def _settle(
    server: RunningServer,
    callbacks: CallbackLog,
    acknowledged: dict[str, str],
    *,
    settle_timeout: float,
    kills: int,
    failed_attempts: int,
) -> CrashReport:
    """Wait for every acknowledged task to end and its terminal callback to arrive; count."""
    deadline = time.monotonic() + settle_timeout
    statuses = task_statuses(server.base_url, list(acknowledged))
    while time.monotonic() < deadline and not all(
        status in TERMINAL and callbacks.terminal_delivered(task_id)
        for task_id, status in statuses.items()
    ):
        time.sleep(0.2)
        pending = [t for t, s in statuses.items() if s not in TERMINAL]
        statuses.update(task_statuses(server.base_url, pending))
    listed = all_listed(server.base_url)
    ids = [task["task_id"] for task in listed]
    externals = [task["task_info"]["external_task_id"] for task in listed]
    delivered = sum(callbacks.terminal_delivered(task_id) for task_id in acknowledged)
    return CrashReport(
        kills=kills,
        acknowledged=len(acknowledged),
        found=sum(status is not None for status in statuses.values()),
        lost=sum(status is None for status in statuses.values()),
        duplicated=(len(ids) - len(set(ids))) + (len(externals) - len(set(externals))),
        terminal=sum(status in TERMINAL for status in statuses.values()),
        callbacks_delivered=delivered,
        callbacks_missing=len(acknowledged) - delivered,
        callbacks_out_of_order=len(callbacks.out_of_order()),
        failed_attempts=failed_attempts,
        stored_unacknowledged=len(set(ids) - set(acknowledged)),
        tracebacks=server_tracebacks(server.output),
    )


STEPS_PER_TASK = 2  # submitted -> processing, processing -> a terminal status: one outbox row each


@dataclass
class WorkerKillReport:
    """What survived SIGKILLs of single worker processes of a `--workers N` server."""

    crash: CrashReport
    workers: int
    processed_twice: int  # tasks with more than one stored step into the same status
    killed_pids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.crash.ok and self.processed_twice == 0


def steps_stored_twice(database: str | Path, task_ids: list[str]) -> int:
    """Tasks whose outbox holds two rows for one status: a lifecycle step taken twice."""
    from reference_server.store_open import open_store

    store = open_store(database)
    try:
        twice = 0
        for task_id in task_ids:
            bodies = store.deliveries(task_id)
            twice += len(bodies) != STEPS_PER_TASK
        return twice
    finally:
        store.close()


def run_worker_kills(
    database: str | Path,
    *,
    workers: int,
    kills: int,
    seconds_between_kills: float,
    rate: float,
    settle_timeout: float = 60.0,
    step_delay: float = 0.3,
) -> WorkerKillReport:
    """Create at `rate`/s against N workers, SIGKILL one worker `kills` times (the supervisor
    starts a replacement), then check every acknowledged task: stored, terminal, stepped once,
    terminal callback delivered in order."""
    killed: list[int] = []
    with (
        callback_receiver() as (callbacks, url),
        start_reference_server(
            database=database,
            workers=workers,
            step_delay=step_delay,
            extra_args=["--callback-retry-base", "0.05", "--callback-timeout", "1"],
        ) as server,
    ):
        with SteadyCreator(server, url, rate) as creator:
            for kill in range(kills):
                time.sleep(seconds_between_kills)
                pids = server.worker_pids()
                victim = pids[kill % len(pids)]
                server.kill_worker(victim)
                killed.append(victim)
            time.sleep(seconds_between_kills / 2)
        acknowledged = dict(creator.acknowledged)
        crash = _settle(server, callbacks, acknowledged, settle_timeout=settle_timeout,
                        kills=kills, failed_attempts=creator.failed_attempts)  # fmt: skip
    return WorkerKillReport(crash, workers, steps_stored_twice(database, list(acknowledged)),
                            killed)  # fmt: skip
