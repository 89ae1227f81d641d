"""Build a ready generated `Client` in one call, from arguments, the environment or defaults.

Precedence: explicit arguments, then `OMNI_BASE_URL` / `KLING_ACCESS_KEY` + `KLING_SECRET_KEY` /
`KLING_API_KEY`, then the local reference server (http://127.0.0.1:8000) with its documented
development keys (docs/reference-server.md). `max_retries=N` (default 0) makes the
calls of `omni_client.calls` retry transient errors (see `omni_client.retries`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

import httpx
from omni_image_client import Client

from omni_client.auth import ApiKeyAuth, KlingJWTAuth
from omni_client.retries import RetryCallback, RetryingClient, RetryPolicy

BASE_URL_ENV = "OMNI_BASE_URL"
ACCESS_KEY_ENV = "KLING_ACCESS_KEY"
SECRET_KEY_ENV = "KLING_SECRET_KEY"
API_KEY_ENV = "KLING_API_KEY"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEV_ACCESS_KEY = "ak-omni-dev"
DEV_SECRET_KEY = "sk-omni-dev-secret-0123456789abcdef"
DEFAULT_TIMEOUT_SECONDS = 30.0


class ConfigurationError(ValueError):
    """The connection settings are incomplete or contradict each other."""


@dataclass(frozen=True)
class ConnectionSettings:
    """Where to connect and with which credentials (an API key, or an access/secret key pair)."""

    base_url: str
    access_key: str | None = None
    secret_key: str | None = None
    api_key: str | None = None
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    def auth(self) -> httpx.Auth:
        """The httpx auth these credentials call for."""
        if self.api_key:
            return ApiKeyAuth(self.api_key)
        if self.access_key and self.secret_key:
            return KlingJWTAuth(self.access_key, self.secret_key)
        raise ConfigurationError("no credentials: give an API key or an access and secret key")


def _pair(access_key: str | None, secret_key: str | None, origin: str) -> bool:
    if bool(access_key) != bool(secret_key):
        raise ConfigurationError(f"{origin}: the access key and secret key go together")
    return bool(access_key)


def resolve_settings(
    *,
    base_url: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    api_key: str | None = None,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
) -> ConnectionSettings:
    """Settings from the arguments, else the environment, else the local development defaults."""
    env = os.environ if env is None else env
    url = base_url or env.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    seconds = DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout
    if api_key and (access_key or secret_key):
        raise ConfigurationError("give either an API key or an access/secret key pair, not both")
    if api_key:
        return ConnectionSettings(url, api_key=api_key, timeout=seconds)
    if _pair(access_key, secret_key, "arguments"):
        return ConnectionSettings(url, access_key, secret_key, timeout=seconds)
    env_access, env_secret = env.get(ACCESS_KEY_ENV), env.get(SECRET_KEY_ENV)
    if _pair(env_access, env_secret, f"{ACCESS_KEY_ENV}/{SECRET_KEY_ENV}"):
        return ConnectionSettings(url, env_access, env_secret, timeout=seconds)
    if env.get(API_KEY_ENV):
        return ConnectionSettings(url, api_key=env[API_KEY_ENV], timeout=seconds)
    return ConnectionSettings(url, DEV_ACCESS_KEY, DEV_SECRET_KEY, timeout=seconds)


def _build(
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None,
    *,
    base_url: str | None,
    access_key: str | None,
    secret_key: str | None,
    api_key: str | None,
    timeout: float | None,
    max_retries: int,
    retry_policy: RetryPolicy | None,
    on_retry: RetryCallback | None,
) -> Client:
    """The generated `Client` for the resolved settings, on `transport` when one is given; a
    `RetryingClient` when `max_retries` > 0."""
    if max_retries < 0:
        raise ConfigurationError(f"max_retries must be >= 0, not {max_retries}")
    settings = resolve_settings(
        base_url=base_url,
        access_key=access_key,
        secret_key=secret_key,
        api_key=api_key,
        timeout=timeout,
    )
    httpx_args: dict[str, object] = {"auth": settings.auth()}
    if transport is not None:
        httpx_args["transport"] = transport
    if max_retries == 0:
        return Client(
            base_url=settings.base_url.rstrip("/"),
            timeout=httpx.Timeout(settings.timeout),
            httpx_args=httpx_args,
        )
    return RetryingClient(
        base_url=settings.base_url.rstrip("/"),
        timeout=httpx.Timeout(settings.timeout),
        httpx_args=httpx_args,
        max_retries=max_retries,
        retry_policy=retry_policy or RetryPolicy(),
        on_retry=on_retry,
    )


def connect(
    *,
    base_url: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    api_key: str | None = None,
    timeout: float | None = None,
    transport: httpx.BaseTransport | None = None,
    max_retries: int = 0,
    retry_policy: RetryPolicy | None = None,
    on_retry: RetryCallback | None = None,
) -> Client:
    """A generated `Client` for synchronous calls (`sync_detailed`, `omni_client.calls`).

    Use it as `with connect() as client:` so the connection pool is closed. With
    `max_retries=N` the calls retry what `omni_client.retries` says is transient, waiting as
    `retry_policy` says and telling `on_retry` about each retry.

    >>> with connect(base_url="http://127.0.0.1:8000") as client:  # development keys
    ...     client.get_httpx_client().base_url
    URL('http://127.0.0.1:8000')
    """
    return _build(
        transport,
        base_url=base_url,
        access_key=access_key,
        secret_key=secret_key,
        api_key=api_key,
        timeout=timeout,
        max_retries=max_retries,
        retry_policy=retry_policy,
        on_retry=on_retry,
    )


def connect_async(
    *,
    base_url: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    api_key: str | None = None,
    timeout: float | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    max_retries: int = 0,
    retry_policy: RetryPolicy | None = None,
    on_retry: RetryCallback | None = None,
) -> Client:
    """A generated `Client` for `asyncio_detailed` calls; `transport` is an async transport.

    Use it as `async with connect_async() as client:` so the connection pool is closed.
    """
    return _build(
        transport,
        base_url=base_url,
        access_key=access_key,
        secret_key=secret_key,
        api_key=api_key,
        timeout=timeout,
        max_retries=max_retries,
        retry_policy=retry_policy,
        on_retry=on_retry,
    )
