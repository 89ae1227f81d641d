"""Tests of omni_client.waiting with canned task sequences, a fake clock and a fake sleep."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from omni_image_client.models import TaskStatus

from omni_client.errors import AuthenticationError, TaskFailedError, TaskTimeoutError
from omni_client.factory import connect, connect_async
from omni_client.waiting import PollSchedule, terminal_statuses, wait_for_task, wait_for_task_async
from tests.omni_client.canned import envelope, error_body, task_dict


class FakeTime:
    """A monotonic clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def sleep_async(self, seconds: float) -> None:
        self.sleep(seconds)


def _sequence(*responses: httpx.Response) -> Callable[[httpx.Request], httpx.Response]:
    """A handler answering the given responses in order, repeating the last one."""
    remaining = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return handler


def _task(status: str, **kwargs: Any) -> httpx.Response:
    return httpx.Response(200, json=envelope(task_dict(status=status, **kwargs)))


def test_terminal_statuses_come_from_the_spec() -> None:
    """succeed and failed are terminal, read from task-status-forward-only."""
    assert terminal_statuses() == {TaskStatus.SUCCEED, TaskStatus.FAILED}


def test_wait_returns_succeeded_task_and_reports_each_status() -> None:
    """Polling stops at succeed, returns the task, and on_progress sees every observed status."""
    fake = FakeTime()
    handler = _sequence(
        _task("submitted"), _task("processing"), _task("processing"), _task("succeed", results=2)
    )
    client = connect(transport=httpx.MockTransport(handler))
    seen: list[str] = []
    task = wait_for_task(
        client,
        "t",
        poll=1,
        max_poll=2,
        backoff=2,
        on_progress=lambda t: seen.append(t.task_status.value),
        clock=fake.clock,
        sleep=fake.sleep,
    )
    assert task.task_status is TaskStatus.SUCCEED
    assert len(task.task_result.images) == 2
    assert seen == ["submitted", "processing", "processing", "succeed"]
    assert fake.sleeps == [1, 2, 2]  # back-off doubles, capped at max_poll


def test_failed_task_raises_with_status_message() -> None:
    """A failed task raises TaskFailedError carrying task_status_msg."""
    fake = FakeTime()
    handler = _sequence(_task("processing"), _task("failed", message="content policy"))
    client = connect(transport=httpx.MockTransport(handler))
    with pytest.raises(TaskFailedError) as caught:
        wait_for_task(client, "t", clock=fake.clock, sleep=fake.sleep)
    assert caught.value.task_status_msg == "content policy"
    assert "content policy" in str(caught.value)


def test_timeout_raises_with_last_status_and_never_oversleeps() -> None:
    """A task that never ends raises TaskTimeoutError; sleeps stop exactly at the deadline."""
    fake = FakeTime()
    client = connect(transport=httpx.MockTransport(_sequence(_task("processing"))))
    with pytest.raises(TaskTimeoutError) as caught:
        wait_for_task(
            client, "t", timeout=10, poll=3, max_poll=4, clock=fake.clock, sleep=fake.sleep
        )
    assert caught.value.last_status == "processing"
    assert sum(fake.sleeps) == pytest.approx(10)
    assert max(fake.sleeps) <= 4


def test_transient_errors_are_retried_until_success() -> None:
    """A 503 and a connection error while polling are retried, not raised."""
    fake = FakeTime()
    responses = [httpx.Response(503, json=error_body(5001)), None, _task("succeed", results=1)]

    def handler(request: httpx.Request) -> httpx.Response:
        response = responses.pop(0)
        if response is None:
            raise httpx.ConnectError("refused", request=request)
        return response

    client = connect(transport=httpx.MockTransport(handler))
    task = wait_for_task(client, "t", clock=fake.clock, sleep=fake.sleep)
    assert task.task_status is TaskStatus.SUCCEED


def test_permanent_errors_are_raised_at_once() -> None:
    """An authentication error while polling is raised without retrying."""
    fake = FakeTime()
    client = connect(
        transport=httpx.MockTransport(_sequence(httpx.Response(401, json=error_body(1004))))
    )
    with pytest.raises(AuthenticationError):
        wait_for_task(client, "t", clock=fake.clock, sleep=fake.sleep)
    assert fake.sleeps == []


@pytest.mark.parametrize(
    "kwargs", [{"poll": 0}, {"poll": 2, "max_poll": 1}, {"backoff": 0.5}, {"timeout": -1}]
)
def test_bad_schedules_are_refused(kwargs: dict[str, Any]) -> None:
    """Non-positive poll, max_poll below poll, shrinking back-off and negative timeout are refused."""
    arguments = {"timeout": 10, **kwargs}
    with pytest.raises(ValueError):
        PollSchedule(**arguments)


def test_async_wait_success_failure_and_timeout() -> None:
    """The async variant returns on succeed and raises on failed and on timeout."""

    async def run() -> None:
        for handler, expected in [
            (_sequence(_task("processing"), _task("succeed", results=3)), None),
            (_sequence(_task("failed", message="bad")), TaskFailedError),
            (_sequence(_task("submitted")), TaskTimeoutError),
        ]:
            fake = FakeTime()
            async with connect_async(transport=httpx.MockTransport(handler)) as client:
                waiting = wait_for_task_async(
                    client, "t", timeout=5, clock=fake.clock, sleep=fake.sleep_async
                )
                if expected is None:
                    assert (await waiting).task_status is TaskStatus.SUCCEED
                else:
                    with pytest.raises(expected):
                        await waiting

    asyncio.run(run())
