"""omni-conformance exit codes: 2 for usage errors and unreachable targets, 0 for --list-checks."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from conformance import cli
from conformance.cli import main
from tests.conformance.test_reporting import _result


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_unreachable_target_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing listening at --base-url: exit 2 with a clear message, no traceback."""
    code = main(
        [
            "--base-url",
            f"http://127.0.0.1:{_closed_port()}",
            "--access-key",
            "a",
            "--secret-key",
            "s",
        ]
    )
    assert code == 2
    assert "unreachable" in capsys.readouterr().err


def test_missing_required_option_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --secret-key (and no env/file) the CLI names the missing flag and exits 2."""
    monkeypatch.delenv("OMNI_SECRET_KEY", raising=False)
    monkeypatch.setenv("OMNI_CONFORMANCE_CONFIG", "")
    assert main(["--base-url", "http://127.0.0.1:1", "--access-key", "a"]) == 2
    assert "--secret-key" in capsys.readouterr().err


def test_unknown_only_id_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """--only with an id that is not a check is a usage error."""
    code = main(
        [
            "--base-url",
            "http://127.0.0.1:1",
            "--access-key",
            "a",
            "--secret-key",
            "s",
            "--only",
            "nope",
        ]
    )
    assert code == 2
    assert "nope" in capsys.readouterr().err


def test_unusable_callback_host_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """A --callback-host the suite cannot listen on is a usage error, not a traceback."""
    args = ["--base-url", "http://127.0.0.1:1", "--access-key", "a", "--secret-key", "s"]
    assert main([*args, "--callback-host", "256.0.0.1"]) == 2
    assert "--callback-host" in capsys.readouterr().err


def test_bad_flag_type_exits_2() -> None:
    """argparse refuses a non-integer --seed with exit 2."""
    with pytest.raises(SystemExit) as raised:
        main(["--seed", "many"])
    assert raised.value.code == 2


def test_list_checks(capsys: pytest.CaptureFixture[str]) -> None:
    """--list-checks prints every check id and exits 0."""
    assert main(["--list-checks"]) == 0
    out = capsys.readouterr().out
    assert "references-total-max-10" in out and "schemathesis-stateful" in out


@pytest.mark.parametrize("option", ["--junit-xml", "--report"])
def test_unwritable_output_path_exits_2_before_running(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A report path under a regular file is refused up front with exit 2, naming the option."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    args = ["--base-url", f"http://127.0.0.1:{_closed_port()}", "--access-key", "a"]
    code = main([*args, "--secret-key", "s", option, str(blocker / "out.md")])
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert code == 2
    assert option in err and "not a directory" in err and "unreachable" not in err


def test_report_write_failure_after_the_run_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report that cannot be written once the run is over is a clear exit-2 error."""

    def refuse(result: object, path: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(cli, "run_suite", lambda config, progress: _result())
    monkeypatch.setattr(cli, "write_report", refuse)
    args = ["--base-url", "http://127.0.0.1:1", "--access-key", "a", "--secret-key", "s"]
    assert main([*args, "--report", str(tmp_path / "report.md")]) == 2
    assert "cannot write a report" in " ".join(capsys.readouterr().err.split())
