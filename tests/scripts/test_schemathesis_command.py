"""The one `st run` command line the scripts build."""

from __future__ import annotations

from pathlib import Path

from omni_spec import spec_path
from reference_server.config import DEV_API_KEY
from scripts.schemathesis_command import CONTRACT_OVERRIDDEN_CHECKS, schemathesis_command


def _option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def test_fuzzing_command_excludes_the_contract_overridden_checks() -> None:
    """The reliability fuzzing form: spec, URL, dev API key, budgets and the excluded checks."""
    command = schemathesis_command(
        "http://127.0.0.1:9", phases="fuzzing", seed=6, max_examples=50,
        max_time=30.5, exclude_checks=CONTRACT_OVERRIDDEN_CHECKS,
    )  # fmt: skip
    assert command[1:4] == ["run", str(spec_path()), "--url"]
    assert _option(command, "--url") == "http://127.0.0.1:9"
    assert _option(command, "-H") == f"Authorization: Bearer {DEV_API_KEY}"
    assert _option(command, "--exclude-checks") == "unsupported_method,positive_data_acceptance"
    assert (_option(command, "--max-time"), _option(command, "--max-examples")) == ("30", "50")
    assert (_option(command, "--seed"), _option(command, "--workers")) == ("6", "1")
    assert "--checks" not in command and "--report" not in command


def test_benchmark_command_runs_every_check_and_writes_json(tmp_path: Path) -> None:
    """The plain-Schemathesis benchmark form: all checks, keep going, a JSON report."""
    report = tmp_path / "st.json"
    command = schemathesis_command(
        "http://127.0.0.1:9", phases="examples,stateful", seed=1, max_examples=5,
        checks="all", continue_on_failure=True, json_report=report,
    )  # fmt: skip
    assert _option(command, "--checks") == "all"
    assert _option(command, "--phases") == "examples,stateful"
    assert "--continue-on-failure" in command and "--max-time" not in command
    assert _option(command, "--report-json-path") == str(report)
    assert "--exclude-checks" not in command
