"""`make conformance` runner: its own reference server by default, or the server at $BASE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from reference_server.launcher import RunningServer
from scripts import run_conformance


def test_targets_base_url_with_omni_env(
    reference_server: RunningServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BASE_URL + OMNI_* keys: the suite runs against that server and writes reports/."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BASE_URL", reference_server.base_url)
    monkeypatch.setenv("OMNI_ACCESS_KEY", run_conformance.DEV_USER[0])
    monkeypatch.setenv("OMNI_SECRET_KEY", run_conformance.DEV_USER[1])
    assert run_conformance.main(["--only", "envelope", "--seed", "1"]) == 0
    assert "seed: 1" in (tmp_path / "reports" / "conformance.md").read_text(encoding="utf-8")
    assert (tmp_path / "reports" / "conformance.xml").is_file()


def test_starts_its_own_reference_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without BASE_URL it starts the reference server with every optional input, then stops it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BASE_URL", raising=False)
    assert (
        run_conformance.main(["--only", "auth-api-key", "user-isolation", "callback-signature"])
        == 0
    )
    report = (tmp_path / "reports" / "conformance.md").read_text(encoding="utf-8")
    assert "3 pass" in report
