"""Plain Schemathesis against the reference server: all phases, a bounded budget, no failure.

Excluded checks, each overridden by the contract: `unsupported_method` (the contract answers
404/1202, rule `method-not-supported`, where Schemathesis expects 405) and
`positive_data_acceptance` (a schema-valid body may still break an `x-rules` rule OpenAPI cannot
state, e.g. an image string that is not Base64, and the contract answers 400/1201 for it).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reference_server.launcher import start_reference_server
from scripts.loopback_env import loopback_only_environment
from scripts.schemathesis_command import CONTRACT_OVERRIDDEN_CHECKS, schemathesis_command


@pytest.mark.slow
def test_schemathesis_finds_no_failure(tmp_path: Path) -> None:
    """`st run openapi.yaml` (examples, coverage, fuzzing, stateful) reports no failure."""
    with start_reference_server(step_delay=0.05, url_policy="loopback-only") as server:
        command = schemathesis_command(
            server.base_url,
            phases="examples,coverage,fuzzing,stateful",
            seed=1,
            max_examples=100,  # Schemathesis' own default budget
            max_time=40,
            exclude_checks=CONTRACT_OVERRIDDEN_CHECKS,
        )
        result = subprocess.run(
            command,
            check=False,
            capture_output=True,
            text=True,
            timeout=180,
            cwd=tmp_path,
            env=loopback_only_environment(),
        )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
