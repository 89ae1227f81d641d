"""Poll a task until it reaches a terminal status, with bounded back-off.

The terminal statuses are read from the spec (rule `task-status-forward-only`, param `terminal`).
`succeed` returns the task; `failed` raises `TaskFailedError` carrying `task_status_msg` (rule
`failed-has-message`); running out of time raises `TaskTimeoutError`. Transient trouble while
polling (a transport error, a 5xx, a rate or concurrency limit) is retried until the deadline:
the task keeps running on the server whether or not one poll got through.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from omni_image_client import Client
from omni_image_client.models import Task, TaskStatus

from omni_client.calls import get_task, get_task_async
from omni_client.errors import OmniApiError, TaskFailedError, TaskTimeoutError
from omni_spec import load_contract

ProgressCallback = Callable[[Task], None]

DEFAULT_TIMEOUT_SECONDS = 300.0
DEFAULT_POLL_SECONDS = 0.5
DEFAULT_MAX_POLL_SECONDS = 5.0
DEFAULT_BACKOFF_FACTOR = 1.5


def terminal_statuses() -> frozenset[TaskStatus]:
    """`succeed` and `failed`, as the spec's `task-status-forward-only` rule lists them."""
    params = load_contract().rule("task-status-forward-only").params
    return frozenset(TaskStatus(status) for status in params["terminal"])


@dataclass
class PollSchedule:
    """Delays between polls: `poll`, then times `backoff`, capped at `max_poll` and the deadline."""

    timeout: float
    poll: float = DEFAULT_POLL_SECONDS
    max_poll: float = DEFAULT_MAX_POLL_SECONDS
    backoff: float = DEFAULT_BACKOFF_FACTOR

    def __post_init__(self) -> None:
        if self.timeout < 0 or self.poll <= 0 or self.max_poll < self.poll or self.backoff < 1:
            raise ValueError("need timeout >= 0, 0 < poll <= max_poll and backoff >= 1")
        self._next = self.poll

    def next_delay(self, remaining: float) -> float:
        """The next sleep, never past the deadline."""
        delay = min(self._next, remaining)
        self._next = min(self._next * self.backoff, self.max_poll)
        return delay


def _is_transient(error: Exception) -> bool:
    if isinstance(error, httpx.TransportError):
        return True
    return isinstance(error, OmniApiError) and error.retryable


def _settle(task: Task) -> Task | None:
    """The task when it is done, None while it runs; raises when it failed."""
    if task.task_status not in terminal_statuses():
        return None
    if task.task_status is TaskStatus.FAILED:
        raise TaskFailedError(task)
    return task


def wait_for_task(
    client: Client,
    task_id: str,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    poll: float = DEFAULT_POLL_SECONDS,
    max_poll: float = DEFAULT_MAX_POLL_SECONDS,
    backoff: float = DEFAULT_BACKOFF_FACTOR,
    on_progress: ProgressCallback | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Task:
    """Poll `get_task` until the task is terminal; `on_progress` sees every observed task."""
    schedule = PollSchedule(timeout, poll, max_poll, backoff)
    deadline = clock() + timeout
    last_status: str | None = None
    while True:
        try:
            task = get_task(client, task_id)
        except (httpx.TransportError, OmniApiError) as error:
            if not _is_transient(error) or clock() >= deadline:
                raise
        else:
            last_status = task.task_status.value
            if on_progress is not None:
                on_progress(task)
            done = _settle(task)
            if done is not None:
                return done
        remaining = deadline - clock()
        if remaining <= 0:
            raise TaskTimeoutError(task_id, last_status, timeout)
        sleep(schedule.next_delay(remaining))


async def wait_for_task_async(
    client: Client,
    task_id: str,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    poll: float = DEFAULT_POLL_SECONDS,
    max_poll: float = DEFAULT_MAX_POLL_SECONDS,
    backoff: float = DEFAULT_BACKOFF_FACTOR,
    on_progress: ProgressCallback | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Task:
    """Async `wait_for_task` (sleeps with `asyncio.sleep` unless told otherwise)."""
    schedule = PollSchedule(timeout, poll, max_poll, backoff)
    deadline = clock() + timeout
    last_status: str | None = None
    while True:
        try:
            task = await get_task_async(client, task_id)
        except (httpx.TransportError, OmniApiError) as error:
            if not _is_transient(error) or clock() >= deadline:
                raise
        else:
            last_status = task.task_status.value
            if on_progress is not None:
                on_progress(task)
            done = _settle(task)
            if done is not None:
                return done
        remaining = deadline - clock()
        if remaining <= 0:
            raise TaskTimeoutError(task_id, last_status, timeout)
        await sleep(schedule.next_delay(remaining))
