"""One loopback reference server per module for the reliability tests that need no restarts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reference_server.launcher import RunningServer, start_reference_server
from tests.reference_server.helpers import API_KEYS, USERS


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    """Two users, quick lifecycle, loopback-only URLs."""
    with start_reference_server(users=USERS, api_keys=API_KEYS, step_delay=0.05) as running:
        yield running
