"""The response envelope (contract "Envelope"): every answer is JSON with code, message, request_id.

Success carries `data`; an error never does [decided]. The HTTP status of an error comes from the
spec's `x-error-codes` table, so code and status can never disagree.
"""

from __future__ import annotations

import json
import math
import uuid
from typing import Any

from starlette.responses import Response

from omni_spec import load_contract

SUCCESS_MESSAGE = "SUCCEED"


class ApiError(Exception):
    """A contract error: business `code` (status from `x-error-codes`) and a clear message."""

    def __init__(self, code: int, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after  # seconds; sent as a Retry-After header when set

    @property
    def status(self) -> int:
        return load_contract().error_codes[self.code].status


def new_request_id() -> str:
    return str(uuid.uuid4())


def json_bytes(payload: Any) -> bytes:
    """Compact JSON; ensure_ascii keeps odd Unicode (lone surrogates included) encodable."""
    return json.dumps(payload, separators=(",", ":")).encode("ascii")


def success_response(data: Any, request_id: str) -> Response:
    body = {"code": 0, "message": SUCCESS_MESSAGE, "request_id": request_id, "data": data}
    return _json_response(200, body, request_id)


def error_response(error: ApiError, request_id: str) -> Response:
    body = {"code": error.code, "message": error.message, "request_id": request_id}
    headers = {}
    if error.retry_after is not None:
        # RFC 9110 delta-seconds: whole seconds, rounded up, at least 1.
        headers["retry-after"] = str(max(1, math.ceil(error.retry_after)))
    return _json_response(error.status, body, request_id, headers)


def _json_response(
    status: int, body: dict[str, Any], request_id: str, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        json_bytes(body),
        status_code=status,
        media_type="application/json",
        headers={"x-request-id": request_id, **(headers or {})},
    )
