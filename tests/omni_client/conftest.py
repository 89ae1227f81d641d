"""Fixtures: one reference server per test session (per xdist worker), loopback only."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from reference_server.launcher import RunningServer, start_reference_server

WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"omni-client-tests-webhook-secret").decode()


@pytest.fixture(scope="session")
def running_server() -> Iterator[RunningServer]:
    """The reference server, signing callbacks with WEBHOOK_SECRET, reaching loopback only."""
    with start_reference_server(
        step_delay=0.05, webhook_secret=WEBHOOK_SECRET, url_policy="loopback-only"
    ) as server:
        yield server


@pytest.fixture
def base_url(running_server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """The server's base URL, also exported as OMNI_BASE_URL (keys from the defaults)."""
    for name in ("KLING_ACCESS_KEY", "KLING_SECRET_KEY", "KLING_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OMNI_BASE_URL", running_server.base_url)
    return str(running_server.base_url)
