"""Start a mutant server (or the unmutated control) the way `make conformance` starts the real one,
and the suite options that match it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from conformance.config import SuiteConfig
from reference_server.launcher import RunningServer, start_reference_server
from scripts import run_conformance as runner
from tests.mutants.catalogue import CONTROL

ROOT = Path(__file__).resolve().parents[2]
SERVE_MODULE = "tests.mutants.serve_mutant"


@contextmanager
def start_mutant_server(
    mutant_id: str = CONTROL, *, step_delay: float = 0.03
) -> Iterator[RunningServer]:
    """A server subprocess with mutant `mutant_id` planted, on a free loopback port."""
    with start_reference_server(
        **runner.SERVER_OPTIONS,
        step_delay=step_delay,
        extra_args=["--mutant", mutant_id, "--callback-retry-base", "0.1"],
        env={"PYTHONPATH": str(ROOT)},
        module=SERVE_MODULE,
    ) as server:
        yield server


def suite_config(base_url: str, **overrides: object) -> SuiteConfig:
    """Every optional input of the suite, matching how start_mutant_server started the server."""
    values: dict[str, object] = runner.suite_values(base_url)
    values.update(overrides)
    return SuiteConfig(**values)  # type: ignore[arg-type]
