"""Plain Schemathesis against the reference server: all phases, a bounded budget, no failure.

Excluded checks, each overridden by the contract: `unsupported_method` (the contract answers
404/1202, rule `method-not-supported`, where Schemathesis expects 405) and
`positive_data_acceptance` (a schema-valid body may still break an `x-rules` rule OpenAPI cannot
state, e.g. an image string that is not Base64, and the contract answers 400/1201 for it).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from omni_spec import spec_path
from reference_server.launcher import start_reference_server

ST = Path(sys.executable).with_name("st")


@pytest.mark.slow
def test_schemathesis_finds_no_failure(tmp_path: Path) -> None:
    """`st run openapi.yaml` (examples, coverage, fuzzing, stateful) reports no failure."""
    with start_reference_server(step_delay=0.05, url_policy="loopback-only") as server:
        command = [str(ST), "run", str(spec_path()), "--url", server.base_url]
        command += ["-H", "Authorization: Bearer omni-dev-api-key"]
        command += ["--exclude-checks", "unsupported_method,positive_data_acceptance"]
        command += ["--max-time", "40", "--workers", "1", "--seed", "1"]
        command += ["--phases", "examples,coverage,fuzzing,stateful"]
        result = subprocess.run(
            command, check=False, capture_output=True, text=True, timeout=180, cwd=tmp_path
        )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
