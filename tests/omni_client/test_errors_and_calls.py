"""Tests of omni_client.errors and omni_client.calls against canned answers (MockTransport)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable

import httpx
import pytest
from omni_image_client import Client
from omni_image_client.models import CreateTaskRequest, TaskStatus

from omni_client import calls, errors
from omni_client.errors import (
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    OmniApiError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
    api_error,
)
from omni_client.factory import connect, connect_async
from omni_spec import Contract, ErrorCode, load_contract
from tests.omni_client.canned import envelope, error_body, task_dict

UNLISTED_CODE = 4242  # not a row of x-error-codes (asserted where used)


def _client(handler: Callable[[httpx.Request], httpx.Response]) -> Client:
    return connect(base_url="http://127.0.0.1:8000", transport=httpx.MockTransport(handler))


def test_create_returns_typed_task() -> None:
    """A 200 envelope becomes the generated Task model."""
    client = _client(lambda request: httpx.Response(200, json=envelope(task_dict())))
    task = calls.create_task(client, CreateTaskRequest(prompt="a cat"))
    assert task.task_status is TaskStatus.SUBMITTED
    assert task.task_id == "860912345678901234"


def test_list_returns_tasks_and_omits_unset_paging() -> None:
    """list_tasks returns a list of Task; unset paging leaves the query out (spec defaults)."""
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json=envelope([task_dict("1"), task_dict("2")]))

    tasks = calls.list_tasks(_client(handler))
    assert [task.task_id for task in tasks] == ["1", "2"]
    assert seen[0].params == httpx.QueryParams()
    calls.list_tasks(_client(handler), page_num=2, page_size=5)
    assert seen[1].params == httpx.QueryParams({"pageNum": "2", "pageSize": "5"})


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, 1201, InvalidRequestError),
        (401, 1004, AuthenticationError),
        (404, 1203, NotFoundError),
        (429, 1302, RateLimitError),
        (503, 5001, ServerError),
    ],
)
def test_error_envelope_maps_to_typed_error_with_spec_meaning(
    status: int, code: int, cls: type[OmniApiError]
) -> None:
    """An error envelope raises the status family's class carrying the x-error-codes meaning."""
    client = _client(
        lambda request: httpx.Response(status, json=error_body(code, "said the server"))
    )
    with pytest.raises(cls) as caught:
        calls.get_task(client, "missing")
    error = caught.value
    assert (error.status, error.code, error.request_id) == (status, code, f"req-{code}")
    assert error.meaning == load_contract().error_codes[code].meaning
    assert error.message == "said the server"
    assert error.meaning in str(error)


def test_unknown_code_still_maps() -> None:
    """A code the spec does not list keeps its number and says it is not listed."""
    error = api_error(400, UNLISTED_CODE, "new", None)
    assert isinstance(error, InvalidRequestError)
    assert "not listed" in error.meaning


CODES = sorted(load_contract().error_codes.values(), key=lambda row: row.code)


@pytest.mark.parametrize("row", CODES, ids=[str(row.code) for row in CODES])
def test_every_spec_code_raises_an_omni_api_error_with_its_retryable_flag(row: ErrorCode) -> None:
    """Each x-error-codes row, answered with its status, raises an OmniApiError retryable per the spec."""
    client = _client(lambda request: httpx.Response(row.status, json=error_body(row.code)))
    with pytest.raises(OmniApiError) as caught:
        calls.get_task(client, "x")
    assert (caught.value.status, caught.value.code) == (row.status, row.code)
    assert caught.value.retryable is row.retryable


def test_retryable_follows_the_spec_flag_not_the_wording(monkeypatch: pytest.MonkeyPatch) -> None:
    """Flipping a code's retryable flag in the spec flips the error's retryable."""
    document = copy.deepcopy(dict(load_contract().document))
    document["x-error-codes"]["1101"]["retryable"] = True  # arrears: not flagged in the spec
    document["x-error-codes"]["1302"]["retryable"] = False  # rate limit: flagged in the spec
    monkeypatch.setattr(errors, "load_contract", lambda: Contract(document))
    assert api_error(429, 1101, "m", None).retryable
    assert not api_error(429, 1302, "m", None).retryable


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (599, True), (400, False), (429, False)]
)
def test_unknown_code_is_retryable_only_with_a_5xx(status: int, retryable: bool) -> None:
    """A code missing from x-error-codes is retryable for a 5xx status and not otherwise."""
    assert UNLISTED_CODE not in load_contract().error_codes
    assert api_error(status, UNLISTED_CODE, "m", None).retryable is retryable


def test_undocumented_status_is_unexpected_response() -> None:
    """A status the spec does not document raises UnexpectedResponseError with the status."""
    client = _client(lambda request: httpx.Response(418, text="teapot"))
    with pytest.raises(UnexpectedResponseError) as caught:
        calls.get_task(client, "x")
    assert caught.value.status == 418
    assert "teapot" in str(caught.value)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>not json</html>"),
        httpx.Response(200, json={"code": 0, "message": "ok", "request_id": "r"}),
        httpx.Response(404, json={"detail": "nope"}),
    ],
)
def test_body_off_the_spec_is_unexpected_response(response: httpx.Response) -> None:
    """Non-JSON or envelope-less bodies raise UnexpectedResponseError, not KeyError."""
    client = _client(lambda request: response)
    with pytest.raises(UnexpectedResponseError) as caught:
        calls.get_task(client, "x")
    assert caught.value.status == response.status_code


def test_async_calls_return_typed_tasks_and_raise() -> None:
    """The async wrappers behave like the sync ones."""

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/missing"):
            return httpx.Response(404, json=error_body(1203))
        if request.method == "POST":
            return httpx.Response(200, json=envelope(task_dict("new")))
        if request.url.path.endswith("/omni-image"):
            return httpx.Response(200, json=envelope([task_dict("a")]))
        return httpx.Response(200, json=envelope(task_dict("found", "succeed", results=9)))

    async def run() -> None:
        transport = httpx.MockTransport(handler)
        async with connect_async(base_url="http://127.0.0.1:8000", transport=transport) as client:
            created = await calls.create_task_async(client, CreateTaskRequest(prompt="p"))
            found = await calls.get_task_async(client, "found")
            listed = await calls.list_tasks_async(client, page_size=1)
            assert created.task_id == "new"
            assert len(found.task_result.images) == 9
            assert [task.task_id for task in listed] == ["a"]
            with pytest.raises(NotFoundError):
                await calls.get_task_async(client, "missing")

    asyncio.run(run())
