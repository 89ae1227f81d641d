"""The TaskStore contract, run against both implementations (SQLite file, PostgreSQL server)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from reference_server.store import (
    DuplicateExternalIdError,
    DuplicateTaskIdError,
    TaskRecord,
    TaskStore,
)
from reference_server.store_open import open_store
from reference_server.task_view import PROCESSING, SUBMITTED, SUCCEED

USER = "ak-omni-dev"


def record(task_id: str, created_at: int = 1, **changes: object) -> TaskRecord:
    task = TaskRecord(
        task_id=task_id, user=USER, external_task_id=None, status=SUBMITTED, status_msg="",
        result_type="single", result_count=1, width=1024, height=1024, pixels=1024 * 1024,
        watermark=False, callback_url=None, fail_msg=None, final_unit_deduction="0",
        created_at=created_at, updated_at=created_at,
    )  # fmt: skip
    return replace(task, **changes)  # type: ignore[arg-type]


@pytest.fixture
def store(database: str) -> Iterator[TaskStore]:
    opened = open_store(database)
    yield opened
    opened.close()


def to_processing(task: TaskRecord) -> TaskRecord:
    return replace(task, status=PROCESSING, updated_at=task.updated_at + 1)


def body(task: TaskRecord) -> bytes:
    return f'{{"task_id": "{task.task_id}", "task_status": "{task.status}"}}'.encode()


def test_insert_find_get_and_clashes(store: TaskStore) -> None:
    """find by task_id or external id (task_id wins), per user; duplicate ids are told apart."""
    store.insert(record("0000000000000000001", external_task_id="ext-1"))
    store.insert(record("ext-1", external_task_id="other"))  # a task_id equal to an external id
    found = store.find(USER, "ext-1")
    assert found is not None and found.task_id == "ext-1"
    assert store.find("someone-else", "ext-1") is None
    assert store.external_id_taken(USER, "ext-1") and not store.external_id_taken("x", "ext-1")
    with pytest.raises(DuplicateExternalIdError):
        store.insert(record("0000000000000000002", external_task_id="ext-1"))
    with pytest.raises(DuplicateTaskIdError):
        store.insert(record("0000000000000000001"))
    got = store.get("0000000000000000001")
    assert got == record("0000000000000000001", external_task_id="ext-1")
    assert store.max_task_id() == "ext-1"  # text order: letters sort after digits


def test_pages_are_newest_first_by_created_at_then_task_id(store: TaskStore) -> None:
    """Paging order (created_at DESC, task_id DESC) and page boundaries, only the caller's."""
    store.insert_many(
        [record(f"{index:019d}", created_at=index // 3) for index in range(25)]
        + [record("9" * 19, user="other")]
    )
    pages = [[task.task_id for task in store.page(USER, page, 10)] for page in (1, 2, 3, 4)]
    expected = [f"{index:019d}" for index in reversed(range(25))]
    assert pages == [expected[:10], expected[10:20], expected[20:], []]


def test_failed_insert_many_stores_nothing(store: TaskStore) -> None:
    """A batch with a duplicate id stores none of its rows; later writes still work."""
    with pytest.raises(Exception):  # noqa: B017 - each driver raises its own integrity error
        store.insert_many([record("1"), record("2"), record("1")])
    assert store.get("1") is None and store.get("2") is None
    store.insert(record("3"))
    assert store.get("3") is not None


def test_advance_due_moves_each_task_once_and_enqueues_its_callback(store: TaskStore) -> None:
    """Due tasks move once; a second pass finds nothing; only tasks with callback_url enqueue."""
    store.insert_many([record("a", callback_url="http://127.0.0.1:9/hook"), record("b"),
                       record("c", created_at=50)])  # fmt: skip
    moved = store.advance_due(SUBMITTED, 10, 100, to_processing, body)
    assert sorted(task.task_id for task in moved) == ["a", "b"]
    assert store.advance_due(SUBMITTED, 10, 100, to_processing, body) == []
    stored = store.get("a")
    assert stored is not None and stored.status == PROCESSING
    assert store.deliveries("a") == [("pending", 0, None)] and store.deliveries("b") == []
    skipped = store.advance_due(PROCESSING, 10, 100, lambda task: None, body)
    assert skipped == [] and store.get("b") == to_processing(record("b"))


def test_deliveries_lease_order_and_takeover(store: TaskStore) -> None:
    """Only a task's oldest pending row is handed out, a leased row is not handed out again,
    an expired lease is taken over and its old holder can no longer record an outcome."""
    hook = "http://127.0.0.1:9/hook"
    store.insert(record("a", callback_url=hook))
    store.advance_due(SUBMITTED, 10, 10, to_processing, body)
    done = lambda task: replace(task, status=SUCCEED, updated_at=task.updated_at + 1)  # noqa: E731
    store.advance_due(PROCESSING, 10, 10, done, body)
    first = store.claim_deliveries(now_ms=100, limit=10, lease_ms=1000)
    assert [b'"processing"' in d.body for d in first] == [True]
    assert (
        store.claim_deliveries(now_ms=500, limit=10, lease_ms=1000) == []
    )  # leased; succeed waits
    taken = store.claim_deliveries(now_ms=1100, limit=10, lease_ms=1000)  # lease expired
    assert [d.id for d in taken] == [first[0].id] and taken[0].claim != first[0].claim
    assert not store.finish_delivery(first[0].id, "delivered", 1, None, first[0].claim)
    assert store.retry_delivery(taken[0].id, 1, 1200, "HTTP 500", taken[0].claim)
    assert store.claim_deliveries(now_ms=1150, limit=10, lease_ms=1000) == []  # not yet due
    again = store.claim_deliveries(now_ms=1200, limit=10, lease_ms=1000)
    assert again[0].attempts == 1
    assert store.finish_delivery(again[0].id, "delivered", 2, None, again[0].claim)
    last = store.claim_deliveries(now_ms=1200, limit=10, lease_ms=1000)
    assert [b'"succeed"' in d.body for d in last] == [True]
    assert store.deliveries("a") == [("delivered", 2, None), ("pending", 1 - 1, None)]


def test_id_slots_differ_between_openings(database: str) -> None:
    """Each opening (a server process) gets its own id slot."""
    stores = [open_store(database) for _ in range(3)]
    try:
        slots = [store.claim_id_slot() for store in stores]
    finally:
        for store in stores:
            store.close()
    assert len(set(slots)) == 3
