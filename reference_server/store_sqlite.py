"""SqliteTaskStore: tasks and the callback outbox in one SQLite file (WAL), one or more processes.

Writes run in `BEGIN IMMEDIATE` transactions (the database's one write lock, taken up front) and
change rows only under a condition (`status = ?` for a lifecycle step, an expired lease for an
outbox claim), so two processes can never both take a task or a delivery. A busy write lock is
retried every few tens of microseconds (SQLite's own busy handler sleeps a millisecond or more,
which would stall the event loop of every process waiting on another's 50 us commit).
Reads use each thread's own connection: under WAL they block neither the writer nor each other
and see every transaction committed before they start.

Every write commits before the method returns (WAL, synchronous=NORMAL): an acknowledged task
survives the death of any process; power loss may lose the last commits.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from reference_server.store import (
    TASK_COLUMN_COUNT,
    TASK_COLUMNS,
    CallbackBody,
    DuplicateExternalIdError,
    DuplicateTaskIdError,
    NextStep,
    PendingDelivery,
    TaskRecord,
    record_from_row,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    task_id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    external_task_id TEXT,
    status TEXT NOT NULL,
    status_msg TEXT NOT NULL,
    result_type TEXT NOT NULL,
    result_count INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    pixels INTEGER NOT NULL,
    watermark INTEGER NOT NULL,
    callback_url TEXT,
    fail_msg TEXT,
    final_unit_deduction TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tasks_by_user_newest ON tasks (user, created_at DESC, task_id DESC);
CREATE UNIQUE INDEX IF NOT EXISTS tasks_external_id_per_user ON tasks (user, external_task_id)
    WHERE external_task_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS tasks_in_flight ON tasks (status, updated_at)
    WHERE status IN ('submitted', 'processing');
CREATE TABLE IF NOT EXISTS callback_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id TEXT NOT NULL,
    url TEXT NOT NULL,
    body BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON callback_outbox (task_id, id)
    WHERE state = 'pending';
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
# Columns added after the first release: a database written by an older server gains them.
OUTBOX_LEASE_COLUMNS = {
    "claim": "ALTER TABLE callback_outbox ADD COLUMN claim TEXT",
    "claim_until": "ALTER TABLE callback_outbox ADD COLUMN claim_until INTEGER NOT NULL DEFAULT 0",
}
BUSY_TIMEOUT_SECONDS = 5.0
_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
_PRIMARY_KEY_CLASH = 1555  # SQLITE_CONSTRAINT_PRIMARYKEY
_INSERT = f"INSERT INTO tasks ({TASK_COLUMNS}) VALUES ({','.join('?' * TASK_COLUMN_COUNT)})"
_DUE_DELIVERIES = (
    "SELECT id, task_id, url, body, attempts FROM callback_outbox AS c "
    "WHERE state = 'pending' AND next_attempt_at <= ? AND claim_until <= ? AND id = ("
    "  SELECT MIN(id) FROM callback_outbox WHERE task_id = c.task_id AND state = 'pending') "
    "ORDER BY id LIMIT ?"
)


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) in _BUSY_CODES


class SqliteTaskStore:
    """The TaskStore of one SQLite file; any number of threads and processes may share it."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._lock = threading.Lock()
        # busy_timeout 0: a busy write lock is retried by `_write` itself, in microseconds.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=0)
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._retrying(lambda: self._db.execute("PRAGMA journal_mode=WAL"))
        self._db.execute("PRAGMA synchronous=NORMAL")
        with self._write() as db:  # one process at a time creates or upgrades the schema
            for statement in filter(str.strip, SCHEMA.split(";")):
                db.execute(statement)
            present = {row[1] for row in db.execute("PRAGMA table_info(callback_outbox)")}
            for column, statement in OUTBOX_LEASE_COLUMNS.items():
                if column not in present:
                    db.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._db.close()
            for reader in self._readers:
                reader.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One immediate transaction on the writer connection, committed on exit."""
        with self._lock:
            self._retrying(lambda: self._db.execute("BEGIN IMMEDIATE"))
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")  # else the open transaction poisons later writes
                raise
            self._retrying(lambda: self._db.execute("COMMIT"))

    @staticmethod
    def _retrying(run: Callable[[], object]) -> None:
        """Run `run()` until it stops failing with SQLITE_BUSY (at most BUSY_TIMEOUT_SECONDS)."""
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        pause = 20e-6
        while True:
            try:
                run()
                return
            except sqlite3.OperationalError as error:
                if not _is_busy(error) or time.monotonic() > deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, 0.002)

    def _reader(self) -> sqlite3.Connection:
        """This thread's own read-only connection (see the module docstring)."""
        reader: sqlite3.Connection | None = getattr(self._local, "reader", None)
        if reader is None:
            reader = sqlite3.connect(
                self._path,
                check_same_thread=False,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_SECONDS,
            )
            reader.execute("PRAGMA query_only=ON")
            with self._lock:
                self._readers.append(reader)
            self._local.reader = reader
        return reader

    def max_task_id(self) -> str | None:
        row = self._reader().execute("SELECT MAX(task_id) FROM tasks").fetchone()
        return row[0] if row else None

    def claim_id_slot(self) -> int:
        with self._write() as db:
            row = db.execute(
                "INSERT INTO counters (name, value) VALUES ('id_slot', 0) "
                "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value"
            ).fetchone()
        return int(row[0]) % 1000

    def insert(self, task: TaskRecord) -> None:
        try:
            with self._write() as db:
                db.execute(_INSERT, task.as_row())
        except sqlite3.IntegrityError as error:
            if getattr(error, "sqlite_errorcode", None) == _PRIMARY_KEY_CLASH:
                raise DuplicateTaskIdError(task.task_id) from None
            raise DuplicateExternalIdError(task.external_task_id) from None

    def insert_many(self, tasks: Iterable[TaskRecord]) -> None:
        with self._write() as db:
            db.executemany(_INSERT, (task.as_row() for task in tasks))

    def external_id_taken(self, user: str, external_task_id: str) -> bool:
        row = (
            self._reader()
            .execute(
                "SELECT 1 FROM tasks WHERE user = ? AND external_task_id = ?",
                (user, external_task_id),
            )
            .fetchone()
        )
        return row is not None

    def find(self, user: str, task_or_external_id: str) -> TaskRecord | None:
        reader = self._reader()
        for column in ("task_id", "external_task_id"):
            row = reader.execute(
                f"SELECT {TASK_COLUMNS} FROM tasks WHERE user = ? AND {column} = ?",
                (user, task_or_external_id),
            ).fetchone()
            if row is not None:
                return record_from_row(row)
        return None

    def get(self, task_id: str) -> TaskRecord | None:
        row = (
            self._reader()
            .execute(f"SELECT {TASK_COLUMNS} FROM tasks WHERE task_id = ?", (task_id,))
            .fetchone()
        )
        return record_from_row(row) if row else None

    def page(self, user: str, page_num: int, page_size: int) -> list[TaskRecord]:
        rows = (
            self._reader()
            .execute(
                f"SELECT {TASK_COLUMNS} FROM tasks WHERE user = ? "
                "ORDER BY created_at DESC, task_id DESC LIMIT ? OFFSET ?",
                (user, page_size, (page_num - 1) * page_size),
            )
            .fetchall()
        )
        return [record_from_row(row) for row in rows]

    def advance_due(
        self,
        status: str,
        updated_before: int,
        limit: int,
        next_step: NextStep,
        callback_body: CallbackBody,
    ) -> list[TaskRecord]:
        # Candidates are read without the write lock (an idle poll never takes it); the
        # conditional update inside the transaction is what claims each one, exactly once.
        candidates = [
            record_from_row(row)
            for row in self._reader().execute(
                f"SELECT {TASK_COLUMNS} FROM tasks WHERE status = ? AND updated_at <= ? "
                "ORDER BY updated_at LIMIT ?",
                (status, updated_before, limit),
            )
        ]
        steps = [(task, step) for task in candidates if (step := next_step(task)) is not None]
        if not steps:
            return []
        moved: list[TaskRecord] = []
        with self._write() as db:
            for task, step in steps:
                cursor = db.execute(
                    "UPDATE tasks SET status = ?, status_msg = ?, final_unit_deduction = ?, "
                    "updated_at = ? WHERE task_id = ? AND status = ?",
                    (step.status, step.status_msg, step.final_unit_deduction, step.updated_at,
                     task.task_id, task.status),
                )  # fmt: skip
                if cursor.rowcount != 1:
                    continue  # another process took it first
                if step.callback_url:
                    db.execute(
                        "INSERT INTO callback_outbox (task_id, url, body, next_attempt_at) "
                        "VALUES (?, ?, ?, ?)",
                        (step.task_id, step.callback_url, callback_body(step), step.updated_at),
                    )
                moved.append(step)
        return moved

    def claim_deliveries(self, now_ms: int, limit: int, lease_ms: int) -> list[PendingDelivery]:
        rows = self._reader().execute(_DUE_DELIVERIES, (now_ms, now_ms, limit)).fetchall()
        if not rows:
            return []
        claim = uuid.uuid4().hex
        claimed: list[PendingDelivery] = []
        with self._write() as db:
            for row in rows:
                # A task's head row stays its head while pending (ids only grow), so the
                # conditions left to re-check are the state and the lease.
                cursor = db.execute(
                    "UPDATE callback_outbox SET claim = ?, claim_until = ? "
                    "WHERE id = ? AND state = 'pending' AND claim_until <= ? "
                    "AND next_attempt_at <= ?",
                    (claim, now_ms + lease_ms, row[0], now_ms, now_ms),
                )
                if cursor.rowcount == 1:
                    claimed.append(PendingDelivery(row[0], row[1], row[2], bytes(row[3]),
                                                   row[4], claim))  # fmt: skip
        return claimed

    def release_claims(self) -> int:
        """Drop every outbox lease; only for a server starting with the database's lock held
        (db_lock), when every lease left belongs to a process that is gone."""
        with self._write() as db:
            cursor = db.execute(
                "UPDATE callback_outbox SET claim = NULL, claim_until = 0 "
                "WHERE state = 'pending' AND claim IS NOT NULL"
            )
        return cursor.rowcount

    def finish_delivery(
        self, delivery_id: int, state: str, attempts: int, error: str | None, claim: str
    ) -> bool:
        with self._write() as db:
            cursor = db.execute(
                "UPDATE callback_outbox SET state = ?, attempts = ?, last_error = ?, "
                "claim = NULL, claim_until = 0 WHERE id = ? AND claim = ?",
                (state, attempts, error, delivery_id, claim),
            )
        return cursor.rowcount == 1

    def retry_delivery(
        self, delivery_id: int, attempts: int, next_at_ms: int, error: str, claim: str
    ) -> bool:
        with self._write() as db:
            cursor = db.execute(
                "UPDATE callback_outbox SET attempts = ?, next_attempt_at = ?, last_error = ?, "
                "claim = NULL, claim_until = 0 WHERE id = ? AND claim = ?",
                (attempts, next_at_ms, error, delivery_id, claim),
            )
        return cursor.rowcount == 1

    def deliveries(self, task_id: str) -> list[tuple[str, int, str | None]]:
        rows = (
            self._reader()
            .execute(
                "SELECT state, attempts, last_error FROM callback_outbox WHERE task_id = ? "
                "ORDER BY id",
                (task_id,),
            )
            .fetchall()
        )
        return [(row[0], row[1], row[2]) for row in rows]
