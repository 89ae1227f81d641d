"""TaskStore: tasks and the callback outbox in one SQLite database (WAL).

Every write commits before the caller answers, so an acknowledged task survives a crash of the
process (WAL with synchronous=NORMAL: durable against process death; power loss may lose the last
commits). Paging uses the (user, created_at DESC, task_id DESC) index; `external_task_id` is
unique per user by index, so a race between two creates cannot give two tasks the same one.
Each task stores how long it stays in each timed status (`submitted_ms`, `processing_ms`: the
step delay, a Prefer `task-duration` or a --task-duration draw), so a restart keeps its timing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

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
    updated_at INTEGER NOT NULL,
    submitted_ms INTEGER NOT NULL DEFAULT 0,
    processing_ms INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tasks_by_user_newest ON tasks (user, created_at DESC, task_id DESC);
CREATE UNIQUE INDEX IF NOT EXISTS tasks_external_id_per_user ON tasks (user, external_task_id)
    WHERE external_task_id IS NOT NULL;
DROP INDEX IF EXISTS tasks_in_flight;
CREATE INDEX IF NOT EXISTS tasks_submitted_due ON tasks (updated_at + submitted_ms)
    WHERE status = 'submitted';
CREATE INDEX IF NOT EXISTS tasks_processing_due ON tasks (updated_at + processing_ms)
    WHERE status = 'processing';
CREATE INDEX IF NOT EXISTS tasks_in_flight_by_user ON tasks (user)
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
"""

TASK_COLUMNS = (
    "task_id, user, external_task_id, status, status_msg, result_type, result_count, width, "
    "height, pixels, watermark, callback_url, fail_msg, final_unit_deduction, created_at, "
    "updated_at, submitted_ms, processing_ms"
)
COLUMN_COUNT = TASK_COLUMNS.count(",") + 1
# Columns added after the first release: (name, definition) for databases created before them.
ADDED_COLUMNS = (
    ("submitted_ms", "INTEGER NOT NULL DEFAULT 0"),
    ("processing_ms", "INTEGER NOT NULL DEFAULT 0"),
)
# Milliseconds a task stays in each timed status: the column, per status (worker pick-up). The
# statuses are SQL literals so that SQLite uses the partial indexes above.
DUE_COLUMN = {"submitted": "submitted_ms", "processing": "processing_ms"}


@dataclass(frozen=True, slots=True)
class TaskRecord:
    """One stored task: what was asked (geometry, count, watermark) and where it stands."""

    task_id: str
    user: str
    external_task_id: str | None
    status: str
    status_msg: str
    result_type: str
    result_count: int
    width: int
    height: int
    pixels: int
    watermark: bool
    callback_url: str | None
    fail_msg: str | None
    final_unit_deduction: str
    created_at: int
    updated_at: int
    submitted_ms: int = 0  # time in `submitted` before `processing` (0: at the next pick-up)
    processing_ms: int = 0  # time in `processing` before the terminal status

    def as_row(self) -> tuple[object, ...]:
        return (
            self.task_id, self.user, self.external_task_id, self.status, self.status_msg,
            self.result_type, self.result_count, self.width, self.height, self.pixels,
            int(self.watermark), self.callback_url, self.fail_msg, self.final_unit_deduction,
            self.created_at, self.updated_at, self.submitted_ms, self.processing_ms,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    """One outbox row waiting to be POSTed."""

    id: int
    task_id: str
    url: str
    body: bytes
    attempts: int


class DuplicateExternalIdError(Exception):
    """The user already has a task with this external_task_id (rule `external-task-id-unique`)."""


def _record(row: tuple[object, ...]) -> TaskRecord:
    values = list(row)
    values[10] = bool(values[10])
    return TaskRecord(*values)  # type: ignore[arg-type]


class TaskStore:
    """Thread-safe access to the tasks table and the callback outbox."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._add_missing_columns()
        self._db.executescript(SCHEMA)
        self._path = path
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []

    def _add_missing_columns(self) -> None:
        """Bring a database made before ADDED_COLUMNS up to date (its tasks keep 0 ms steps)."""
        present = {row[1] for row in self._db.execute("PRAGMA table_info(tasks)")}
        if not present:
            return  # a new database: SCHEMA creates the whole table
        for name, definition in ADDED_COLUMNS:
            if name not in present:
                self._db.execute(f"ALTER TABLE tasks ADD COLUMN {name} {definition}")

    def close(self) -> None:
        with self._lock:
            self._db.close()
            for reader in self._readers:
                reader.close()

    def _reader(self) -> sqlite3.Connection:
        """This thread's own read-only connection: under WAL, readers block neither the writer
        nor each other, so a slow page read in a worker thread holds up nothing else."""
        reader: sqlite3.Connection | None = getattr(self._local, "reader", None)
        if reader is None:
            reader = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            reader.execute("PRAGMA busy_timeout=5000")
            reader.execute("PRAGMA query_only=ON")
            with self._lock:
                self._readers.append(reader)
            self._local.reader = reader
        return reader

    def max_task_id(self) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT MAX(task_id) FROM tasks").fetchone()
        return row[0] if row else None

    def insert(self, task: TaskRecord) -> None:
        """Store a new task; DuplicateExternalIdError when the user already used its external id."""
        placeholders = ",".join("?" * COLUMN_COUNT)
        with self._lock:
            try:
                self._db.execute(
                    f"INSERT INTO tasks ({TASK_COLUMNS}) VALUES ({placeholders})", task.as_row()
                )
            except sqlite3.IntegrityError:
                raise DuplicateExternalIdError(task.external_task_id) from None

    def insert_many(self, tasks: Iterable[TaskRecord]) -> None:
        """Bulk insert in one transaction (benchmark and test set-up)."""
        placeholders = ",".join("?" * COLUMN_COUNT)
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(
                    f"INSERT INTO tasks ({TASK_COLUMNS}) VALUES ({placeholders})",
                    (task.as_row() for task in tasks),
                )
            except BaseException:
                self._db.execute("ROLLBACK")  # else the open transaction poisons every later write
                raise
            self._db.execute("COMMIT")

    def external_id_taken(self, user: str, external_task_id: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM tasks WHERE user = ? AND external_task_id = ?",
                (user, external_task_id),
            ).fetchone()
        return row is not None

    def find(self, user: str, task_or_external_id: str) -> TaskRecord | None:
        """The user's task by task_id, else by external_task_id (a task_id match wins)."""
        with self._lock:
            for column in ("task_id", "external_task_id"):
                row = self._db.execute(
                    f"SELECT {TASK_COLUMNS} FROM tasks WHERE user = ? AND {column} = ?",
                    (user, task_or_external_id),
                ).fetchone()
                if row is not None:
                    return _record(row)
        return None

    def get(self, task_id: str) -> TaskRecord | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {TASK_COLUMNS} FROM tasks WHERE task_id = ?", (task_id,)
            ).fetchone()
        return _record(row) if row else None

    def page(self, user: str, page_num: int, page_size: int) -> list[TaskRecord]:
        """One page of the user's tasks, newest first (rule `list-newest-first`).

        Reads on this thread's own connection (see `_reader`): safe to call from worker threads.
        Every write commits before its caller answers, so a page sees every acknowledged task.
        """
        rows = (
            self._reader()
            .execute(
                f"SELECT {TASK_COLUMNS} FROM tasks WHERE user = ? "
                "ORDER BY created_at DESC, task_id DESC LIMIT ? OFFSET ?",
                (user, page_size, (page_num - 1) * page_size),
            )
            .fetchall()
        )
        return [_record(row) for row in rows]

    def due(self, status: str, now_ms: int, limit: int) -> list[TaskRecord]:
        """Tasks whose time in `status` (a timed one: DUE_COLUMN) is over at now_ms, oldest due
        first (worker pick-up)."""
        column = DUE_COLUMN[status]
        with self._lock:
            rows = self._db.execute(
                f"SELECT {TASK_COLUMNS} FROM tasks WHERE status = '{status}' "
                f"AND updated_at + {column} <= ? ORDER BY updated_at + {column} LIMIT ?",
                (now_ms, limit),
            ).fetchall()
        return [_record(row) for row in rows]

    def images_in_flight(self, user: str) -> int:
        """Images of the user's tasks not yet terminal: `n` per single task, the produced count
        per series task (contract "Errors", concurrency)."""
        with self._lock:
            row = self._db.execute(
                "SELECT COALESCE(SUM(result_count), 0) FROM tasks WHERE user = ? "
                "AND status IN ('submitted', 'processing')",
                (user,),
            ).fetchone()
        return int(row[0])

    def advance(
        self,
        task: TaskRecord,
        *,
        new_status: str,
        status_msg: str,
        final_unit_deduction: str,
        now_ms: int,
        callback_body: Callable[[TaskRecord], bytes],
    ) -> TaskRecord | None:
        """Move a task forward (compare-and-set on status), enqueueing its callback atomically."""
        updated = replace(
            task,
            status=new_status,
            status_msg=status_msg,
            final_unit_deduction=final_unit_deduction,
            updated_at=max(now_ms, task.updated_at),
        )
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cursor = self._db.execute(
                    "UPDATE tasks SET status = ?, status_msg = ?, final_unit_deduction = ?, "
                    "updated_at = ? WHERE task_id = ? AND status = ?",
                    (new_status, status_msg, final_unit_deduction, updated.updated_at,
                     task.task_id, task.status),
                )  # fmt: skip
                if cursor.rowcount != 1:
                    self._db.execute("ROLLBACK")
                    return None
                if task.callback_url:
                    self._db.execute(
                        "INSERT INTO callback_outbox (task_id, url, body, next_attempt_at) "
                        "VALUES (?, ?, ?, ?)",
                        (task.task_id, task.callback_url, callback_body(updated), now_ms),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return updated

    def due_deliveries(
        self, now_ms: int, limit: int, in_flight: Iterable[int] = ()
    ) -> list[PendingDelivery]:
        """The oldest pending delivery of each task, if due (rule `callback-lifecycle-order`).

        Deliveries already `in_flight` are left out, so slow receivers holding many of them can
        never fill `limit` and starve the deliveries queued behind them.
        """
        busy = list(in_flight)
        with self._lock:
            rows = self._db.execute(
                "SELECT id, task_id, url, body, attempts FROM callback_outbox AS c "
                "WHERE state = 'pending' AND next_attempt_at <= ? AND id = ("
                "  SELECT MIN(id) FROM callback_outbox WHERE task_id = c.task_id "
                f"  AND state = 'pending') AND id NOT IN ({','.join('?' * len(busy))}) "
                "ORDER BY id LIMIT ?",
                (now_ms, *busy, limit),
            ).fetchall()
        return [PendingDelivery(row[0], row[1], row[2], bytes(row[3]), row[4]) for row in rows]

    def finish_delivery(
        self, delivery_id: int, state: str, attempts: int, error: str | None
    ) -> None:
        """Record a delivery as `delivered` or `gave_up`."""
        with self._lock:
            self._db.execute(
                "UPDATE callback_outbox SET state = ?, attempts = ?, last_error = ? WHERE id = ?",
                (state, attempts, error, delivery_id),
            )

    def retry_delivery(self, delivery_id: int, attempts: int, next_at_ms: int, error: str) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE callback_outbox SET attempts = ?, next_attempt_at = ?, last_error = ? "
                "WHERE id = ?",
                (attempts, next_at_ms, error, delivery_id),
            )

    def deliveries(self, task_id: str) -> list[tuple[str, int, str | None]]:
        """(state, attempts, last_error) of a task's deliveries, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT state, attempts, last_error FROM callback_outbox WHERE task_id = ? "
                "ORDER BY id",
                (task_id,),
            ).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]
