"""Reference-image URLs (rule `reference-image-url`) and the host policy.

Refused hosts are checked with a fake resolver and a fake connection backend: the test asserts
no connection was attempted, and no packet ever leaves loopback.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import anyio
import httpcore
import httpx
import pytest

from reference_server.config import (
    URL_POLICY_ALLOW_LOOPBACK,
    URL_POLICY_LOOPBACK_ONLY,
    URL_POLICY_PUBLIC_ONLY,
)
from reference_server.envelope import ApiError
from reference_server.url_fetch import (
    DOWNLOAD_SLOTS,
    HostPolicy,
    HostRefusedError,
    PolicyNetworkBackend,
    Resolver,
    fetch_reference_image,
    policy_client,
)
from tests.reference_server.helpers import create, image_bytes, receiver


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Records connection attempts and refuses them all (nothing is ever sent)."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, int]] = []
        self.refusal: HostRefusedError | None = None

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.attempts.append((host, port))
        raise httpcore.ConnectError("test backend never connects")


def resolver_to(*addresses: str) -> tuple[Resolver, list[str]]:
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return list(addresses)

    return resolve, calls


def connect(policy: HostPolicy, host: str) -> RecordingBackend:
    """Connect through the policy; a refusal is kept in `.refusal`, any other error propagates."""
    inner = RecordingBackend()
    backend = PolicyNetworkBackend(policy, inner)

    async def attempt() -> None:
        await backend.connect_tcp(host, 443)

    try:
        anyio.run(attempt)
    except HostRefusedError as exc:
        inner.refusal = exc
    except httpcore.ConnectError as exc:  # only RecordingBackend raises it, after recording
        assert inner.attempts, exc
    return inner


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.7", "169.254.169.254",
                                     "::1", "fd00::1", "::ffff:127.0.0.1", "0.0.0.0"])  # fmt: skip
def test_public_only_refuses_non_public_resolutions_without_connecting(address: str) -> None:
    """public-only: a name resolving to a loopback/private/link-local address is never connected."""
    resolve, calls = resolver_to(address)
    inner = connect(HostPolicy(URL_POLICY_PUBLIC_ONLY, resolve), "images.example")
    assert calls == ["images.example"] and inner.attempts == []
    assert inner.refusal is not None and "refused by policy public-only" in str(inner.refusal)


def test_public_only_refuses_if_any_resolved_address_is_private() -> None:
    """A name resolving to public and private addresses is refused (no mixed-answer trick)."""
    resolve, _ = resolver_to("93.184.216.34", "127.0.0.1")
    inner = connect(HostPolicy(URL_POLICY_PUBLIC_ONLY, resolve), "mixed.example")
    assert inner.attempts == [] and "resolves to 127.0.0.1" in str(inner.refusal)


def test_public_only_connects_to_the_checked_address() -> None:
    """An allowed name is connected by its checked IP (no second lookup to rebind)."""
    resolve, _ = resolver_to("93.184.216.34")
    inner = connect(HostPolicy(URL_POLICY_PUBLIC_ONLY, resolve), "images.example")
    assert inner.attempts == [("93.184.216.34", 443)]


def test_loopback_only_refuses_names_without_resolving() -> None:
    """loopback-only: a non-loopback name is refused before any DNS lookup."""
    resolve, calls = resolver_to("127.0.0.1")
    inner = connect(HostPolicy(URL_POLICY_LOOPBACK_ONLY, resolve), "example.com")
    assert calls == [] and inner.attempts == [] and "is not loopback" in str(inner.refusal)
    inner = connect(HostPolicy(URL_POLICY_LOOPBACK_ONLY, resolve), "203.0.113.9")
    assert inner.attempts == [] and "refused by policy loopback-only" in str(inner.refusal)
    assert connect(HostPolicy(URL_POLICY_LOOPBACK_ONLY, resolve), "127.0.0.1").attempts


@pytest.mark.parametrize("host", ["localhost", "localhost.localdomain", "LOCALHOST."])
def test_loopback_only_maps_loopback_names_without_resolving(host: str) -> None:
    """loopback-only: localhost names connect to 127.0.0.1 and the resolver is never called."""
    resolve, calls = resolver_to("203.0.113.9")
    inner = connect(HostPolicy(URL_POLICY_LOOPBACK_ONLY, resolve), host)
    assert calls == [] and inner.attempts == [("127.0.0.1", 443)] and inner.refusal is None


def test_allow_loopback_default_connects_to_loopback() -> None:
    """The default policy lets loopback through."""
    resolve, _ = resolver_to("127.0.0.1")
    assert connect(HostPolicy(URL_POLICY_ALLOW_LOOPBACK, resolve), "localhost").attempts


def test_refused_url_is_1201_and_never_connected() -> None:
    """fetch_reference_image under public-only answers 1201 and the transport saw no connection."""
    resolve, _ = resolver_to("127.0.0.1")
    client = policy_client(HostPolicy(URL_POLICY_PUBLIC_ONLY, resolve), 3, 5.0)

    async def fetch() -> None:
        async with client:
            await fetch_reference_image(client, "http://images.example/a.png", "image", 10, 5.0)

    with pytest.raises(ApiError) as caught:
        anyio.run(fetch)
    assert caught.value.code == 1201 and "refused by policy public-only" in caught.value.message


@pytest.mark.parametrize("where", ["image_list", "callback_url"])
def test_url_with_port_out_of_range_is_1201(base_url: str, where: str) -> None:
    """A URL with port 99999 (image or callback) is 1201 naming the port, never a 500."""
    url = "http://127.0.0.1:99999/a.png"
    body: dict[str, object] = {"prompt": "x"}
    if where == "image_list":
        body["image_list"] = [{"image": url}]
    else:
        body["callback_url"] = url
    response = create(base_url, body)
    assert (response.status_code, response.json()["code"]) == (400, 1201)
    assert "port 99999 is outside 1..65535" in response.json()["message"]


def test_any_fetch_failure_is_1201() -> None:
    """An unexpected error (an exception group) while fetching is 1201, never a traceback."""

    def explode(request: httpx.Request) -> httpx.Response:
        raise ExceptionGroup("connect", [OverflowError("port must be 0-65535")])

    client = httpx.AsyncClient(transport=httpx.MockTransport(explode))

    async def fetch() -> None:
        async with client:
            await fetch_reference_image(client, "http://127.0.0.1:1/a.png", "image", 10, 5.0)

    with pytest.raises(ApiError) as caught:
        anyio.run(fetch)
    assert (
        caught.value.code == 1201
        and "could not be fetched (ExceptionGroup)" in caught.value.message
    )


def test_loopback_url_image_is_fetched_and_checked(base_url: str) -> None:
    """A loopback URL serving a valid PNG is accepted; its size drives the auto ratio."""
    with receiver(payload=image_bytes(750, 300)) as (_, url):
        body = {"prompt": "x", "image_list": [{"image": url + "/image.png"}]}
        assert create(base_url, body).status_code == 200


@pytest.mark.parametrize(
    ("path", "payload", "fragment"),
    [
        ("/missing", b"", "HTTP 404"),
        ("/redirect/9", b"", "redirects"),
        ("/image", b"GIF89a" + b"\0" * 64, "not a JPEG or PNG"),
        ("/image", image_bytes(200, 400), "200x400"),
        ("/image", b"\x89PNG" + b"\0" * (10 * 1024 * 1024 + 1), "at most 10485760"),
    ],
)
def test_bad_url_images_are_1201(base_url: str, path: str, payload: bytes, fragment: str) -> None:
    """Non-200, too many redirects, wrong format, small side, oversize -> 1201 with a reason."""
    with receiver(payload=payload) as (_, url):
        response = create(base_url, {"prompt": "x", "image_list": [{"image": url + path}]})
    body = response.json()
    assert (response.status_code, body["code"]) == (400, 1201) and fragment in body["message"]


def test_few_redirects_are_followed(base_url: str) -> None:
    """Two redirects (under the cap) reach the image."""
    with receiver(payload=image_bytes(400, 400)) as (_, url):
        body = {"prompt": "x", "image_list": [{"image": url + "/redirect/2"}]}
        assert create(base_url, body).status_code == 200


def test_server_under_loopback_only_refuses_public_url(base_url: str) -> None:
    """The running server (loopback-only) refuses a public host without resolving it: 1201."""
    body = {"prompt": "x", "image_list": [{"image": "https://images.example.com/a.png"}]}
    response = create(base_url, body)
    assert response.json()["code"] == 1201 and "loopback" in response.json()["message"]


def test_url_downloads_are_bounded_server_wide() -> None:
    """Twelve concurrent URL fetches never have more than DOWNLOAD_SLOTS downloads in flight."""
    in_flight = 0
    peak = 0

    async def slow_image(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await anyio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, content=b"image")

    client = httpx.AsyncClient(transport=httpx.MockTransport(slow_image))

    async def fetch_many() -> None:
        async with client, anyio.create_task_group() as group:
            for index in range(12):
                url = f"http://127.0.0.1:1/{index}.png"
                group.start_soon(fetch_reference_image, client, url, "image", 100, 5.0)

    anyio.run(fetch_many)
    assert peak == DOWNLOAD_SLOTS
