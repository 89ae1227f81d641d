"""The three operations as plain functions returning typed tasks or raising typed errors.

They use the generated modules' own request builder (`_get_kwargs`) and response parser
(`_build_response`) and pass the `Response` through `errors`, so a caller gets a `Task` (or a list
of them) or an `OmniClientError`, never an `Error | TaskEnvelope | None` union. A body that does
not match the spec (the generated parser fails on it) becomes `UnexpectedResponseError` with the
HTTP status and the start of the body, instead of a `KeyError` from deep inside generated code;
the parse is guarded on its own, so a programming error elsewhere is not disguised as one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from omni_image_client import Client
from omni_image_client.api.omni_image import create_task as _create
from omni_image_client.api.omni_image import get_task as _get
from omni_image_client.api.omni_image import list_tasks as _list
from omni_image_client.models import CreatedTask, CreateTaskRequest, Task
from omni_image_client.types import UNSET, Unset

from omni_client.errors import (
    UnexpectedResponseError,
    created_task_from_response,
    task_from_response,
    tasks_from_response,
)

ResponseT = TypeVar("ResponseT")
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


def create_task(client: Client, body: CreateTaskRequest) -> CreatedTask:
    """POST /v1/images/omni-image: the new task (status `submitted`; the five documented fields
    at least)."""
    return created_task_from_response(
        _send(client, _create._get_kwargs(body=body), _builder(_create._build_response, client))
    )


def get_task(client: Client, task_id: str) -> Task:
    """GET /v1/images/omni-image/{id}: by `task_id` or `external_task_id`."""
    return task_from_response(
        _send(client, _get._get_kwargs(task_id), _builder(_get._build_response, client))
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
    return tasks_from_response(_send(client, request, _builder(_list._build_response, client)))


async def create_task_async(client: Client, body: CreateTaskRequest) -> CreatedTask:
    """Async `create_task`."""
    request = _create._get_kwargs(body=body)
    builder = _builder(_create._build_response, client)
    return created_task_from_response(await _send_async(client, request, builder))


async def get_task_async(client: Client, task_id: str) -> Task:
    """Async `get_task`."""
    request = _get._get_kwargs(task_id)
    builder = _builder(_get._build_response, client)
    return task_from_response(await _send_async(client, request, builder))


async def list_tasks_async(
    client: Client, page_num: int | None = None, page_size: int | None = None
) -> list[Task]:
    """Async `list_tasks`."""
    num, size = _or_unset(page_num), _or_unset(page_size)
    request = _list._get_kwargs(page_num=num, page_size=size)
    builder = _builder(_list._build_response, client)
    return tasks_from_response(await _send_async(client, request, builder))
