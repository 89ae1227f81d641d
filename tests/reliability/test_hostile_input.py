"""Hostile input: each refused with the contract's 4xx, a clear message, and bounded memory."""

from __future__ import annotations

import contextlib
import io
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from reference_server.config import DEV_API_KEY
from reference_server.http_protocol import MAX_HEADER_BYTES
from reference_server.launcher import RunningServer, start_reference_server
from reference_server.request_validation import max_body_bytes
from scripts.reliability.common import rss_bytes, server_tracebacks
from scripts.reliability.images import create_body_with_image, png_declaring
from tests.reference_server.helpers import PATH, bearer, image_bytes

MIB = 1 << 20
AUTH = f"Authorization: Bearer {DEV_API_KEY}\r\n".encode()


def raw_exchange(server: RunningServer, request: bytes) -> tuple[int, dict[str, Any]]:
    """Send raw bytes, read the whole answer (Connection: close); (status, JSON body)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


def get_raw(server: RunningServer, target: bytes, extra: bytes = b"") -> tuple[int, dict[str, Any]]:
    return raw_exchange(
        server,
        b"GET "
        + target
        + b" HTTP/1.1\r\nHost: t\r\n"
        + AUTH
        + extra
        + b"Connection: close\r\n\r\n",
    )


def post_create(server: RunningServer, content: bytes) -> httpx.Response:
    return httpx.post(server.base_url + PATH, content=content, headers=bearer(), timeout=60)


def assert_refused(response: httpx.Response, code: int, fragment: str) -> None:
    body = response.json()
    assert (response.status_code, body["code"]) == ((400, code) if code >= 1200 else (401, code))
    assert fragment in body["message"] and "data" not in body


def test_declared_200_mb_body_is_refused_unread_and_memory_stays_flat(
    server: RunningServer,
) -> None:
    """Content-Length 200 MB: 400/1200 before any body byte is sent; the server's RSS grows < 16 MiB."""
    before = rss_bytes(server.process.pid)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"POST " + PATH.encode() + b" HTTP/1.1\r\nHost: t\r\n" + AUTH
                     + f"Content-Length: {200 * MIB}\r\n\r\n".encode())  # fmt: skip
        answer = b""
        while b"}" not in answer:  # the answer comes before we send a single body byte
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
        with contextlib.suppress(OSError):  # the server closes: it will not read 200 MB
            for _ in range(4):
                sock.sendall(b"[" * MIB)
    assert answer.startswith(b"HTTP/1.1 400") and b'"code":1200' in answer
    assert rss_bytes(server.process.pid) - before < 16 * MIB


def test_streamed_1_gb_body_is_cut_at_the_limit_memory_bounded_by_it(server: RunningServer) -> None:
    """A chunked 1 GB body is refused at the body limit; RSS grows by less than the limit + 64 MiB."""
    limit = max_body_bytes()
    before = rss_bytes(server.process.pid)

    def body() -> Iterator[bytes]:
        block = b" " * MIB
        for _ in range(1024):
            yield block

    try:
        response = httpx.post(server.base_url + PATH, content=body(), headers=bearer(), timeout=60)
        assert_refused(response, 1200, "larger than")
    except httpx.TransportError:
        pass  # the server may close before the client finished sending
    growth = rss_bytes(server.process.pid) - before
    print(
        f"RSS growth for a streamed 1 GB body: {growth / MIB:.0f} MiB (limit {limit / MIB:.0f} MiB)"
    )
    assert growth < limit + 64 * MIB
    assert httpx.get(server.base_url + PATH, headers=bearer()).status_code == 200


@pytest.mark.parametrize(
    ("content", "code", "fragment"),
    [
        (b"[" * 100_000 + b"]" * 100_000, 1200, "nested too deeply"),
        (b'{"prompt": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"}", 1200, "nested too deeply"),
        (b'{"prompt": "caf\xe9"}', 1200, "not valid UTF-8"),
        (b'{"prompt": "\xff\xfe\x00"}', 1200, "not valid UTF-8"),
        (b"\x00" * 1000, 1200, "not valid JSON"),
        (b'{"prompt": "x", "image_list": ' + json.dumps([{"image": "QUFB"}] * 10_000).encode() + b"}",
         1201, "10000 references"),
        (b'{"prompt": "x", "element_list": ' + json.dumps([{"element_id": 1001}] * 10_000).encode()
         + b"}", 1201, "10000 references"),
        (b'{"prompt": ' + json.dumps(["x"] * 10_000).encode() + b"}", 1201, "prompt"),
        (b'{"prompt": "x", "n": ' + json.dumps(list(range(10_000))).encode() + b"}", 1201, "n"),
    ],
    ids=["deep-array", "deep-object", "latin1", "bad-utf8-nul", "nul-bytes", "10k-images",
         "10k-elements", "10k-prompt", "10k-n"],
)  # fmt: skip
def test_hostile_bodies_are_refused_with_a_reason(
    server: RunningServer, content: bytes, code: int, fragment: str
) -> None:
    """Deep nesting, invalid UTF-8, NUL bytes and 10,000-element arrays -> 1200/1201 with a reason."""
    assert_refused(post_create(server, content), code, fragment)


def test_enormous_headers_are_refused_with_an_envelope(server: RunningServer) -> None:
    """A header section over the cap -> 400/1200 JSON, whether it arrives whole or in pieces."""
    big = b"X-Big: " + b"a" * (MAX_HEADER_BYTES + 10) + b"\r\n"
    status, body = get_raw(server, PATH.encode(), big)
    assert (status, body["code"]) == (400, 1200) and "headers" in body["message"]
    # An endless header: the server answers once it holds more than the cap, without the end.
    endless = (
        b"GET "
        + PATH.encode()
        + b" HTTP/1.1\r\nHost: t\r\nX-Endless: "
        + b"a" * (MAX_HEADER_BYTES + 1024)
    )
    status, body = raw_exchange(server, endless)
    assert (status, body["code"]) == (400, 1200) and "headers" in body["message"]


def test_nul_and_newline_in_headers_answer_an_envelope(server: RunningServer) -> None:
    """A NUL byte in a header value (h11 refuses it) still gets a 400/1200 JSON envelope."""
    status, body = raw_exchange(
        server,
        b"GET "
        + PATH.encode()
        + b" HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer omni\x00dev\r\n\r\n",
    )
    assert (status, body["code"]) == (400, 1200) and body["request_id"]


@pytest.mark.parametrize(
    "target",
    [
        b"/../../../etc/passwd",
        b"/..%2F..%2Fetc%2Fpasswd",
        b"/%2e%2e/%2e%2e/etc/passwd",
        b"/%252e%252e%252fetc",
        b"/%00",
        b"/%ff%fe",
        b"/a%0Ab",
        b"/" + b"%41" * 5000,
    ],
)
def test_path_ids_with_traversal_and_encodings_are_not_found(
    server: RunningServer, target: bytes
) -> None:
    """Path ids with ../, %2F, %00, invalid UTF-8 or 5,000 escapes are just unknown ids: 404/1203."""
    status, body = get_raw(server, PATH.encode() + target)
    assert (status, body["code"]) == (404, 1203) and "not found" in body["message"]


@pytest.mark.parametrize(
    "target",
    [b"/results/../../etc/passwd", b"/results/x/..%2F..%2Fetc%2Fpasswd", b"/results/1/0.png%00"],
)
def test_result_paths_do_not_traverse(server: RunningServer, target: bytes) -> None:
    """Result image paths with traversal never reach the file system: a 404 envelope."""
    status, body = get_raw(server, target)
    assert status == 404 and body["code"] in (1202, 1203)


def test_decompression_bomb_is_refused_cheaply(server: RunningServer) -> None:
    """A 1 KB PNG declaring 60,000 x 60,000 px -> 1201 naming the pixel limit; RSS stays flat."""
    before = rss_bytes(server.process.pid)
    response = post_create(server, create_body_with_image(png_declaring(60_000, 60_000)))
    assert_refused(response, 1201, "decompression-bomb limit")
    assert "60000x60000" in response.json()["message"]
    assert rss_bytes(server.process.pid) - before < 16 * MIB


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_images_are_refused(server: RunningServer, fmt: str) -> None:
    """A PNG or JPEG cut in the middle of its data -> 1201 'truncated or damaged'."""
    buffer = io.BytesIO()
    Image.effect_noise((400, 400), 60).convert("RGB").save(buffer, format=fmt)
    data = buffer.getvalue()
    assert_refused(
        post_create(server, create_body_with_image(data[: len(data) // 2])),
        1201,
        f"{fmt} data is truncated",
    )
    assert (
        post_create(server, create_body_with_image(data)).status_code == 200
    )  # the whole file passes
    assert (
        post_create(server, create_body_with_image(data + b"\0" * 4096)).status_code == 200
    )  # padded too


def test_png_with_a_corrupted_chunk_is_refused(server: RunningServer) -> None:
    """A PNG whose IDAT CRC is wrong -> 1201."""
    data = bytearray(image_bytes(400, 400))
    idat = data.find(b"IDAT")
    data[idat + 10] ^= 0xFF
    assert_refused(
        post_create(server, create_body_with_image(bytes(data))), 1201, "truncated or damaged"
    )


def test_no_traceback_after_hostile_input(server: RunningServer) -> None:
    """Whatever ran before in this module, the server log holds no traceback."""
    assert httpx.get(server.base_url + PATH, headers=bearer()).status_code == 200
    assert server_tracebacks(server.output) == []


def test_concurrent_oversized_bodies_share_a_bounded_memory_budget() -> None:
    """Four clients streaming 300 MB at once: peak RSS growth stays under two body limits + 64 MiB."""
    limit = max_body_bytes()
    with start_reference_server() as fresh:
        before = rss_bytes(fresh.process.pid)
        peak = [before]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], rss_bytes(fresh.process.pid))
                done.wait(0.02)

        def send() -> None:
            def body() -> Iterator[bytes]:
                block = b" " * MIB
                for _ in range(300):
                    yield block

            with contextlib.suppress(httpx.HTTPError):
                httpx.post(fresh.base_url + PATH, content=body(), headers=bearer(), timeout=120)

        sampler = threading.Thread(target=sample)
        sampler.start()
        senders = [threading.Thread(target=send) for _ in range(4)]
        for thread in senders:
            thread.start()
        for thread in senders:
            thread.join()
        done.set()
        sampler.join()
        growth = peak[0] - before
        print(f"peak RSS growth with 4 concurrent 300 MB bodies: {growth / MIB:.0f} MiB")
        assert growth < 2 * limit + 64 * MIB
        assert httpx.get(fresh.base_url + PATH, headers=bearer()).status_code == 200
