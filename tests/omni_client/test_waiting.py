"""Tests of omni_client.waiting with canned task sequences, a fake clock and a fake sleep."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from omni_image_client.models import Task, TaskStatus

from omni_client.errors import AuthenticationError, TaskFailedError, TaskTimeoutError, api_error
from omni_client.factory import connect, connect_async
from omni_client.waiting import PollSchedule, TaskPoller, wait_for_task, wait_for_task_async
from omni_spec import load_contract
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


def _poller(fake: FakeTime, timeout: float = 10) -> TaskPoller:
    return TaskPoller("t", PollSchedule(timeout, poll=1, max_poll=4, backoff=2), clock=fake.clock)


@pytest.mark.parametrize("status", load_contract().lifecycle.order)
def test_poller_stops_exactly_at_the_spec_terminal_statuses(status: str) -> None:
    """observe() keeps waiting on non-terminal statuses, returns on succeed, raises on failed."""
    poller = _poller(FakeTime())
    task = Task.from_dict(task_dict(status=status, message="why"))
    if status not in load_contract().lifecycle.terminal:
        assert poller.observe(task) is None
    elif status == TaskStatus.FAILED.value:
        with pytest.raises(TaskFailedError):
            poller.observe(task)
    else:
        assert poller.observe(task) is task
    assert poller.last_status == status


def test_poller_retries_transient_errors_only_before_the_deadline() -> None:
    """A 5xx or transport error may be retried while time is left; a 401 never; none once due."""
    fake = FakeTime()
    poller = _poller(fake, timeout=10)
    transient = api_error(503, 5001, "m", None)
    assert poller.may_retry(transient)
    assert poller.may_retry(httpx.ConnectError("refused"))
    assert not poller.may_retry(api_error(401, 1004, "m", None))
    fake.now += 10
    assert not poller.may_retry(transient)


def test_poller_delays_back_off_and_end_with_a_timeout() -> None:
    """next_delay() grows by backoff up to max_poll, stops at the deadline, then times out."""
    fake = FakeTime()
    poller = _poller(fake, timeout=10)
    poller.observe(Task.from_dict(task_dict(status="processing")))
    delays = []
    with pytest.raises(TaskTimeoutError) as caught:
        while True:
            delays.append(poller.next_delay())
            fake.sleep(delays[-1])
    assert delays == [1, 2, 4, 3]
    assert caught.value.last_status == "processing"


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
