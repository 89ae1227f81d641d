"""The suite's loopback receiver: records callbacks in order, fails on request, serves images."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from conformance.receiver import Receiver


def test_records_deliveries_and_fails_first_on_request() -> None:
    """fail_first=1 answers 500 once then 200; bodies and headers are kept in arrival order."""
    with Receiver() as receiver:
        url = receiver.callback_url("t1", fail_first=1)
        first = httpx.post(url, content=b'{"n": 1}', headers={"webhook-id": "msg_1"})
        second = httpx.post(url, content=b'{"n": 2}')
        assert (first.status_code, second.status_code) == (500, 200)
        deliveries = receiver.deliveries("t1")
        assert [d.json() for d in deliveries] == [{"n": 1}, {"n": 2}]
        assert [d.answered for d in deliveries] == [500, 200]
        assert deliveries[0].headers["webhook-id"] == "msg_1"
        assert receiver.deliveries("other") == []


def test_wait_for_returns_when_done_or_at_timeout() -> None:
    """wait_for returns as soon as the predicate holds, or what it has when time runs out."""
    with Receiver() as receiver:
        url = receiver.callback_url("t2")
        httpx.post(url, content=b"{}")
        assert len(receiver.wait_for("t2", lambda ds: len(ds) == 1, timeout=5)) == 1
        assert receiver.wait_for("t2", lambda ds: len(ds) == 3, timeout=0.2) != []


def test_serves_registered_images_and_404_otherwise() -> None:
    """Image URLs answer the bytes with their content type; unknown names are 404."""
    with Receiver() as receiver:
        url = receiver.image_url("a", b"\x89PNG...", "image/png")
        answer = httpx.get(url)
        assert answer.status_code == 200
        assert answer.content == b"\x89PNG..."
        assert answer.headers["content-type"] == "image/png"
        assert httpx.get(receiver.missing_image_url("a")).status_code == 404
        assert url.startswith("http://127.0.0.1:")


def _raw_request(receiver: Receiver, request: bytes) -> bytes:
    """Send raw bytes to the receiver and read its whole answer (it closes the connection)."""
    host, port = receiver.origin.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_records_a_chunked_delivery_whole() -> None:
    """A callback sent with Transfer-Encoding: chunked is recorded with its full body."""

    def pieces() -> Iterator[bytes]:
        yield b'{"task_id": '
        yield b'"abc", "task_status": "succeed"}'

    with Receiver() as receiver:
        url = receiver.callback_url("chunked")
        answer = httpx.post(url, content=pieces())
        assert answer.status_code == 200
        assert answer.request.headers["transfer-encoding"] == "chunked"
        [delivery] = receiver.deliveries("chunked")
        assert delivery.json() == {"task_id": "abc", "task_status": "succeed"}


def test_malformed_framing_is_answered_400_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A non-numeric Content-Length or a bad chunk size gets a clean 400; nothing is recorded."""
    with Receiver() as receiver:
        for framing in (b"Content-Length: ten", b"Transfer-Encoding: chunked"):
            request = (
                b"POST /callbacks/bad HTTP/1.1\r\nHost: x\r\n" + framing + b"\r\n\r\nzz\r\n{}\r\n"
            )
            answer = _raw_request(receiver, request)
            assert answer.startswith(b"HTTP/1.1 400"), answer[:80]
        assert receiver.deliveries("bad") == []
        assert httpx.post(receiver.callback_url("good"), content=b"{}").status_code == 200
    assert "Traceback" not in capsys.readouterr().err
