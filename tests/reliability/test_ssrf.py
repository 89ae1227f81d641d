"""URL fetching under the host policy (SSRF), timeouts and byte caps.

Refusals are proven with a fake resolver and a recording network backend: the test asserts that
no connection was attempted. The only real sockets are loopback servers (slow, endless).
"""

from __future__ import annotations

import socketserver
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpcore
import httpx
import pytest

from reference_server.callbacks import CallbackDispatcher
from reference_server.config import URL_POLICY_LOOPBACK_ONLY, URL_POLICY_PUBLIC_ONLY
from reference_server.envelope import ApiError
from reference_server.launcher import RunningServer
from reference_server.reference_images import max_image_bytes
from reference_server.store import PendingDelivery
from reference_server.store_sqlite import SqliteTaskStore
from reference_server.url_fetch import (
    HostPolicy,
    PolicyNetworkBackend,
    fetch_reference_image,
    policy_client,
)
from tests.reference_server.helpers import create

PUBLIC = "93.184.216.34"


class RecordingMockBackend(httpcore.AsyncNetworkBackend):
    """Records every connection the policy let through and answers canned bytes; no socket."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self.attempts: list[tuple[str, int]] = []

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None,
        local_address: str | None = None, socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:  # fmt: skip
        self.attempts.append((host, port))
        return httpcore.AsyncMockStream([self.answer])

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


def fake_resolver(table: dict[str, str]) -> Callable[[str, int], Awaitable[list[str]]]:
    async def resolve(host: str, port: int) -> list[str]:
        return [table[host]]

    return resolve


def client_over(policy: HostPolicy, inner: httpcore.AsyncNetworkBackend) -> httpx.AsyncClient:
    """policy_client, but with `inner` under the policy instead of real sockets."""
    client = policy_client(policy, 3, 5.0)
    transport = client._transport
    assert isinstance(transport, httpx.AsyncHTTPTransport)
    transport._pool = httpcore.AsyncConnectionPool(
        network_backend=PolicyNetworkBackend(policy, inner)
    )
    return client


def fetch(
    client: httpx.AsyncClient, url: str, timeout: float = 5.0, max_bytes: int = 1 << 20
) -> bytes:
    async def run() -> bytes:
        async with client:
            return await fetch_reference_image(client, url, "image", max_bytes, timeout)

    return anyio.run(run)


def redirect_to(location: str) -> bytes:
    return f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode()


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/latest/", "http://10.0.0.5/",
     "http://[::ffff:192.168.1.1]/", "http://internal.example/", "http://127.0.0.1:8000/"],
)  # fmt: skip
def test_redirect_into_a_private_address_is_never_connected(target: str) -> None:
    """public-only: the public first hop connects once; its redirect to a private host never does."""
    inner = RecordingMockBackend(redirect_to(target))
    policy = HostPolicy(URL_POLICY_PUBLIC_ONLY, fake_resolver({"images.example": PUBLIC,
                                                               "internal.example": "10.9.8.7"}))  # fmt: skip
    with pytest.raises(ApiError) as caught:
        fetch(client_over(policy, inner), "http://images.example/a.png")
    assert inner.attempts == [(PUBLIC, 80)]
    assert caught.value.code == 1201 and "refused by policy public-only" in caught.value.message


@pytest.mark.parametrize(
    "address",
    ["100.64.0.1", "192.0.2.1", "198.18.0.1", "224.0.0.1", "255.255.255.255", "fe80::1",
     "fc00::1", "::", "::ffff:10.0.0.1", "64:ff9b::a00:1", "64:ff9b::a9fe:a9fe",
     "2002:a00:1::1", "2001:0:4136:e378:8000:63bf:f5ff:fffe"],
)  # fmt: skip
def test_public_only_refuses_every_non_global_literal_without_connecting(address: str) -> None:
    """CGNAT, TEST-NET, multicast, broadcast, link-local, ULA, mapped, NAT64/6to4/Teredo of private."""
    inner = RecordingMockBackend(b"")
    policy = HostPolicy(URL_POLICY_PUBLIC_ONLY, fake_resolver({}))
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(ApiError):
        fetch(client_over(policy, inner), f"http://{host}/a.png")
    assert inner.attempts == []


def test_loopback_only_refuses_decimal_and_hex_hosts_without_resolving() -> None:
    """loopback-only: 2130706433, 0x7f000001 and a dotted name are refused before any lookup."""
    inner = RecordingMockBackend(b"")
    looked_up: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return ["127.0.0.1"]

    policy = HostPolicy(URL_POLICY_LOOPBACK_ONLY, resolver)
    for url in ("http://2130706433/", "http://0x7f000001/", "http://127.0.0.1.nip.io/"):
        with pytest.raises(ApiError):
            fetch(client_over(policy, inner), url)
    assert looked_up == [] and inner.attempts == []


def test_callback_to_a_metadata_address_is_never_connected(tmp_path: Any) -> None:
    """A callback URL resolving to 169.254.169.254 under public-only: refused, nothing connected."""
    inner = RecordingMockBackend(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    policy = HostPolicy(URL_POLICY_PUBLIC_ONLY, fake_resolver({"hooks.example": "169.254.169.254"}))
    store = SqliteTaskStore(tmp_path / "db.sqlite3")
    delivery = PendingDelivery(1, "1", "http://hooks.example/cb", b"{}", 0)

    async def post() -> str | None:
        async with client_over(policy, inner) as client:
            dispatcher = CallbackDispatcher(
                store, client, webhook_secrets=(), max_attempts=3, retry_base=0.1
            )
            return await dispatcher._post(delivery)

    error = anyio.run(post)
    store.close()
    assert error is not None and "refused by policy" in error and inner.attempts == []


@contextmanager
def misbehaving_server(mode: str) -> Iterator[str]:
    """A loopback HTTP server that never finishes: `endless` bytes, a `drip`, or `silent`."""
    stop = threading.Event()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.recv(65536)
            try:
                if mode == "silent":
                    stop.wait(30)
                    return
                self.request.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n"
                )
                block = b"\0" * (64 * 1024 if mode == "endless" else 1)
                while not stop.is_set():
                    self.request.sendall(block)
                    if mode == "drip":
                        stop.wait(0.1)
            except OSError:
                pass  # the client gave up: what we want

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/image.png"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def loopback_client() -> httpx.AsyncClient:
    return policy_client(HostPolicy(URL_POLICY_LOOPBACK_ONLY), 3, 5.0)


def test_endless_body_is_cut_at_the_byte_cap() -> None:
    """An endless answer without Content-Length -> 1201 once it passes the cap."""
    with misbehaving_server("endless") as url, pytest.raises(ApiError) as caught:
        fetch(loopback_client(), url, timeout=30, max_bytes=max_image_bytes())
    assert (
        caught.value.code == 1201 and f"more than {max_image_bytes()} bytes" in caught.value.message
    )


@pytest.mark.parametrize("mode", ["drip", "silent"])
def test_slow_servers_hit_the_total_timeout(mode: str) -> None:
    """A byte-a-tick drip or a silent server -> 1201 'did not answer within' (total, not per read)."""
    with misbehaving_server(mode) as url, pytest.raises(ApiError) as caught:
        started = time.monotonic()
        fetch(loopback_client(), url, timeout=1.0)
    print(f"{mode}: refused after {time.monotonic() - started:.2f} s")  # measured, not asserted
    assert caught.value.code == 1201 and "did not answer within 1 s" in caught.value.message


def test_server_cuts_an_endless_reference_image(server: RunningServer) -> None:
    """End to end: the running server answers 1201 for an endless image URL and stays healthy."""
    with misbehaving_server("endless") as url:
        response = create(server.base_url, {"prompt": "x", "image_list": [{"image": url}]})
    assert (response.status_code, response.json()["code"]) == (400, 1201)
    assert "bytes" in response.json()["message"]
