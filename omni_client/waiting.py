"""Poll a task until it reaches a terminal status, with bounded back-off.

The terminal statuses are the spec's lifecycle (rule `task-status-forward-only`, via omni_spec).
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


class TaskPoller:
    """One wait's decisions without I/O: what a task or an error means, how long to sleep.

    `wait_for_task` and `wait_for_task_async` only fetch and sleep around it. Terminal
    statuses come from the spec's lifecycle (rule `task-status-forward-only`).
    """

    def __init__(
        self,
        task_id: str,
        schedule: PollSchedule,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_progress: ProgressCallback | None = None,
    ) -> None:
        self.task_id = task_id
        self.schedule = schedule
        self.on_progress = on_progress
        self.last_status: str | None = None
        self._clock = clock
        self._terminal = load_contract().lifecycle.terminal
        self.deadline = clock() + schedule.timeout

    def observe(self, task: Task) -> Task | None:
        """The task when it ended `succeed`, None while it runs; raises when it ended `failed`."""
        self.last_status = task.task_status.value
        if self.on_progress is not None:
            self.on_progress(task)
        if self.last_status not in self._terminal:
            return None
        if task.task_status is TaskStatus.FAILED:
            raise TaskFailedError(task)
        return task

    def may_retry(self, error: Exception) -> bool:
        """Whether a failed poll is worth another: transient trouble, with time left."""
        transient = isinstance(error, httpx.TransportError) or (
            isinstance(error, OmniApiError) and error.retryable
        )
        return transient and self._clock() < self.deadline

    def next_delay(self) -> float:
        """The sleep before the next poll, never past the deadline; TaskTimeoutError once due."""
        remaining = self.deadline - self._clock()
        if remaining <= 0:
            raise TaskTimeoutError(self.task_id, self.last_status, self.schedule.timeout)
        return self.schedule.next_delay(remaining)


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
    poller = TaskPoller(task_id, schedule, clock=clock, on_progress=on_progress)
    while True:
        try:
            task = get_task(client, task_id)
        except (httpx.TransportError, OmniApiError) as error:
            if not poller.may_retry(error):
                raise
        else:
            done = poller.observe(task)
            if done is not None:
                return done
        sleep(poller.next_delay())


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
    poller = TaskPoller(task_id, schedule, clock=clock, on_progress=on_progress)
    while True:
        try:
            task = await get_task_async(client, task_id)
        except (httpx.TransportError, OmniApiError) as error:
            if not poller.may_retry(error):
                raise
        else:
            done = poller.observe(task)
            if done is not None:
                return done
        await sleep(poller.next_delay())
