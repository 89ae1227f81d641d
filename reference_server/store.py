"""The task store interface: what the server keeps (tasks, callback outbox) and its guarantees.

Two implementations: `store_sqlite.SqliteTaskStore` (one machine, one or several processes) and
`store_postgres.PostgresTaskStore` (several processes on several machines); `store_open` picks
one from `--database`. Every implementation promises, also with several server processes on one
database (docs/reliability.md):
- every write commits before the method returns, so an acknowledged task is durable;
- `advance_due` claims due tasks so that no two processes can take the same one (row locks on
  PostgreSQL, one immediate transaction with conditional updates on SQLite) and enqueues each
  step's callback in the same transaction as the step;
- `claim_deliveries` leases outbox rows: a leased row is never handed out again before its lease
  expires (a crashed holder's work is then taken over), only a task's oldest pending row is ever
  handed out (lifecycle order), and a holder whose lease was taken over can no longer record an
  outcome for it (`finish_delivery` / `retry_delivery` check the claim);
- paging is (created_at DESC, task_id DESC); `external_task_id` is unique per user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

TASK_COLUMN_NAMES = (
    "task_id", "user", "external_task_id", "status", "status_msg", "result_type", "result_count",
    "width", "height", "pixels", "watermark", "callback_url", "fail_msg", "final_unit_deduction",
    "created_at", "updated_at",
)  # fmt: skip
TASK_COLUMNS = ", ".join(TASK_COLUMN_NAMES)
TASK_COLUMN_COUNT = len(TASK_COLUMN_NAMES)


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

    def as_row(self) -> tuple[object, ...]:
        return (
            self.task_id, self.user, self.external_task_id, self.status, self.status_msg,
            self.result_type, self.result_count, self.width, self.height, self.pixels,
            int(self.watermark), self.callback_url, self.fail_msg, self.final_unit_deduction,
            self.created_at, self.updated_at,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    """One outbox row handed to a sender; `claim` is the lease it holds on the row."""

    id: int
    task_id: str
    url: str
    body: bytes
    attempts: int
    claim: str = ""


class DuplicateExternalIdError(Exception):
    """The user already has a task with this external_task_id (rule `external-task-id-unique`)."""


class DuplicateTaskIdError(Exception):
    """Another process already stored a task under this task_id (the caller picks a new one)."""


def record_from_row(row: Iterable[object]) -> TaskRecord:
    """A TaskRecord from a row of TASK_COLUMNS."""
    values = list(row)
    values[10] = bool(values[10])
    return TaskRecord(*values)  # type: ignore[arg-type]


# What the lifecycle worker computes for a claimed task: its next state (None: leave it).
NextStep = Callable[[TaskRecord], TaskRecord | None]
CallbackBody = Callable[[TaskRecord], bytes]


class TaskStore(Protocol):
    """Tasks and the callback outbox, safe to share between threads and between processes."""

    def close(self) -> None: ...

    def max_task_id(self) -> str | None:
        """The largest stored task_id (new ids start above it)."""

    def claim_id_slot(self) -> int:
        """A number no other live process got recently (0..999): part of this process's ids."""

    def insert(self, task: TaskRecord) -> None:
        """Store a new task; DuplicateExternalIdError / DuplicateTaskIdError on a clash."""

    def insert_many(self, tasks: Iterable[TaskRecord]) -> None:
        """Bulk insert in one transaction (benchmark and test set-up); all or nothing."""

    def external_id_taken(self, user: str, external_task_id: str) -> bool: ...

    def find(self, user: str, task_or_external_id: str) -> TaskRecord | None:
        """The user's task by task_id, else by external_task_id (a task_id match wins)."""

    def get(self, task_id: str) -> TaskRecord | None: ...

    def page(self, user: str, page_num: int, page_size: int) -> list[TaskRecord]:
        """One page of the user's tasks, newest first; safe to call from worker threads."""

    def advance_due(
        self,
        status: str,
        updated_before: int,
        limit: int,
        next_step: NextStep,
        callback_body: CallbackBody,
    ) -> list[TaskRecord]:
        """Claim up to `limit` tasks in `status` last updated before the given time, store
        `next_step(task)` for each (only if still in `status`) and enqueue its callback when it
        has a callback_url, all in one transaction; returns the stored new states."""

    def claim_deliveries(self, now_ms: int, limit: int, lease_ms: int) -> list[PendingDelivery]:
        """Lease up to `limit` due outbox rows, each the oldest pending row of its task and not
        leased by anyone else, until now_ms + lease_ms."""

    def finish_delivery(
        self, delivery_id: int, state: str, attempts: int, error: str | None, claim: str
    ) -> bool:
        """Record a leased delivery as `delivered` or `gave_up`; False if the lease was lost."""

    def retry_delivery(
        self, delivery_id: int, attempts: int, next_at_ms: int, error: str, claim: str
    ) -> bool:
        """Release a leased delivery for another attempt at next_at_ms; False if lease lost."""

    def deliveries(self, task_id: str) -> list[tuple[str, int, str | None]]:
        """(state, attempts, last_error) of a task's deliveries, oldest first."""
