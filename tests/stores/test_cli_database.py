"""`--workers` and `--database` usage errors are clear exits before listening, never tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from reference_server.cli import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | str | None, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(["--host", "127.0.0.1", "--port", "0", *argv])
    out, err = capsys.readouterr()
    return exited.value.code, out, err


def test_workers_below_one_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--workers 0 exits 2 with a message naming the flag, before the listening line."""
    code, out, err = run(["--database", str(tmp_path / "db.sqlite3"), "--workers", "0"], capsys)
    assert code == 2 and "--workers must be at least 1" in err and "listening" not in out


def test_unreachable_postgresql_is_a_usage_error_with_the_password_hidden(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A PostgreSQL URL nobody answers (a socket directory without a server) exits 2, says which
    database it could not open, shows no password and no traceback."""
    url = f"postgresql://omni:hunter2@/omni?host={tmp_path}&connect_timeout=2"
    code, out, err = run(["--database", url], capsys)
    assert code == 2 and "cannot open the database postgresql://omni:***@" in err
    assert "hunter2" not in err + out and "Traceback" not in err and "listening" not in out
