"""Crash safety (SIGKILL mid-traffic, several times) and the one-process-per-database rule."""

from __future__ import annotations

from pathlib import Path

from reference_server.launcher import ServerStartError, start_reference_server
from scripts.reliability.crash import run_crash_cycles


def test_nothing_acknowledged_is_lost_across_three_kills(tmp_path: Path) -> None:
    """3 SIGKILLs while creating: every code-0 task survives, ends, and has its callback, once each."""
    report = run_crash_cycles(tmp_path / "db.sqlite3", kills=3, seconds_between_kills=1.2, rate=20)
    print(report)  # the counts, for the CI log
    assert report.acknowledged > 0
    assert (report.found, report.lost, report.duplicated) == (report.acknowledged, 0, 0)
    assert report.terminal == report.acknowledged
    assert report.callbacks_missing == 0 and report.callbacks_out_of_order == 0
    assert report.tracebacks == []


def test_second_server_on_same_database_is_refused(tmp_path: Path) -> None:
    """A second server process on a database in use exits with a clear error; the first is fine."""
    database = tmp_path / "db.sqlite3"
    with start_reference_server(database=database) as first:
        try:
            with start_reference_server(database=database):
                started_second = True
        except ServerStartError as error:
            started_second = False
            message = str(error)
        assert not started_second
        assert "in use by another omni-reference-server" in message
        assert f"pid {first.process.pid}" in message
        assert first.process.poll() is None


def test_lock_is_released_by_a_crash(tmp_path: Path) -> None:
    """After SIGKILL a new server on the same database starts (the kernel drops the lock)."""
    database = tmp_path / "db.sqlite3"
    with start_reference_server(database=database) as first:
        first.kill()
        with start_reference_server(database=database) as second:
            assert second.process.poll() is None
