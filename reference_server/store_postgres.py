"""PostgresTaskStore: tasks and the callback outbox in PostgreSQL (psycopg 3), for several server
processes on several machines sharing one database.

Claims are row locks: a lifecycle step selects its due tasks `FOR UPDATE SKIP LOCKED` and moves
them in the same transaction, so a task locked by one process is skipped by the others, and a
process that dies mid-step leaves nothing claimed (its connection ends, the transaction rolls
back). Outbox rows are leased (`claim`, `claim_until`) by one `UPDATE ... WHERE id IN (SELECT
... FOR UPDATE SKIP LOCKED)`, because a delivery outlives any transaction. Every write is
committed before the method returns, with the server's `synchronous_commit` (on by default:
an acknowledged task survives a crash of the database machine too).
Each thread has its own connection (page reads run in worker threads); a broken connection is
replaced on the next call.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterable

import psycopg
from psycopg import errors
from psycopg.rows import TupleRow

from reference_server.store import (
    TASK_COLUMN_COUNT,
    TASK_COLUMN_NAMES,
    CallbackBody,
    DuplicateExternalIdError,
    DuplicateTaskIdError,
    NextStep,
    PendingDelivery,
    TaskRecord,
    record_from_row,
)

URL_PREFIXES = ("postgresql://", "postgres://")
SCHEMA_LOCK_KEY = 7_302_061  # pg_advisory_xact_lock key: one process at a time creates the schema
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS tasks (
        task_id TEXT COLLATE "C" PRIMARY KEY,
        "user" TEXT NOT NULL,
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
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL)""",
    """CREATE INDEX IF NOT EXISTS tasks_by_user_newest
        ON tasks ("user", created_at DESC, task_id DESC)""",
    """CREATE UNIQUE INDEX IF NOT EXISTS tasks_external_id_per_user
        ON tasks ("user", external_task_id) WHERE external_task_id IS NOT NULL""",
    """CREATE INDEX IF NOT EXISTS tasks_in_flight ON tasks (status, updated_at)
        WHERE status IN ('submitted', 'processing')""",
    """CREATE TABLE IF NOT EXISTS callback_outbox (
        id BIGSERIAL PRIMARY KEY,
        task_id TEXT NOT NULL,
        url TEXT NOT NULL,
        body BYTEA NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        last_error TEXT,
        claim TEXT,
        claim_until BIGINT NOT NULL DEFAULT 0)""",
    """CREATE INDEX IF NOT EXISTS outbox_pending ON callback_outbox (task_id, id)
        WHERE state = 'pending'""",
    "CREATE SEQUENCE IF NOT EXISTS id_slots",
)
COLUMNS = ", ".join(f'"{name}"' for name in TASK_COLUMN_NAMES)
_INSERT = f"INSERT INTO tasks ({COLUMNS}) VALUES ({', '.join(['%s'] * TASK_COLUMN_COUNT)})"
_PRIMARY_KEY = "tasks_pkey"
_CLAIM_DELIVERIES = """
UPDATE callback_outbox SET claim = %(claim)s, claim_until = %(until)s
WHERE id IN (
    SELECT c.id FROM callback_outbox AS c
    WHERE c.state = 'pending' AND c.next_attempt_at <= %(now)s AND c.claim_until <= %(now)s
      AND NOT EXISTS (SELECT 1 FROM callback_outbox AS e
                      WHERE e.task_id = c.task_id AND e.state = 'pending' AND e.id < c.id)
    ORDER BY c.id LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED)
RETURNING id, task_id, url, body, attempts
"""


def is_postgres_url(database: str) -> bool:
    return database.startswith(URL_PREFIXES)


def redacted(url: str) -> str:
    """The URL with any password replaced by ***, for logs and the start-up banner."""
    return re.sub(r"^(\w+://[^:/@]*):[^@/]*@", r"\1:***@", url)


class PostgresTaskStore:
    """The TaskStore of one PostgreSQL database; any number of threads, processes, machines."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._lock = threading.Lock()
        self._local = threading.local()
        self._connections: list[psycopg.Connection[TupleRow]] = []
        db = self._conn()
        with db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
            for statement in SCHEMA:
                db.execute(statement)

    def _conn(self) -> psycopg.Connection[TupleRow]:
        """This thread's connection (autocommit; multi-statement work in `transaction()`)."""
        db: psycopg.Connection[TupleRow] | None = getattr(self._local, "db", None)
        if db is None or db.closed:
            db = psycopg.connect(self._url, autocommit=True)
            with self._lock:
                self._connections.append(db)
            self._local.db = db
        return db

    def close(self) -> None:
        with self._lock:
            for db in self._connections:
                db.close()
            self._connections.clear()

    def max_task_id(self) -> str | None:
        row = self._conn().execute("SELECT MAX(task_id) FROM tasks").fetchone()
        return str(row[0]) if row and row[0] is not None else None

    def claim_id_slot(self) -> int:
        row = self._conn().execute("SELECT nextval('id_slots')").fetchone()
        assert row is not None
        return int(row[0]) % 1000

    def insert(self, task: TaskRecord) -> None:
        try:
            self._conn().execute(_INSERT, task.as_row())
        except errors.UniqueViolation as error:
            if error.diag.constraint_name == _PRIMARY_KEY:
                raise DuplicateTaskIdError(task.task_id) from None
            raise DuplicateExternalIdError(task.external_task_id) from None

    def insert_many(self, tasks: Iterable[TaskRecord]) -> None:
        db = self._conn()
        with db.transaction(), db.cursor() as cursor:
            cursor.executemany(_INSERT, [task.as_row() for task in tasks])

    def external_id_taken(self, user: str, external_task_id: str) -> bool:
        row = (
            self._conn()
            .execute(
                'SELECT 1 FROM tasks WHERE "user" = %s AND external_task_id = %s',
                (user, external_task_id),
            )
            .fetchone()
        )
        return row is not None

    def find(self, user: str, task_or_external_id: str) -> TaskRecord | None:
        db = self._conn()
        for column in ("task_id", "external_task_id"):
            row = db.execute(
                f'SELECT {COLUMNS} FROM tasks WHERE "user" = %s AND {column} = %s',
                (user, task_or_external_id),
            ).fetchone()
            if row is not None:
                return record_from_row(row)
        return None

    def get(self, task_id: str) -> TaskRecord | None:
        row = (
            self._conn()
            .execute(f"SELECT {COLUMNS} FROM tasks WHERE task_id = %s", (task_id,))
            .fetchone()
        )
        return record_from_row(row) if row else None

    def page(self, user: str, page_num: int, page_size: int) -> list[TaskRecord]:
        rows = (
            self._conn()
            .execute(
                f'SELECT {COLUMNS} FROM tasks WHERE "user" = %s '
                "ORDER BY created_at DESC, task_id DESC LIMIT %s OFFSET %s",
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
        db = self._conn()
        with db.transaction(), db.cursor() as cursor:
            rows = cursor.execute(
                f"SELECT {COLUMNS} FROM tasks WHERE status = %s AND updated_at <= %s "
                "ORDER BY updated_at LIMIT %s FOR UPDATE SKIP LOCKED",
                (status, updated_before, limit),
            ).fetchall()
            steps = [s for row in rows if (s := next_step(record_from_row(row))) is not None]
            if not steps:
                return []
            cursor.executemany(
                "UPDATE tasks SET status = %s, status_msg = %s, final_unit_deduction = %s, "
                "updated_at = %s WHERE task_id = %s AND status = %s",
                [(step.status, step.status_msg, step.final_unit_deduction, step.updated_at,
                  step.task_id, status) for step in steps],
            )  # fmt: skip
            outbox = [(step.task_id, step.callback_url, callback_body(step), step.updated_at)
                      for step in steps if step.callback_url]  # fmt: skip
            if outbox:
                cursor.executemany(
                    "INSERT INTO callback_outbox (task_id, url, body, next_attempt_at) "
                    "VALUES (%s, %s, %s, %s)",
                    outbox,
                )
        return steps

    def claim_deliveries(self, now_ms: int, limit: int, lease_ms: int) -> list[PendingDelivery]:
        claim = uuid.uuid4().hex
        rows = (
            self._conn()
            .execute(
                _CLAIM_DELIVERIES,
                {"claim": claim, "until": now_ms + lease_ms, "now": now_ms, "limit": limit},
            )
            .fetchall()
        )
        deliveries = [PendingDelivery(r[0], r[1], r[2], bytes(r[3]), r[4], claim) for r in rows]
        return sorted(deliveries, key=lambda delivery: delivery.id)  # RETURNING has no order

    def finish_delivery(
        self, delivery_id: int, state: str, attempts: int, error: str | None, claim: str
    ) -> bool:
        cursor = self._conn().execute(
            "UPDATE callback_outbox SET state = %s, attempts = %s, last_error = %s, "
            "claim = NULL, claim_until = 0 WHERE id = %s AND claim = %s",
            (state, attempts, error, delivery_id, claim),
        )
        return cursor.rowcount == 1

    def retry_delivery(
        self, delivery_id: int, attempts: int, next_at_ms: int, error: str, claim: str
    ) -> bool:
        cursor = self._conn().execute(
            "UPDATE callback_outbox SET attempts = %s, next_attempt_at = %s, last_error = %s, "
            "claim = NULL, claim_until = 0 WHERE id = %s AND claim = %s",
            (attempts, next_at_ms, error, delivery_id, claim),
        )
        return cursor.rowcount == 1

    def deliveries(self, task_id: str) -> list[tuple[str, int, str | None]]:
        rows = (
            self._conn()
            .execute(
                "SELECT state, attempts, last_error FROM callback_outbox WHERE task_id = %s "
                "ORDER BY id",
                (task_id,),
            )
            .fetchall()
        )
        return [(r[0], r[1], r[2]) for r in rows]
