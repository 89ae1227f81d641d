"""The `st run` command line against a server, built in one place for every script that runs it."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from omni_spec import spec_path
from reference_server.config import DEV_API_KEY

ST = Path(sys.executable).with_name("st")
# Schemathesis checks the contract overrides: an unknown method answers 404/1202 (not 405), and
# the x-rules refuse some schema-valid bodies with 1201.
CONTRACT_OVERRIDDEN_CHECKS = ("unsupported_method", "positive_data_acceptance")


def schemathesis_command(
    base_url: str,
    *,
    phases: str,
    seed: int,
    max_examples: int,
    max_time: float | None = None,
    checks: str | None = None,
    exclude_checks: Sequence[str] = (),
    continue_on_failure: bool = False,
    json_report: Path | None = None,
    api_key: str = DEV_API_KEY,
) -> list[str]:
    """`st run openapi.yaml --url base_url`, API key header, one worker, these options."""
    command = [str(ST), "run", str(spec_path()), "--url", base_url]
    command += ["-H", f"Authorization: Bearer {api_key}"]
    if checks is not None:
        command += ["--checks", checks]
    if exclude_checks:
        command += ["--exclude-checks", ",".join(exclude_checks)]
    if max_time is not None:
        command += ["--max-time", str(int(max_time))]
    command += ["--max-examples", str(max_examples), "--workers", "1", "--seed", str(seed)]
    command += ["--phases", phases]
    if continue_on_failure:
        command.append("--continue-on-failure")
    if json_report is not None:
        command += ["--report", "json", "--report-json-path", str(json_report)]
    return command
