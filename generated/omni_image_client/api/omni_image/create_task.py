# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_task_envelope import CreateTaskEnvelope
from ...models.create_task_request import CreateTaskRequest
from ...models.error import Error
from ...types import Response


def _get_kwargs(
    *,
    body: CreateTaskRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/images/omni-image",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CreateTaskEnvelope | Error | None:
    if response.status_code == 200:
        response_200 = CreateTaskEnvelope.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Error.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if response.status_code == 504:
        response_504 = Error.from_dict(response.json())

        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CreateTaskEnvelope | Error]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateTaskRequest,
) -> Response[CreateTaskEnvelope | Error]:
    """Create an image generation task

     Creates an asynchronous task. The answer carries the task with status `submitted`; poll
    `get_task` (or receive callbacks at `callback_url`) until it is `succeed` or `failed`.

    Unknown body fields are ignored. Besides the schema, the body must satisfy the rules
    listed in `x-rule-ids` (see the top-level `x-rules`): at most 10 references in total,
    JPEG/PNG reference images of at most 10 MB, sides >= 300 px, ratio between 1:2.5 and 2.5:1,
    `<<<image_N>>>`/`<<<element_N>>>` within their lists, the per-model capability map, element
    ids from the caller's library, and a per-user unique `external_task_id`. A broken rule is
    HTTP 400 with code 1201.

    Args:
        body (CreateTaskRequest): Body of `create_task`. Unknown fields are ignored. `null` is a
            wrong type for every field.
            Range rules apply even where a field has no effect (`n: 10` with `series` is rejected).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateTaskEnvelope | Error]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: CreateTaskRequest,
) -> CreateTaskEnvelope | Error | None:
    """Create an image generation task

     Creates an asynchronous task. The answer carries the task with status `submitted`; poll
    `get_task` (or receive callbacks at `callback_url`) until it is `succeed` or `failed`.

    Unknown body fields are ignored. Besides the schema, the body must satisfy the rules
    listed in `x-rule-ids` (see the top-level `x-rules`): at most 10 references in total,
    JPEG/PNG reference images of at most 10 MB, sides >= 300 px, ratio between 1:2.5 and 2.5:1,
    `<<<image_N>>>`/`<<<element_N>>>` within their lists, the per-model capability map, element
    ids from the caller's library, and a per-user unique `external_task_id`. A broken rule is
    HTTP 400 with code 1201.

    Args:
        body (CreateTaskRequest): Body of `create_task`. Unknown fields are ignored. `null` is a
            wrong type for every field.
            Range rules apply even where a field has no effect (`n: 10` with `series` is rejected).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateTaskEnvelope | Error
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: CreateTaskRequest,
) -> Response[CreateTaskEnvelope | Error]:
    """Create an image generation task

     Creates an asynchronous task. The answer carries the task with status `submitted`; poll
    `get_task` (or receive callbacks at `callback_url`) until it is `succeed` or `failed`.

    Unknown body fields are ignored. Besides the schema, the body must satisfy the rules
    listed in `x-rule-ids` (see the top-level `x-rules`): at most 10 references in total,
    JPEG/PNG reference images of at most 10 MB, sides >= 300 px, ratio between 1:2.5 and 2.5:1,
    `<<<image_N>>>`/`<<<element_N>>>` within their lists, the per-model capability map, element
    ids from the caller's library, and a per-user unique `external_task_id`. A broken rule is
    HTTP 400 with code 1201.

    Args:
        body (CreateTaskRequest): Body of `create_task`. Unknown fields are ignored. `null` is a
            wrong type for every field.
            Range rules apply even where a field has no effect (`n: 10` with `series` is rejected).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateTaskEnvelope | Error]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: CreateTaskRequest,
) -> CreateTaskEnvelope | Error | None:
    """Create an image generation task

     Creates an asynchronous task. The answer carries the task with status `submitted`; poll
    `get_task` (or receive callbacks at `callback_url`) until it is `succeed` or `failed`.

    Unknown body fields are ignored. Besides the schema, the body must satisfy the rules
    listed in `x-rule-ids` (see the top-level `x-rules`): at most 10 references in total,
    JPEG/PNG reference images of at most 10 MB, sides >= 300 px, ratio between 1:2.5 and 2.5:1,
    `<<<image_N>>>`/`<<<element_N>>>` within their lists, the per-model capability map, element
    ids from the caller's library, and a per-user unique `external_task_id`. A broken rule is
    HTTP 400 with code 1201.

    Args:
        body (CreateTaskRequest): Body of `create_task`. Unknown fields are ignored. `null` is a
            wrong type for every field.
            Range rules apply even where a field has no effect (`n: 10` with `series` is rejected).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateTaskEnvelope | Error
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
