"""Tests of omni_client.factory: settings precedence and the ready client."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from omni_client.auth import ApiKeyAuth, KlingJWTAuth
from omni_client.factory import (
    DEFAULT_BASE_URL,
    DEV_ACCESS_KEY,
    DEV_SECRET_KEY,
    ConfigurationError,
    connect,
    resolve_settings,
)


def test_defaults_are_local_server_with_dev_keys() -> None:
    """With nothing set: the local reference server and the development key pair."""
    settings = resolve_settings(env={})
    assert settings.base_url == DEFAULT_BASE_URL == "http://127.0.0.1:8000"
    assert (settings.access_key, settings.secret_key) == (DEV_ACCESS_KEY, DEV_SECRET_KEY)
    assert isinstance(settings.auth(), KlingJWTAuth)


def test_environment_is_used() -> None:
    """OMNI_BASE_URL and KLING_ACCESS_KEY/KLING_SECRET_KEY come from the environment."""
    env = {
        "OMNI_BASE_URL": "http://127.0.0.1:9999",
        "KLING_ACCESS_KEY": "ak",
        "KLING_SECRET_KEY": "sk",
    }
    settings = resolve_settings(env=env)
    assert (settings.base_url, settings.access_key, settings.secret_key) == (
        "http://127.0.0.1:9999",
        "ak",
        "sk",
    )


def test_arguments_win_over_environment() -> None:
    """Explicit arguments take precedence over the environment."""
    env = {"OMNI_BASE_URL": "http://127.0.0.1:9999", "KLING_API_KEY": "env-key"}
    settings = resolve_settings(base_url="http://127.0.0.1:1", api_key="arg-key", env=env)
    assert (settings.base_url, settings.api_key) == ("http://127.0.0.1:1", "arg-key")
    assert isinstance(settings.auth(), ApiKeyAuth)


def test_api_key_from_environment() -> None:
    """KLING_API_KEY alone selects API key auth."""
    assert resolve_settings(env={"KLING_API_KEY": "k"}).api_key == "k"


@pytest.mark.parametrize(
    ("kwargs", "env"),
    [
        ({"access_key": "ak"}, {}),
        ({}, {"KLING_SECRET_KEY": "sk"}),
        ({"api_key": "k", "access_key": "ak", "secret_key": "sk"}, {}),
    ],
)
def test_incomplete_or_conflicting_credentials_are_refused(
    kwargs: dict[str, Any], env: dict[str, str]
) -> None:
    """Half a key pair, or a key pair and an API key, is a ConfigurationError."""
    with pytest.raises(ConfigurationError):
        resolve_settings(env=env, **kwargs)


def test_connect_sends_signed_requests_to_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    """connect() gives a Client whose requests carry a bearer JWT to the chosen base URL."""
    for name in ("OMNI_BASE_URL", "KLING_ACCESS_KEY", "KLING_SECRET_KEY", "KLING_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    client = connect(base_url="http://127.0.0.1:8123/", transport=httpx.MockTransport(handler))
    client.get_httpx_client().get("/v1/images/omni-image")
    assert str(seen[0].url) == "http://127.0.0.1:8123/v1/images/omni-image"
    assert seen[0].headers["Authorization"].startswith("Bearer ey")
