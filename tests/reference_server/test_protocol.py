"""Envelope, request_id, unsupported methods before auth, unknown paths (rules `envelope`,
`method-not-supported`)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from omni_spec import load_contract
from tests.reference_server.helpers import PATH, bearer

ERROR_VALIDATOR = load_contract().schema_validator("Error")


@pytest.mark.parametrize("method", ["DELETE", "PUT", "PATCH", "OPTIONS", "HEAD", "TRACE"])
@pytest.mark.parametrize("path", [PATH, PATH + "/some-id"])
@pytest.mark.parametrize("authorized", [True, False])
def test_unsupported_method_is_404_1202_before_auth(
    base_url: str, method: str, path: str, authorized: bool
) -> None:
    """Methods the spec lacks on a path -> 404/1202, with or without a token."""
    headers = bearer() if authorized else {}
    response = httpx.request(method, base_url + path, headers=headers)
    assert response.status_code == 404
    if method != "HEAD":
        assert response.json()["code"] == 1202
        assert not list(ERROR_VALIDATOR.iter_errors(response.json()))


def test_get_on_create_path_without_token_is_1001_not_1202(base_url: str) -> None:
    """A supported method is authenticated: GET without a token is 401/1001."""
    assert httpx.get(base_url + PATH).json()["code"] == 1001


def test_unknown_path_is_404_envelope(base_url: str) -> None:
    """A path outside the API answers a 404 error envelope."""
    response = httpx.get(base_url + "/v2/whatever", headers=bearer())
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert not list(ERROR_VALIDATOR.iter_errors(response.json()))


def test_every_response_has_distinct_request_id(base_url: str) -> None:
    """Success and error envelopes all carry a request_id, distinct per response."""
    responses = [
        httpx.get(base_url + PATH, headers=bearer()),
        httpx.get(base_url + PATH),
        httpx.delete(base_url + PATH),
        httpx.get(base_url + PATH + "/nope", headers=bearer()),
        httpx.get(base_url + "/"),
    ]
    ids = [response.json()["request_id"] for response in responses]
    assert all(ids) and len(set(ids)) == len(ids)
    assert all(r.headers["content-type"] == "application/json" for r in responses)
    assert responses[0].json()["code"] == 0 and "data" in responses[0].json()
    assert all("data" not in r.json() for r in responses[1:])


def test_declared_oversize_body_is_refused_without_reading_it(base_url: str) -> None:
    """Content-Length above the largest valid request -> 400/1200 before any body byte is sent."""
    from reference_server.request_validation import max_body_bytes

    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(
            (
                f"POST {PATH} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer omni-dev-api-key\r\n"
                f"Content-Type: application/json\r\nContent-Length: {max_body_bytes() + 1}\r\n\r\n"
            ).encode()
        )
        sock.settimeout(10)
        answer = ""
        while "}" not in answer:  # headers and body may arrive in separate segments
            chunk = sock.recv(65536).decode()
            if not chunk:
                break
            answer += chunk
    assert answer.startswith("HTTP/1.1 400")
    assert '"code":1200' in answer and "larger than" in answer


def test_streamed_oversize_body_is_cut_off(base_url: str) -> None:
    """A chunked body growing past the limit is refused with 400/1200, not buffered whole."""
    from reference_server.request_validation import max_body_bytes

    limit = max_body_bytes()
    chunk = b" " * (1 << 20)

    def body() -> Iterator[bytes]:
        sent = 0
        while sent <= limit + len(chunk):
            sent += len(chunk)
            yield chunk

    try:
        response = httpx.post(base_url + PATH, content=body(), headers=bearer(), timeout=60)
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        # The server answered and closed while the client was still sending: the write fails
        # (broken pipe / reset) or the answer is cut. A timeout or refused connect still fails.
        return_code = None
    else:
        return_code = (response.status_code, response.json()["code"])
    assert return_code in (None, (400, 1200))
    # The server is still healthy afterwards.
    assert httpx.get(base_url + PATH, headers=bearer()).status_code == 200
