"""Typed errors of the client layer, and turning a generated `Response` into a task or an error.

Business codes and their meanings come from the spec's `x-error-codes` table (read through
omni_spec), never from a table restated here. The exception class is chosen by the HTTP status
family of the answer (docs/contract.md, "Errors"), so a code the spec does not list yet still
maps.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, TypeVar

from omni_image_client.models import (
    CreatedTask,
    CreateTaskEnvelope,
    Error,
    Task,
    TaskEnvelope,
    TaskListEnvelope,
)
from omni_image_client.types import Response

from omni_spec import load_contract

UNKNOWN_CODE_MEANING = "not listed in the spec's x-error-codes"


class OmniClientError(Exception):
    """Base of every error this package raises."""


class OmniApiError(OmniClientError):
    """The API answered with an error envelope (docs/contract.md, "Envelope" and "Errors")."""

    def __init__(self, status: int, code: int, message: str, request_id: str | None) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        known = load_contract().error_codes.get(code)
        self.meaning = known.meaning if known else UNKNOWN_CODE_MEANING
        super().__init__(self.describe())

    def describe(self) -> str:
        """One line: status, code, spec meaning, server message and request id."""
        text = f"HTTP {self.status}, code {self.code} ({self.meaning}): {self.message}"
        return f"{text} [request_id {self.request_id}]" if self.request_id else text

    @property
    def retryable(self) -> bool:
        """Whether waiting and asking again may succeed: the spec's `retryable` flag of the code.

        `x-error-codes` marks the transient conditions (rate and concurrency limits, server-side
        failures) with `retryable: true`; account states such as arrears are 429 too but are not
        flagged, as they do not pass by waiting. A code the spec does not list is judged by its
        status alone: a 5xx is retryable (the server failed, not the request, and every 5xx row
        of the table is flagged), anything else is not.
        """
        known = load_contract().error_codes.get(self.code)
        if known is not None:
            return known.retryable
        return self.status >= HTTPStatus.INTERNAL_SERVER_ERROR


class InvalidRequestError(OmniApiError):
    """HTTP 400: body malformed (1200), invalid field or broken rule (1201), content policy."""


class AuthenticationError(OmniApiError):
    """HTTP 401: missing, invalid, not yet valid or expired credentials (10xx)."""


class PermissionDeniedError(OmniApiError):
    """HTTP 403: no permission for the API or the model."""


class NotFoundError(OmniApiError):
    """HTTP 404: task not found (1203) or method not supported on the path (1202)."""


class RateLimitError(OmniApiError):
    """HTTP 429: account, resource pack, rate or concurrency limits."""


class ServerError(OmniApiError):
    """HTTP 5xx: server error, maintenance or backlog timeout."""


class UnexpectedResponseError(OmniClientError):
    """The answer does not follow the contract (undocumented status, not an envelope)."""

    def __init__(self, status: int | None, detail: str, body: bytes = b"") -> None:
        self.status = status
        self.detail = detail
        self.body = body
        where = f"HTTP {status}" if status is not None else "HTTP status unknown"
        text = f"unexpected answer ({where}): {detail}"
        if body:
            text += f"; body starts {body[:200].decode('utf-8', 'replace')!r}"
        super().__init__(text)


class TaskFailedError(OmniClientError):
    """The task ended `failed`; `task_status_msg` says why (rule `failed-has-message`)."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self.task_id = task.task_id
        self.task_status_msg = task.task_status_msg
        super().__init__(f"task {task.task_id} failed: {task.task_status_msg or '(no message)'}")


class TaskTimeoutError(OmniClientError):
    """The task did not reach a terminal status in time."""

    def __init__(self, task_id: str, last_status: str | None, timeout: float) -> None:
        self.task_id = task_id
        self.last_status = last_status
        self.timeout = timeout
        super().__init__(
            f"task {task_id} not finished after {timeout:g} s (last status: {last_status})"
        )


_CLASS_BY_STATUS: Mapping[int, type[OmniApiError]] = {
    HTTPStatus.BAD_REQUEST: InvalidRequestError,
    HTTPStatus.UNAUTHORIZED: AuthenticationError,
    HTTPStatus.FORBIDDEN: PermissionDeniedError,
    HTTPStatus.NOT_FOUND: NotFoundError,
    HTTPStatus.TOO_MANY_REQUESTS: RateLimitError,
}


def api_error(status: int, code: int, message: str, request_id: str | None) -> OmniApiError:
    """The `OmniApiError` subclass for this HTTP status, carrying the spec meaning of `code`."""
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        cls: type[OmniApiError] = ServerError
    else:
        cls = _CLASS_BY_STATUS.get(status, OmniApiError)
    return cls(status=status, code=code, message=message, request_id=request_id)


def _raise_for_error(response: Response[Any]) -> None:
    parsed = response.parsed
    status = int(response.status_code)
    if isinstance(parsed, Error):
        raise api_error(status, parsed.code, parsed.message, parsed.request_id)
    if parsed is None:
        raise UnexpectedResponseError(status, "status not documented in the spec", response.content)


EnvelopeT = TypeVar("EnvelopeT", TaskEnvelope, TaskListEnvelope, CreateTaskEnvelope)


def _envelope(response: Response[Any], expected: type[EnvelopeT]) -> EnvelopeT:
    _raise_for_error(response)
    parsed = response.parsed
    if not isinstance(parsed, expected):
        raise UnexpectedResponseError(
            int(response.status_code), f"expected a {expected.__name__}", response.content
        )
    return parsed


def task_from_response(response: Response[Error | TaskEnvelope]) -> Task:
    """The task of a get answer, or the typed error it carries."""
    return _envelope(response, TaskEnvelope).data


def created_task_from_response(response: Response[Error | CreateTaskEnvelope]) -> CreatedTask:
    """The created task of a create answer (at least the five documented fields), or the error."""
    return _envelope(response, CreateTaskEnvelope).data


def tasks_from_response(response: Response[Error | TaskListEnvelope]) -> list[Task]:
    """The tasks of a list answer, or the typed error it carries."""
    return list(_envelope(response, TaskListEnvelope).data)
