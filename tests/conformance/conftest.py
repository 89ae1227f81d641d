"""A reference server with every optional input of the suite, shared by this folder's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.config import SuiteConfig
from reference_server.launcher import RunningServer, start_reference_server
from scripts import run_conformance as runner


@pytest.fixture(scope="session")
def reference_server() -> Iterator[RunningServer]:
    """The reference server started like `make conformance` does (second user, elements, secret)."""
    with start_reference_server(
        users={
            runner.DEV_USER[0]: runner.DEV_USER[1],
            runner.SECOND_USER[0]: runner.SECOND_USER[1],
        },
        api_keys={runner.API_KEY: runner.DEV_USER[0]},
        element_ids=runner.ELEMENT_IDS,
        webhook_secret=runner.WEBHOOK_SECRET,
        failure_marker=runner.FAILURE_MARKER,
        step_delay=0.05,
    ) as server:
        yield server


def full_config(base_url: str, **overrides: object) -> SuiteConfig:
    """Every optional input given, small Schemathesis budget, fixed seed."""
    values: dict[str, object] = {
        "base_url": base_url,
        "access_key": runner.DEV_USER[0],
        "secret_key": runner.DEV_USER[1],
        "api_key": runner.API_KEY,
        "second_access_key": runner.SECOND_USER[0],
        "second_secret_key": runner.SECOND_USER[1],
        "element_ids": runner.ELEMENT_IDS,
        "webhook_secret": runner.WEBHOOK_SECRET,
        "failure_prompt": runner.FAILURE_MARKER,
        "seed": 20261126,
        "max_examples": 5,
        "task_timeout": 30.0,
    }
    values.update(overrides)
    return SuiteConfig(**values)  # type: ignore[arg-type]
