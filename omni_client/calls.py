"""The three operations as plain functions returning typed tasks or raising typed errors.

They use the generated modules' own request builder (`_get_kwargs`) and response parser
(`_build_response`) and pass the `Response` through `errors`, so a caller gets a `Task` (or a list
of them) or an `OmniClientError`, never an `Error | TaskEnvelope | None` union. A body that does
not match the spec (the generated parser fails on it) becomes `UnexpectedResponseError` with the
HTTP status and the start of the body, instead of a `KeyError` from deep inside generated code;
the parse is guarded on its own, so a programming error elsewhere is not disguised as one.

On a `RetryingClient` (`connect(max_retries=N)`) each call retries what `omni_client.retries`
decides is worth it, sleeping between attempts, and a create that meets "external_task_id already
used" after an attempt that may have been accepted looks the task up instead (`_look_up`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from omni_image_client import Client
from omni_image_client.api.omni_image import create_task as _create
from omni_image_client.api.omni_image import get_task as _get
from omni_image_client.api.omni_image import list_tasks as _list
from omni_image_client.models import CreatedTask, CreateTaskRequest, Task
from omni_image_client.types import UNSET, Unset

from omni_client.errors import (
    NotFoundError,
    OmniApiError,
    UnexpectedResponseError,
    created_task_from_response,
    task_from_response,
    tasks_from_response,
)
from omni_client.retries import LOOK_UP, CallRetries, RetryingClient, RetryPolicy

ResponseT = TypeVar("ResponseT")
ResultT = TypeVar("ResultT")
_NO_RETRY_POLICY = RetryPolicy()
# What the generated parsers raise on a body that is not the documented JSON shape.
_PARSE_ERRORS = (ValueError, KeyError, TypeError, AttributeError)


def _built(response: httpx.Response, build: Callable[[httpx.Response], ResponseT]) -> ResponseT:
    """The generated `_build_response` result; a body off the spec is UnexpectedResponseError."""
    try:
        return build(response)
    except _PARSE_ERRORS as exc:
        raise UnexpectedResponseError(
            response.status_code, f"body does not match the spec ({exc!r})", response.content
        ) from exc


def _send(
    client: Client, request: dict[str, Any], build: Callable[[httpx.Response], ResponseT]
) -> ResponseT:
    # The generated module's own request and response halves, with our parse guard between.
    return _built(client.get_httpx_client().request(**request), build)


async def _send_async(
    client: Client, request: dict[str, Any], build: Callable[[httpx.Response], ResponseT]
) -> ResponseT:
    return _built(await client.get_async_httpx_client().request(**request), build)


def _builder(
    build_response: Callable[..., ResponseT], client: Client
) -> Callable[[httpx.Response], ResponseT]:
    return lambda response: build_response(client=client, response=response)


def _retries(client: Client, operation: str, external_task_id: str | None = None) -> CallRetries:
    if isinstance(client, RetryingClient):
        return CallRetries(
            operation, client.max_retries, client.retry_policy, external_task_id=external_task_id
        )
    return CallRetries(operation, 0, _NO_RETRY_POLICY)


def _announce(client: Client, retries: CallRetries, error: Exception, delay: float) -> None:
    if isinstance(client, RetryingClient) and client.on_retry is not None:
        client.on_retry(retries.event(error, delay))


def _with_retries(client: Client, retries: CallRetries, attempt: Callable[[], ResultT]) -> ResultT:
    while True:
        try:
            return attempt()
        except (httpx.TransportError, OmniApiError) as error:
            delay = retries.next_delay(error)
            if delay is None:
                raise
            _announce(client, retries, error, delay)
            retries.policy.sleep(delay)


async def _with_retries_async(
    client: Client, retries: CallRetries, attempt: Callable[[], Awaitable[ResultT]]
) -> ResultT:
    while True:
        try:
            return await attempt()
        except (httpx.TransportError, OmniApiError) as error:
            delay = retries.next_delay(error)
            if delay is None:
                raise
            _announce(client, retries, error, delay)
            await retries.policy.async_sleep(delay)


def _external_task_id(body: CreateTaskRequest) -> str | None:
    value = body.external_task_id
    return value if isinstance(value, str) and value else None


def _own_task(found: Task, external_task_id: str, error: OmniApiError) -> CreatedTask:
    # The path id matches a task_id first: only a task carrying our external id is the one.
    if found.task_info.external_task_id != external_task_id:
        raise error
    return CreatedTask.from_dict(found.to_dict())


def create_task(client: Client, body: CreateTaskRequest) -> CreatedTask:
    """POST /v1/images/omni-image: the new task (status `submitted`; the five documented fields
    at least). After a look-up (see the module docstring) it is the task as it stands now."""
    request, builder = _create._get_kwargs(body=body), _builder(_create._build_response, client)
    external_task_id = _external_task_id(body)
    retries = _retries(client, "create_task", external_task_id)
    try:
        return _with_retries(
            client, retries, lambda: created_task_from_response(_send(client, request, builder))
        )
    except OmniApiError as error:
        if external_task_id is None or not retries.should_look_up(error):
            raise
        _announce_look_up(client, retries, error)
        try:
            found = get_task(client, external_task_id)
        except NotFoundError:
            raise error from None
        return _own_task(found, external_task_id, error)


def _announce_look_up(client: Client, retries: CallRetries, error: Exception) -> None:
    if isinstance(client, RetryingClient) and client.on_retry is not None:
        client.on_retry(retries.event(error, 0.0, LOOK_UP))


def get_task(client: Client, task_id: str) -> Task:
    """GET /v1/images/omni-image/{id}: by `task_id` or `external_task_id`."""
    request, builder = _get._get_kwargs(task_id), _builder(_get._build_response, client)
    return _with_retries(
        client,
        _retries(client, "get_task"),
        lambda: task_from_response(_send(client, request, builder)),
    )


def _or_unset(value: int | None) -> int | Unset:
    # None leaves the parameter out, so the server's (the spec's) default applies.
    return UNSET if value is None else value


def list_tasks(
    client: Client, page_num: int | None = None, page_size: int | None = None
) -> list[Task]:
    """GET /v1/images/omni-image: one page of the caller's tasks, newest first."""
    num, size = _or_unset(page_num), _or_unset(page_size)
    request = _list._get_kwargs(page_num=num, page_size=size)
    builder = _builder(_list._build_response, client)
    return _with_retries(
        client,
        _retries(client, "list_tasks"),
        lambda: tasks_from_response(_send(client, request, builder)),
    )


async def create_task_async(client: Client, body: CreateTaskRequest) -> CreatedTask:
    """Async `create_task`."""
    request = _create._get_kwargs(body=body)
    builder = _builder(_create._build_response, client)
    external_task_id = _external_task_id(body)
    retries = _retries(client, "create_task", external_task_id)

    async def attempt() -> CreatedTask:
        return created_task_from_response(await _send_async(client, request, builder))

    try:
        return await _with_retries_async(client, retries, attempt)
    except OmniApiError as error:
        if external_task_id is None or not retries.should_look_up(error):
            raise
        _announce_look_up(client, retries, error)
        try:
            found = await get_task_async(client, external_task_id)
        except NotFoundError:
            raise error from None
        return _own_task(found, external_task_id, error)


async def get_task_async(client: Client, task_id: str) -> Task:
    """Async `get_task`."""
    request = _get._get_kwargs(task_id)
    builder = _builder(_get._build_response, client)

    async def attempt() -> Task:
        return task_from_response(await _send_async(client, request, builder))

    return await _with_retries_async(client, _retries(client, "get_task"), attempt)


async def list_tasks_async(
    client: Client, page_num: int | None = None, page_size: int | None = None
) -> list[Task]:
    """Async `list_tasks`."""
    num, size = _or_unset(page_num), _or_unset(page_size)
    request = _list._get_kwargs(page_num=num, page_size=size)
    builder = _builder(_list._build_response, client)

    async def attempt() -> list[Task]:
        return tasks_from_response(await _send_async(client, request, builder))

    return await _with_retries_async(client, _retries(client, "list_tasks"), attempt)
