"""HTTP/1.1 protocol refusals as contract envelopes (rule `envelope`), and the header size cap.

uvicorn answers a request h11 cannot parse (NUL or newline in a header, a header section larger
than the cap, a broken request line) with a plain-text 400 before the app sees it. The contract
wants every response to be a JSON envelope, so this subclass writes 400/1200 with a message and
a request_id instead. The same cap is checked in the app for header sections that arrive whole
(h11 only measures what is still incomplete).
"""

from __future__ import annotations

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from reference_server import codes
from reference_server.envelope import ApiError, json_bytes, new_request_id

MAX_HEADER_BYTES = 64 * 1024
BAD_REQUEST_CODE = codes.BODY_MALFORMED  # rule `body-json-object`


def header_bytes(raw_headers: list[tuple[bytes, bytes]]) -> int:
    return sum(len(name) + len(value) + 4 for name, value in raw_headers)


def headers_too_large(size: int) -> ApiError:
    return ApiError(
        BAD_REQUEST_CODE, f"request headers are {size} bytes; at most {MAX_HEADER_BYTES}"
    )


class EnvelopeH11Protocol(H11Protocol):
    """uvicorn's h11 protocol whose early 400 is a JSON envelope."""

    def send_400_response(self, msg: str) -> None:
        request_id = new_request_id()
        error = ApiError(
            BAD_REQUEST_CODE,
            "invalid HTTP request: malformed request line or headers, or headers larger than "
            f"{MAX_HEADER_BYTES} bytes",
        )
        body = json_bytes({"code": error.code, "message": error.message, "request_id": request_id})
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-request-id", request_id.encode()),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=error.status, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self.transport.close()
