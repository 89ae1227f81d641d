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
    with start_reference_server(**runner.SERVER_OPTIONS, step_delay=0.05) as server:
        yield server


def full_config(base_url: str, **overrides: object) -> SuiteConfig:
    """Every optional input given, small Schemathesis budget, fixed seed."""
    values: dict[str, object] = {
        **runner.suite_values(base_url),
        "seed": 20261126,
        "max_examples": 5,
        "task_timeout": 30.0,
    }
    values.update(overrides)
    return SuiteConfig(**values)  # type: ignore[arg-type]
