"""Client retries: decisions from the spec's retryable flags, back-off, Retry-After, creates that
may have been accepted, the external_task_id look-up, sync and async, against the double."""

from __future__ import annotations

import asyncio
import random
import socket
import uuid
from collections.abc import Iterator

import httpx
import pytest
from omni_image_client.models import CreateTaskRequest

from omni_client import (
    InvalidRequestError,
    RateLimitError,
    RetryEvent,
    RetryPolicy,
    ServerError,
    connect,
    connect_async,
    create_task,
    create_task_async,
    get_task_async,
    list_tasks,
)
from omni_client.errors import api_error
from omni_client.retries import CallRetries
from omni_spec import load_contract
from reference_server.launcher import RunningServer, start_reference_server
from tests.omni_client.canned import envelope, task_dict

CONTRACT = load_contract()
ERROR_TABLE = sorted(CONTRACT.error_codes.items())


class Recorder:
    """A RetryPolicy whose sleeps are recorded instead of slept, and the events seen."""

    def __init__(self, seed: int = 1) -> None:
        self.sleeps: list[float] = []
        self.events: list[RetryEvent] = []

        async def async_sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        self.policy = RetryPolicy(
            base_delay=0.1, max_delay=2.0, sleep=self.sleeps.append,
            async_sleep=async_sleep, rng=random.Random(seed),
        )  # fmt: skip

    def on_retry(self, event: RetryEvent) -> None:
        self.events.append(event)


def _error(code: int, retry_after: float | None = None) -> Exception:
    return api_error(CONTRACT.error_codes[code].status, code, "m", "r", retry_after)


@pytest.mark.parametrize(("code", "entry"), ERROR_TABLE, ids=[str(c) for c, _ in ERROR_TABLE])
def test_retried_exactly_when_the_spec_says_retryable(code: int, entry: object) -> None:
    """A get is retried on a code iff its x-error-codes row has retryable: true."""
    retries = CallRetries("get_task", 3, RetryPolicy())
    assert (retries.next_delay(_error(code)) is not None) == CONTRACT.error_codes[code].retryable


def test_backoff_grows_exponentially_with_jitter_and_cap() -> None:
    """The k-th wait lies in [c/2, c] for c = min(max, base * 2**(k-1))."""
    policy = RetryPolicy(base_delay=0.1, max_delay=1.0, rng=random.Random(4))
    retries = CallRetries("list_tasks", 6, policy)
    delays = [retries.next_delay(httpx.ReadTimeout("slow")) for _ in range(6)]
    for k, delay in enumerate(delays, start=1):
        ceiling = min(1.0, 0.1 * 2 ** (k - 1))
        assert delay is not None and ceiling / 2 <= delay <= ceiling
    assert retries.next_delay(httpx.ReadTimeout("slow")) is None  # budget spent


def test_retry_after_is_honoured_and_bounded() -> None:
    """Retry-After makes the wait at least that long; beyond max_retry_after the call gives up."""
    policy = RetryPolicy(base_delay=0.1, max_retry_after=10, rng=random.Random(1))
    assert CallRetries("get_task", 2, policy).next_delay(_error(1302, 4.0)) == 4.0
    assert CallRetries("get_task", 2, policy).next_delay(_error(1302, 11.0)) is None


def test_create_that_may_have_been_accepted_is_not_retried_without_external_id() -> None:
    """A 5xx or a read timeout on a create without external_task_id is raised, not retried;
    a connect error (nothing sent) and a 429 are retried."""
    policy = RetryPolicy()
    for error in (
        _error(5000),
        _error(5001),
        httpx.ReadTimeout("t"),
        httpx.RemoteProtocolError("x"),
    ):
        assert CallRetries("create_task", 3, policy).next_delay(error) is None
    for error in (_error(1302), _error(1303), httpx.ConnectError("refused")):
        assert CallRetries("create_task", 3, policy).next_delay(error) is not None


def test_create_with_external_id_is_retried_and_then_looks_up() -> None:
    """With an external_task_id a 5xx create is retried, and 'already used' then means look up."""
    retries = CallRetries("create_task", 3, RetryPolicy(), external_task_id="e-1")
    invalid = _error(int(CONTRACT.rule("body-json-object").params["invalid_field_code"]))
    assert not retries.should_look_up(invalid)  # nothing may have been accepted yet
    assert retries.next_delay(_error(5000)) is not None
    assert retries.should_look_up(invalid)
    assert not retries.should_look_up(_error(1203))


def test_no_retries_by_default() -> None:
    """connect() without max_retries gives the plain generated Client: nothing retries."""
    calls: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(429, json={"code": 1302, "message": "slow", "request_id": "r"})

    with connect(transport=httpx.MockTransport(answer)) as client, pytest.raises(RateLimitError):
        list_tasks(client)
    assert len(calls) == 1


def test_retry_after_header_is_read_and_waited() -> None:
    """A 429 with Retry-After: 3 is waited at least 3 s (recorded), then the call succeeds."""
    answers = [
        httpx.Response(429, headers={"retry-after": "3"},
                       json={"code": 1302, "message": "slow", "request_id": "r"}),
        httpx.Response(200, json=envelope([task_dict()])),
    ]  # fmt: skip
    recorder = Recorder()
    with connect(
        transport=httpx.MockTransport(lambda request: answers.pop(0)),
        max_retries=2, retry_policy=recorder.policy, on_retry=recorder.on_retry,
    ) as client:  # fmt: skip
        assert len(list_tasks(client)) == 1
    assert recorder.sleeps and recorder.sleeps[0] >= 3


def test_read_timeout_on_create_with_external_id_is_retried() -> None:
    """A transport error after sending is retried for a create carrying an external_task_id."""
    attempts: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        if len(attempts) == 1:
            raise httpx.ReadTimeout("no answer", request=request)
        data = task_dict()
        data["task_info"] = {"external_task_id": "e-2"}
        return httpx.Response(200, json=envelope(data))

    recorder = Recorder()
    body = CreateTaskRequest(prompt="x", external_task_id="e-2")
    with connect(transport=httpx.MockTransport(answer), max_retries=2,
                 retry_policy=recorder.policy) as client:  # fmt: skip
        assert create_task(client, body).task_info.external_task_id == "e-2"
    assert len(attempts) == 2


@pytest.fixture(scope="module")
def double() -> Iterator[RunningServer]:
    """A plain reference server (Prefer header on)."""
    with start_reference_server(step_delay=0.05) as server:
        yield server


def test_retryable_code_from_prefer_is_retried_then_raised(double: RunningServer) -> None:
    """Prefer error=1302 on every attempt: 3 retries with growing waits, then RateLimitError."""
    recorder = Recorder()
    with connect(base_url=double.base_url, max_retries=3, retry_policy=recorder.policy,
                 on_retry=recorder.on_retry) as client, pytest.raises(RateLimitError):  # fmt: skip
        list_tasks(client.with_headers({"Prefer": "error=1302"}))
    assert [event.retry for event in recorder.events] == [1, 2, 3]
    assert recorder.sleeps[0] <= 0.1 < recorder.sleeps[2] <= 0.4


def test_non_retryable_code_is_not_retried(double: RunningServer) -> None:
    """Prefer error=1201 is raised at once."""
    recorder = Recorder()
    with connect(base_url=double.base_url, max_retries=3, retry_policy=recorder.policy,
                 on_retry=recorder.on_retry) as client, pytest.raises(InvalidRequestError):  # fmt: skip
        list_tasks(client.with_headers({"Prefer": "error=1201"}))
    assert recorder.events == []


def _count(client_base: str) -> int:
    with connect(base_url=client_base) as client:
        return len(list_tasks(client, page_size=500))


def test_accepted_create_without_external_id_is_not_retried(double: RunningServer) -> None:
    """error-after-accept=5000 stores the task and answers 500: the client raises, no retry, and
    exactly one task was made."""
    before = _count(double.base_url)
    recorder = Recorder()
    with connect(base_url=double.base_url, max_retries=3, retry_policy=recorder.policy,
                 on_retry=recorder.on_retry) as client, pytest.raises(ServerError):  # fmt: skip
        create_task(client.with_headers({"Prefer": "error-after-accept=5000"}),
                    CreateTaskRequest(prompt="x"))  # fmt: skip
    assert recorder.events == [] and _count(double.base_url) == before + 1


def test_accepted_create_with_external_id_is_found_by_look_up(double: RunningServer) -> None:
    """With an external_task_id: retried, 'already used', looked up; one task, the caller's."""
    external = f"retry-{uuid.uuid4()}"
    before = _count(double.base_url)
    recorder = Recorder()
    with connect(base_url=double.base_url, max_retries=3, retry_policy=recorder.policy,
                 on_retry=recorder.on_retry) as client:  # fmt: skip
        task = create_task(client.with_headers({"Prefer": "error-after-accept=5000"}),
                           CreateTaskRequest(prompt="x", external_task_id=external))  # fmt: skip
    assert task.task_info.external_task_id == external
    assert [event.action for event in recorder.events] == ["retry", "look-up"]
    assert _count(double.base_url) == before + 1


def test_async_client_retries_and_looks_up_alike(double: RunningServer) -> None:
    """The async calls share the decisions: get retried on 5001, create found by look-up."""
    external = f"retry-async-{uuid.uuid4()}"
    recorder = Recorder()

    async def run() -> tuple[str | None, type[Exception] | None]:
        async with connect_async(base_url=double.base_url, max_retries=2,
                                 retry_policy=recorder.policy,
                                 on_retry=recorder.on_retry) as client:  # fmt: skip
            task = await create_task_async(
                client.with_headers({"Prefer": "error-after-accept=5002"}),
                CreateTaskRequest(prompt="x", external_task_id=external),
            )
            try:
                await get_task_async(client.with_headers({"Prefer": "error=5001"}), task.task_id)
            except ServerError as error:
                return task.task_info.external_task_id, type(error)
            return task.task_info.external_task_id, None

    found, raised = asyncio.run(run())
    assert found == external and raised is ServerError
    assert [event.action for event in recorder.events] == ["retry", "look-up", "retry", "retry"]
    assert len(recorder.sleeps) == 3


def test_connect_errors_are_retried_even_for_creates() -> None:
    """A refused connection (nothing sent) is retried for a create without external_task_id."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: connections are refused
    recorder = Recorder()
    with connect(base_url=f"http://127.0.0.1:{port}", max_retries=2,
                 retry_policy=recorder.policy, on_retry=recorder.on_retry) as client, pytest.raises(httpx.ConnectError):  # fmt: skip
        create_task(client, CreateTaskRequest(prompt="x"))
    assert len(recorder.events) == 2


@pytest.fixture(scope="module")
def faulty() -> Iterator[RunningServer]:
    """A server failing 40% of requests with retryable codes, seeded."""
    with start_reference_server(
        step_delay=0.05, extra_args=["--faults", "1302=0.2,5001=0.2", "--seed", "9"]
    ) as server:
        yield server


def test_faults_are_ridden_out_with_retries(faulty: RunningServer) -> None:
    """30 lists and 10 creates with external ids all succeed under 40% faults; retries happened,
    bounded by the budget."""
    recorder = Recorder()
    with connect(base_url=faulty.base_url, max_retries=10, retry_policy=recorder.policy,
                 on_retry=recorder.on_retry) as client:  # fmt: skip
        for _ in range(30):
            list_tasks(client)
        made = [create_task(client, CreateTaskRequest(prompt="x", external_task_id=f"f-{i}"))
                for i in range(10)]  # fmt: skip
    assert len({task.task_id for task in made}) == 10
    assert 4 <= len(recorder.events) <= 60  # about 0.67 retries per call expected (40 calls)


def test_cli_prints_each_retry(capsys: pytest.CaptureFixture[str]) -> None:
    """omni-image list --retries 2 against a server failing every request: two retry lines on
    stderr, then the error (exit 1); --retries 0 prints none."""
    from omni_client.cli import EXIT_FAILURE, main

    with start_reference_server(extra_args=["--faults", "5001=1", "--seed", "1"]) as server:
        code = main(["list", "--base-url", server.base_url, "--retries", "2"])
        err = capsys.readouterr().err
        assert code == EXIT_FAILURE
        assert "retry 1/2 of list_tasks" in err and "retry 2/2 of list_tasks" in err
        assert "5001" in err and "retry 3/" not in err
        assert main(["list", "--base-url", server.base_url]) == EXIT_FAILURE
        assert "retry" not in capsys.readouterr().err


def test_cli_refuses_a_negative_retry_count(capsys: pytest.CaptureFixture[str]) -> None:
    """--retries -1 is a usage error (exit 2)."""
    from omni_client.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["list", "--retries", "-1"])
    assert exited.value.code == 2 and "negative" in capsys.readouterr().err
