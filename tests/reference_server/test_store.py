"""SqliteTaskStore: a failed bulk insert leaves no open transaction and no partial rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import anyio
import pytest

from reference_server.store import TaskRecord
from reference_server.store_sqlite import SqliteTaskStore
from reference_server.task_view import SUBMITTED


def record(task_id: str) -> TaskRecord:
    return TaskRecord(
        task_id=task_id,
        user="ak-omni-dev",
        external_task_id=None,
        status=SUBMITTED,
        status_msg="",
        result_type="single",
        result_count=1,
        width=1024,
        height=1024,
        pixels=1024 * 1024,
        watermark=False,
        callback_url=None,
        fail_msg=None,
        final_unit_deduction="0",
        created_at=1,
        updated_at=1,
    )


def test_failed_insert_many_rolls_back(tmp_path: Path) -> None:
    """A batch hitting a duplicate id stores none of its rows; later writes still commit."""
    store = SqliteTaskStore(tmp_path / "db.sqlite3")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            store.insert_many([record("1"), record("2"), record("1")])
        assert store.get("1") is None and store.get("2") is None
        store.insert(record("3"))
        store.insert_many([record("4")])
    finally:
        store.close()
    # committed, not stuck in an open transaction
    reopened = SqliteTaskStore(tmp_path / "db.sqlite3")
    try:
        assert reopened.get("3") is not None and reopened.get("4") is not None
    finally:
        reopened.close()


def test_pages_read_from_worker_threads_see_every_committed_task(tmp_path: Path) -> None:
    """page() on worker threads (own read connections) sees a task the moment insert returns."""
    store = SqliteTaskStore(tmp_path / "db.sqlite3")
    try:
        store.insert_many([record(f"{index:04d}") for index in range(30)])

        async def read_pages() -> list[list[str]]:
            pages: list[list[str]] = []
            for page_num in (1, 2, 3):
                tasks = await anyio.to_thread.run_sync(store.page, "ak-omni-dev", page_num, 10)
                pages.append([task.task_id for task in tasks])
            store.insert(record("9999"))  # written on this thread, read next on a worker thread
            first = await anyio.to_thread.run_sync(store.page, "ak-omni-dev", 1, 1)
            pages.append([task.task_id for task in first])
            return pages

        pages = anyio.run(read_pages)
    finally:
        store.close()
    expected = [f"{index:04d}" for index in reversed(range(30))]
    assert pages[:3] == [expected[:10], expected[10:20], expected[20:]]
    assert pages[3] == ["9999"]
