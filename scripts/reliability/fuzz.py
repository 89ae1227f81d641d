"""Fuzzing at volume: plain Schemathesis and the conformance suite against a running server.

Both run as subprocesses (proxy variables removed: loopback only); the caller then reads the
server's log for tracebacks. Schemathesis excludes the two checks the contract overrides
(scripts.schemathesis_command.CONTRACT_OVERRIDDEN_CHECKS). Its `not_a_server_error` check fails
the run on any 5xx.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reference_server.launcher import RunningServer, start_reference_server
from scripts import run_conformance
from scripts.loopback_env import loopback_only_environment
from scripts.schemathesis_command import CONTRACT_OVERRIDDEN_CHECKS, schemathesis_command

BIN = Path(sys.executable).parent


@dataclass
class FuzzRun:
    tool: str
    returncode: int
    seconds_budget: float
    tail: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run_schemathesis(
    base_url: str, *, max_time: float, max_examples: int, phases: str, cwd: Path, seed: int = 1
) -> FuzzRun:
    """Schemathesis against base_url within these budgets, minus the contract-overridden checks."""
    command = schemathesis_command(
        base_url,
        phases=phases,
        seed=seed,
        max_examples=max_examples,
        max_time=max_time,
        exclude_checks=CONTRACT_OVERRIDDEN_CHECKS,
    )
    result = subprocess.run(
        command,
        check=False,
        capture_output=True,
        text=True,
        timeout=max_time + 300,
        cwd=cwd,
        env=loopback_only_environment(),
    )
    return FuzzRun("schemathesis", result.returncode, max_time, result.stdout[-3000:])


def run_conformance_suite(base_url: str, *, max_examples: int, cwd: Path, seed: int = 1) -> FuzzRun:
    """The conformance suite with every optional input (server started like `make conformance`)."""
    command = [str(BIN / "omni-conformance"), *run_conformance.reference_args(base_url),
               "--max-examples", str(max_examples), "--seed", str(seed)]  # fmt: skip
    result = subprocess.run(
        command,
        check=False,
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=cwd,
        env=loopback_only_environment(),
    )
    return FuzzRun("conformance", result.returncode, 0, (result.stdout + result.stderr)[-3000:])


@contextmanager
def conformance_server(database: Path) -> Iterator[RunningServer]:
    """A reference server configured like `make conformance` (second user, webhook secret, ...)."""
    dev, second = run_conformance.DEV_USER, run_conformance.SECOND_USER
    with start_reference_server(
        database=database,
        users={dev[0]: dev[1], second[0]: second[1]},
        api_keys={run_conformance.API_KEY: dev[0]},
        element_ids=run_conformance.ELEMENT_IDS,
        webhook_secret=run_conformance.WEBHOOK_SECRET,
        failure_marker=run_conformance.FAILURE_MARKER,
        step_delay=0.05,
    ) as server:
        yield server
