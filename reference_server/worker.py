"""The task lifecycle (rule `task-status-forward-only`): submitted -> processing -> succeed|failed.

A task moves one step once it has sat its time in its status: stored with the task at creation
(`submitted_ms`, `processing_ms`: the step delay, a Prefer `task-duration` or a --task-duration
draw), so a restart keeps every task's timing. The worker finds due
tasks in the database, not in memory, so tasks left in flight by a crash or a stop finish after
the next start. Each step is a compare-and-set that also enqueues the callback in the same
transaction (rules `callback-terminal-delivered`, `callback-lifecycle-order`).
"""

from __future__ import annotations

import logging
import time

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
        moved = 0
        now = now_ms()
        for task in self.store.due(PROCESSING, now, BATCH):
            moved += self._finish(task)
        for task in self.store.due(SUBMITTED, now, BATCH):
            moved += self._advance(task, PROCESSING, "", "0")
        return moved

    def _finish(self, task: TaskRecord) -> int:
        # Failure marker in the prompt or Prefer task-outcome (recorded at creation) -> failed.
        if task.fail_msg:
            return self._advance(task, FAILED, task.fail_msg, "0")
        return self._advance(task, SUCCEED, "", str(task.result_count))

    def _advance(self, task: TaskRecord, status: str, message: str, deduction: str) -> int:
        updated = self.store.advance(
            task,
            new_status=status,
            status_msg=message,
            final_unit_deduction=deduction,
            now_ms=now_ms(),
            callback_body=lambda record: task_json_bytes(record, self.public_url),
        )
        return 0 if updated is None else 1
