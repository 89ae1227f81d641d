"""The three operations as plain functions returning typed tasks or raising typed errors.

They call the generated functions and pass their `Response` through `errors`, so a caller gets a
`Task` (or a list of them) or an `OmniClientError`, never an `Error | TaskEnvelope | None` union.
A body that does not match the spec (the generated parser fails on it) becomes
`UnexpectedResponseError` instead of a `KeyError` from deep inside generated code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from omni_image_client import Client
from omni_image_client.api.omni_image import create_task as _create
from omni_image_client.api.omni_image import get_task as _get
from omni_image_client.api.omni_image import list_tasks as _list
from omni_image_client.models import CreateTaskRequest, Task
from omni_image_client.types import UNSET, Unset

from omni_client.errors import UnexpectedResponseError, task_from_response, tasks_from_response

ResultT = TypeVar("ResultT")
# What the generated parsers raise on a body that is not the documented JSON shape.
_PARSE_ERRORS = (ValueError, KeyError, TypeError, AttributeError)


def _parsed(call: Callable[[], ResultT]) -> ResultT:
    try:
        return call()
    except _PARSE_ERRORS as exc:
        raise UnexpectedResponseError(None, f"body does not match the spec ({exc!r})") from exc


async def _parsed_async(call: Callable[[], Awaitable[ResultT]]) -> ResultT:
    try:
        return await call()
    except _PARSE_ERRORS as exc:
        raise UnexpectedResponseError(None, f"body does not match the spec ({exc!r})") from exc


def create_task(client: Client, body: CreateTaskRequest) -> Task:
    """POST /v1/images/omni-image: the new task (status `submitted`)."""
    return task_from_response(_parsed(lambda: _create.sync_detailed(client=client, body=body)))


def get_task(client: Client, task_id: str) -> Task:
    """GET /v1/images/omni-image/{id}: by `task_id` or `external_task_id`."""
    return task_from_response(_parsed(lambda: _get.sync_detailed(task_id, client=client)))


def _or_unset(value: int | None) -> int | Unset:
    # None leaves the parameter out, so the server's (the spec's) default applies.
    return UNSET if value is None else value


def list_tasks(
    client: Client, page_num: int | None = None, page_size: int | None = None
) -> list[Task]:
    """GET /v1/images/omni-image: one page of the caller's tasks, newest first."""
    num, size = _or_unset(page_num), _or_unset(page_size)
    return tasks_from_response(
        _parsed(lambda: _list.sync_detailed(client=client, page_num=num, page_size=size))
    )


async def create_task_async(client: Client, body: CreateTaskRequest) -> Task:
    """Async `create_task`."""
    response = await _parsed_async(lambda: _create.asyncio_detailed(client=client, body=body))
    return task_from_response(response)


async def get_task_async(client: Client, task_id: str) -> Task:
    """Async `get_task`."""
    response = await _parsed_async(lambda: _get.asyncio_detailed(task_id, client=client))
    return task_from_response(response)


async def list_tasks_async(
    client: Client, page_num: int | None = None, page_size: int | None = None
) -> list[Task]:
    """Async `list_tasks`."""
    num, size = _or_unset(page_num), _or_unset(page_size)
    response = await _parsed_async(
        lambda: _list.asyncio_detailed(client=client, page_num=num, page_size=size)
    )
    return tasks_from_response(response)
