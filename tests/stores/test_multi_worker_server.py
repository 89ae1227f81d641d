"""`--workers 2` end to end on SQLite and on PostgreSQL: every task finishes exactly once with
its callbacks in order, and SIGKILL of one worker mid-load loses no acknowledged task."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx

from reference_server.launcher import start_reference_server
from scripts.reliability.crash import run_worker_kills, steps_stored_twice
from tests.reference_server.helpers import PATH, bearer, receiver, wait_until

TASKS = 60


def test_two_workers_finish_every_task_once_with_callbacks_in_order(database: str) -> None:
    """60 creates over 2 workers: 60 distinct ids, all succeed, processing then succeed each."""
    with (
        receiver() as (hook, url),
        start_reference_server(database=database, workers=2, step_delay=0.05) as server,
    ):
        assert len(server.worker_pids()) == 2

        def create(index: int) -> str:
            answer = httpx.post(server.base_url + PATH, headers=bearer(), timeout=30,
                                json={"prompt": f"t{index}", "callback_url": url + "/hook"})  # fmt: skip
            assert answer.status_code == 200, answer.text
            return str(answer.json()["data"]["task_id"])

        with ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(create, range(TASKS)))
        assert len(set(ids)) == TASKS
        assert wait_until(lambda: sum(b'"succeed"' in body for body in hook.bodies) >= TASKS, 60)
        listed = httpx.get(server.base_url + PATH, headers=bearer(),
                           params={"pageSize": 500}).json()["data"]  # fmt: skip
        assert sorted(task["task_id"] for task in listed) == sorted(ids)
        assert {task["task_status"] for task in listed} == {"succeed"}
        order = [(t["created_at"], t["task_id"]) for t in listed]
        assert order == sorted(order, reverse=True)
    statuses: dict[str, list[str]] = {}
    for raw in hook.bodies:
        task = json.loads(raw)
        statuses.setdefault(task["task_id"], []).append(task["task_status"])
    assert statuses == {task_id: ["processing", "succeed"] for task_id in ids}
    assert steps_stored_twice(database, ids) == 0


def test_killing_one_worker_mid_load_loses_no_acknowledged_task(database: str) -> None:
    """SIGKILL of one of 2 workers twice while creating: nothing acknowledged is lost or stepped
    twice, every terminal callback arrives in order (a killed worker's leases are taken over)."""
    report = run_worker_kills(database, workers=2, kills=2, seconds_between_kills=1.5, rate=20)
    print(report)  # the counts, for the CI log
    crash = report.crash
    assert crash.acknowledged > 0 and len(report.killed_pids) == 2
    assert (crash.found, crash.lost, crash.duplicated) == (crash.acknowledged, 0, 0)
    assert crash.terminal == crash.acknowledged and report.processed_twice == 0
    assert crash.callbacks_missing == 0 and crash.callbacks_out_of_order == 0
    assert crash.tracebacks == []
