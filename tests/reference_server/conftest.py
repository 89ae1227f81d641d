"""One reference server per test module (per xdist worker), loopback only, two users."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reference_server.launcher import RunningServer, start_reference_server
from tests.reference_server.helpers import API_KEYS, USERS, WEBHOOK_SECRET


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    """The reference server with two users, signed callbacks and quick retries."""
    with start_reference_server(
        users=USERS,
        api_keys=API_KEYS,
        step_delay=0.05,
        webhook_secret=WEBHOOK_SECRET,
        url_policy="loopback-only",
        extra_args=["--callback-retry-base", "0.05"],
    ) as running:
        yield running


@pytest.fixture(scope="module")
def base_url(server: RunningServer) -> str:
    return server.base_url
