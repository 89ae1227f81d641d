"""--level decided|documented from every source (flag, $OMNI_LEVEL, TOML, pytest), and its effect
end to end: a server deviating only from a ruling fails at level decided (exit 1) and passes with a
warning at level documented (exit 0), while a documented deviation fails at both."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import build_parser, main
from conformance.config import ConfigError, SuiteConfig, load_config
from conformance.runner import Outcome, run_suite
from reference_server.launcher import RunningServer
from scripts import run_conformance as runner
from tests.conformance.conftest import full_config
from tests.conformance.mutating_proxy import mutating_proxy


def test_level_defaults_to_decided_and_reads_env_file_and_flag(tmp_path: Path) -> None:
    """Default decided; OMNI_LEVEL and the TOML key set it; the flag wins; others are refused."""
    assert SuiteConfig().level == "decided"
    path = tmp_path / "omni-conformance.toml"
    path.write_text('[conformance]\nlevel = "documented"\n', encoding="utf-8")
    assert load_config({}, environ={}, config_path=path).level == "documented"
    assert load_config({}, environ={"OMNI_LEVEL": "documented"}).level == "documented"
    flagged = load_config({"level": "decided"}, environ={"OMNI_LEVEL": "documented"})
    assert flagged.level == "decided"
    bad = SuiteConfig(base_url="http://127.0.0.1:1", access_key="a", secret_key="s", level="x")
    with pytest.raises(ConfigError, match="--level"):
        bad.validate()
    assert build_parser().parse_args(["--level", "documented"]).level == "documented"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--level", "lenient"])


def _code_1200_for_1201(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    """Refuses invalid bodies with 1200 where 1201 is due: breaks only body-error-code-split."""
    if isinstance(body, dict) and body.get("code") == 1201:
        body["code"] = 1200
    return status, body


def _expired_as_invalid(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    """Says 1002 for an expired token: breaks the documented auth-codes."""
    if isinstance(body, dict) and body.get("code") == 1004:
        body["code"] = 1002
    return status, body


def test_ruling_only_deviation_fails_at_decided_and_warns_at_documented(
    reference_server: RunningServer,
) -> None:
    """The same server: exit 1 at level decided, exit 0 with warnings at level documented."""
    only = ("range-applies-without-effect",)
    with mutating_proxy(reference_server.base_url, _code_1200_for_1201) as base_url:
        strict = run_suite(full_config(base_url, only=only))
        lenient = run_suite(full_config(base_url, only=only, level="documented"))
    failed = strict.outcome(only[0])
    assert failed.outcome is Outcome.FAIL and strict.exit_code == 1
    assert failed.violation is not None
    assert failed.violation.line == "body-error-code-split (decided)"
    warned = lenient.outcome(only[0])
    assert warned.outcome is Outcome.WARN and lenient.exit_code == 0
    assert {w.rule for w in warned.warnings} == {"body-error-code-split"}
    assert len(warned.warnings) > 1  # every case ran, each breaking the ruling
    assert f": 0 fails, {len(warned.warnings)} warnings," in lenient.summary()


def test_documented_deviation_fails_at_documented_level(reference_server: RunningServer) -> None:
    """A documented line broken fails at level documented too."""
    with mutating_proxy(reference_server.base_url, _expired_as_invalid) as base_url:
        result = run_suite(full_config(base_url, only=("auth-codes",), level="documented"))
    outcome = result.outcome("auth-codes")
    assert outcome.outcome is Outcome.FAIL and result.exit_code == 1
    assert outcome.violation is not None and outcome.violation.standing == "documented"


def test_cli_prints_the_line_and_exit_code_by_level(
    reference_server: RunningServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """omni-conformance prints the rule and standing of a warning and exits 0 at level documented."""
    with mutating_proxy(reference_server.base_url, _code_1200_for_1201) as base_url:
        args = runner.reference_args(base_url)
        code = main([*args, "--seed", "5", "--only", "body-json-object", "--level", "documented"])
    text = capsys.readouterr().out
    assert code == 0
    assert "WARN body-json-object: body-error-code-split (decided)" in text
    assert "level documented" in text and "0 fails" in text


def test_pytest_entry_takes_level_and_reports_a_warning(reference_server: RunningServer) -> None:
    """Under pytest, --level documented turns the ruling into a ConformanceRulingWarning."""
    with mutating_proxy(reference_server.base_url, _code_1200_for_1201) as base_url:
        command = [sys.executable, "-m", "pytest", "-p", "conformance.pytest_plugin"]
        command += ["--pyargs", "conformance.pytest_suite", "-q", "-p", "no:cacheprovider"]
        command += ["-p", "no:xdist", "-k", "body-json-object", "--base-url", base_url]
        command += ["--access-key", runner.DEV_USER[0], "--secret-key", runner.DEV_USER[1]]
        documented = subprocess.run(
            [*command, "--level", "documented"],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        decided = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert documented.returncode == 0, documented.stdout[-2000:]
    assert "ConformanceRulingWarning" in documented.stdout
    assert decided.returncode == 1
    assert "[body-error-code-split, decided]" in decided.stdout
