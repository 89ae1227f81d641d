"""TaskStore: a failed bulk insert leaves no open transaction and no partial rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reference_server.store import TaskRecord, TaskStore
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
    store = TaskStore(tmp_path / "db.sqlite3")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            store.insert_many([record("1"), record("2"), record("1")])
        assert store.get("1") is None and store.get("2") is None
        store.insert(record("3"))
        store.insert_many([record("4")])
    finally:
        store.close()
    reopened = TaskStore(tmp_path / "db.sqlite3")  # committed, not stuck in an open transaction
    try:
        assert reopened.get("3") is not None and reopened.get("4") is not None
    finally:
        reopened.close()
