"""Several processes claiming from one database at once never take a task or a delivery twice."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace

from reference_server.store import TaskRecord
from reference_server.store_open import open_store
from reference_server.task_view import PROCESSING, SUBMITTED
from tests.stores.test_store_contract import record

PROCESSES = 4
TASKS = 400


def to_processing(task: TaskRecord) -> TaskRecord:
    return replace(task, status=PROCESSING, updated_at=task.updated_at + 1)


def body(task: TaskRecord) -> bytes:
    return task.task_id.encode()


def claim_everything(database: str, start: multiprocessing.synchronize.Event) -> list[str]:
    """One process: step tasks and lease deliveries in small batches until none are left."""
    store = open_store(database)
    start.wait()
    taken: list[str] = []
    try:
        while moved := store.advance_due(SUBMITTED, 10, 7, to_processing, body):
            taken += [f"task:{task.task_id}" for task in moved]
        while leased := store.claim_deliveries(now_ms=100, limit=5, lease_ms=60_000):
            taken += [f"delivery:{delivery.id}" for delivery in leased]
    finally:
        store.close()
    return taken


def test_processes_never_take_the_same_task_or_delivery(database: str) -> None:
    """4 processes race over 400 due tasks, then over their 400 deliveries: each taken once."""
    store = open_store(database)
    store.insert_many(
        [record(f"{index:019d}", callback_url="http://127.0.0.1:9/") for index in range(TASKS)]
    )
    store.close()
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(PROCESSES) as pool:
            results = pool.starmap_async(claim_everything, [(database, start)] * PROCESSES)
            start.set()
            taken = [item for part in results.get(timeout=120) for item in part]
    tasks = [item for item in taken if item.startswith("task:")]
    deliveries = [item for item in taken if item.startswith("delivery:")]
    assert len(tasks) == len(set(tasks)) == TASKS
    assert len(deliveries) == len(set(deliveries)) == TASKS
