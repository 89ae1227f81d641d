"""The task lifecycle (rule `task-status-forward-only`): submitted -> processing -> succeed|failed.

A task moves one step once it has sat `step_delay` seconds in its status. The worker finds due
tasks in the database, not in memory, so tasks left in flight by a crash or a stop finish after
the next start, and several server processes can run a worker each: `TaskStore.advance_due`
claims a batch so that no task is stepped twice, and enqueues each step's callback in the same
transaction (rules `callback-terminal-delivered`, `callback-lifecycle-order`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import anyio

from reference_server.store import TaskRecord, TaskStore
from reference_server.task_view import FAILED, PROCESSING, SUBMITTED, SUCCEED, task_json_bytes

log = logging.getLogger(__name__)
BATCH = 200


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class LifecycleWorker:
    def __init__(self, store: TaskStore, step_delay: float, public_url: str) -> None:
        self.store = store
        self.step_delay = step_delay
        self.public_url = public_url
        self.poll_interval = min(0.05, max(step_delay / 4, 0.005))

    async def run(self) -> None:
        while True:
            try:
                moved = self.step_once()
            except Exception:  # a database hiccup must not stop the lifecycle for good
                log.exception("lifecycle step failed")
                moved = 0
            if not moved:
                await anyio.sleep(self.poll_interval)
            else:
                await anyio.sleep(0)

    def step_once(self) -> int:
        """Advance every due task one step; returns how many moved."""
        due_before = now_ms() - int(self.step_delay * 1000)
        moved = 0
        for status in (PROCESSING, SUBMITTED):
            moved += len(
                self.store.advance_due(status, due_before, BATCH, self.next_step, self.body)
            )
        return moved

    def body(self, task: TaskRecord) -> bytes:
        """The callback body of a task's new state: the task object, as a GET shows it."""
        return task_json_bytes(task, self.public_url)

    def next_step(self, task: TaskRecord) -> TaskRecord | None:
        """The task one lifecycle step on (None when it has no next step)."""
        if task.status == SUBMITTED:
            return self._moved(task, PROCESSING, "", "0")
        if task.status != PROCESSING:
            return None
        # Failure marker in the prompt (recorded at creation) -> failed with a clear message.
        if task.fail_msg:
            return self._moved(task, FAILED, task.fail_msg, "0")
        return self._moved(task, SUCCEED, "", str(task.result_count))

    @staticmethod
    def _moved(task: TaskRecord, status: str, message: str, deduction: str) -> TaskRecord:
        return replace(
            task,
            status=status,
            status_msg=message,
            final_unit_deduction=deduction,
            updated_at=max(now_ms(), task.updated_at),
        )
