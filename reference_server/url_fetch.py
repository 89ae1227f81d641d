"""Outbound HTTP under a host policy: reference-image URLs (rule `reference-image-url`), callbacks.

The policy decides on the RESOLVED address, inside the connection layer, right before connecting,
and the connection goes to exactly the address that was checked (no second lookup a DNS rebind
could change). Every redirect hop connects through the same check. Proxies from the environment
are ignored, so nothing bypasses the policy.

A URL need not be a strict RFC 3986 URI (silence `callback-url-not-strict-uri`: this server
accepts it): `outbound_url` IDNA-encodes a non-ASCII host (IDNA 2008 as httpx does, else the
more lenient IDNA 2003) and percent-encodes the rest, and the request goes to that URL.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import anyio
import httpcore
import httpx

from reference_server import codes
from reference_server.config import URL_POLICY_LOOPBACK_ONLY, URL_POLICY_PUBLIC_ONLY
from reference_server.envelope import ApiError

Resolver = Callable[[str, int], Awaitable[list[str]]]
INVALID = codes.INVALID_FIELD  # rule `body-json-object`
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
LOOPBACK_ADDRESS = "127.0.0.1"
MAX_CONNECTIONS = 100
MIN_PORT, MAX_PORT = 1, 65535
DOWNLOAD_SLOTS = 4  # reference-image URL downloads in flight at once, server-wide
_downloads = anyio.CapacityLimiter(DOWNLOAD_SLOTS)


class HostRefusedError(Exception):
    """The host policy refuses this host; no connection was attempted."""


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


class HostPolicy:
    """allow-loopback (any host), public-only (no loopback/private/reserved), loopback-only."""

    def __init__(self, policy: str, resolver: Resolver = system_resolver) -> None:
        self.policy = policy
        self.resolver = resolver

    def allows(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        if isinstance(address, ipaddress.IPv6Address):
            embedded = _embedded_ipv4(address)
            if embedded is not None and not self.allows(embedded):
                return False  # NAT64, 6to4, Teredo: the IPv4 inside must pass too
            if address.ipv4_mapped:
                address = address.ipv4_mapped
        if self.policy == URL_POLICY_LOOPBACK_ONLY:
            return address.is_loopback
        if self.policy == URL_POLICY_PUBLIC_ONLY:
            return address.is_global and not address.is_multicast
        return True

    async def checked_address(self, host: str, port: int) -> str:
        """The address to connect to, or HostRefusedError (before any connection)."""
        literal = _ip_literal(host)
        if literal is None and self.policy == URL_POLICY_LOOPBACK_ONLY:
            # Under loopback-only, no name is resolved: even the lookup would send a DNS packet
            # out. The well-known loopback names map to the loopback address directly.
            if host.lower().rstrip(".") not in LOOPBACK_NAMES:
                raise HostRefusedError(f"host {host!r} is not loopback (policy loopback-only)")
            literal = ipaddress.IPv4Address(LOOPBACK_ADDRESS)
        addresses = [str(literal)] if literal is not None else await self.resolver(host, port)
        if not addresses:
            raise HostRefusedError(f"host {host!r} does not resolve")
        for address in addresses:
            parsed = ipaddress.ip_address(address.split("%", 1)[0])
            if not self.allows(parsed):
                raise HostRefusedError(
                    f"host {host!r} resolves to {address}, refused by policy {self.policy}"
                )
        return addresses[0]


class PolicyNetworkBackend(httpcore.AsyncNetworkBackend):
    """httpcore backend that connects only to addresses the host policy accepts."""

    def __init__(
        self, policy: HostPolicy, inner: httpcore.AsyncNetworkBackend | None = None
    ) -> None:
        self.policy = policy
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        address = await self.policy.checked_address(host, port)
        return await self.inner.connect_tcp(address, port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise HostRefusedError("unix sockets are not reachable from URLs")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def policy_client(policy: HostPolicy, max_redirects: int, timeout: float) -> httpx.AsyncClient:
    """An AsyncClient whose every connection goes through the host policy."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx has no public hook for the network backend; swap the pool it built for one using ours.
    # Sized like httpx's own default (httpcore's is 10): slow receivers holding connections must
    # not starve other callbacks or image fetches (callbacks.MAX_IN_FLIGHT stays below it).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        network_backend=PolicyNetworkBackend(policy),
        max_connections=MAX_CONNECTIONS,
        max_keepalive_connections=20,
        keepalive_expiry=5.0,
    )
    return httpx.AsyncClient(
        transport=transport,
        trust_env=False,
        follow_redirects=True,
        max_redirects=max_redirects,
        timeout=timeout,
    )


def is_http_url(text: str) -> bool:
    return text[:8].lower().startswith(("http://", "https://"))


def outbound_url(url: str) -> httpx.URL:
    """The URL a request to `url` goes to: host IDNA-encoded, path and query percent-encoded."""
    try:
        return httpx.URL(url)
    except httpx.InvalidURL as exc:
        if "IDNA" not in str(exc):
            raise
    # IDNA 2008 (what httpx uses) refuses some names browsers reach (symbols such as U+2603);
    # IDNA 2003, Python's own codec, maps them: use it for the host and let httpx do the rest.
    parts = urllib.parse.urlsplit(url)
    userinfo, at, host_port = parts.netloc.rpartition("@")
    host, colon, port = host_port.partition(":")
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise httpx.InvalidURL(f"Invalid IDNA hostname: {host!r}") from None
    netloc = f"{userinfo}{at}{ascii_host}{colon}{port}"
    return httpx.URL(urllib.parse.urlunsplit(parts._replace(netloc=netloc)))


def check_url_is_valid(url: str, where: str) -> None:
    """1201 unless url parses and its port (if given) is a TCP port, 1..65535."""
    try:
        port = outbound_url(url).port
    except (httpx.InvalidURL, ValueError):
        raise ApiError(INVALID, f"{where}: not a valid URL") from None
    if port is not None and not MIN_PORT <= port <= MAX_PORT:
        raise ApiError(INVALID, f"{where}: port {port} is outside {MIN_PORT}..{MAX_PORT}")


async def fetch_reference_image(
    client: httpx.AsyncClient, url: str, where: str, max_bytes: int, timeout: float
) -> bytes:
    """The bytes at url (rule `reference-image-url`), or 1201 saying why they could not be had."""
    try:
        # Downloads hold up to max_bytes each: a few at a time bound memory like large bodies do.
        # The wait for a slot is outside the timeout (every holder is bounded by its own).
        async with _downloads:
            with anyio.fail_after(timeout):
                async with client.stream("GET", url) as response:
                    if response.status_code != 200:
                        raise ApiError(
                            INVALID, f"{where}: URL answered HTTP {response.status_code}"
                        )
                    return await _read_capped(response, where, max_bytes)
    except TimeoutError:
        raise ApiError(INVALID, f"{where}: URL did not answer within {timeout:g} s") from None
    except HostRefusedError as exc:
        raise ApiError(INVALID, f"{where}: {exc}") from None
    except httpx.TooManyRedirects:
        raise ApiError(INVALID, f"{where}: URL redirects more than allowed") from None
    except ApiError:
        raise
    except Exception as exc:  # any other failure (incl. exception groups) is the URL's fault
        raise ApiError(
            INVALID, f"{where}: URL could not be fetched ({type(exc).__name__})"
        ) from None


async def _read_capped(response: httpx.Response, where: str, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ApiError(INVALID, f"{where}: image is {declared} bytes; at most {max_bytes}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise ApiError(INVALID, f"{where}: image is more than {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


NAT64_PREFIXES = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a translating prefix carries (a gateway would connect to it)."""
    if any(address in network for network in NAT64_PREFIXES):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None
