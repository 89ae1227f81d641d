"""The same checks under pytest: one test per check id, skips for missing inputs, failures shown."""

from __future__ import annotations

import subprocess
import sys

from reference_server.launcher import RunningServer
from scripts import run_conformance as runner


def _pytest(base_url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-p", "conformance.pytest_plugin", "--pyargs"]
    command += ["conformance.pytest_suite", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-rs"]
    command += [
        "--base-url",
        base_url,
        "--access-key",
        runner.DEV_USER[0],
        "--secret-key",
        runner.DEV_USER[1],
    ]
    return subprocess.run(
        [*command, *extra], capture_output=True, text=True, timeout=300, check=False
    )


def test_pytest_runs_selected_checks_and_skips_missing_inputs(
    reference_server: RunningServer,
) -> None:
    """`-k` selects by check id; a check needing --api-key is skipped with that reason."""
    result = _pytest(
        reference_server.base_url, "-k", "envelope or method-not-supported or auth-api-key"
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "2 passed, 1 skipped" in result.stdout
    assert "needs --api-key" in result.stdout


def test_pytest_reports_a_violation_with_curl(reference_server: RunningServer) -> None:
    """A wrong secret key makes the envelope check fail, shown with the contract text and curl."""
    command = _pytest(reference_server.base_url, "-k", "envelope", "--secret-key", "not-the-secret")
    assert command.returncode == 1
    assert "contract says:" in command.stdout
    assert "curl -sS" in command.stdout
