"""Fuzzing at volume (short CI form; `make soak` runs the long one): zero 5xx, zero tracebacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from reference_server.launcher import start_reference_server
from scripts.reliability.common import server_tracebacks
from scripts.reliability.fuzz import run_schemathesis


@pytest.mark.slow
def test_schemathesis_fuzzing_finds_no_5xx_and_server_logs_no_traceback(tmp_path: Path) -> None:
    """30 s of Schemathesis fuzzing with a large example budget: no failed check, clean log."""
    with start_reference_server(step_delay=0.05) as server:
        run = run_schemathesis(
            server.base_url, max_time=30, max_examples=5000, phases="fuzzing", cwd=tmp_path, seed=6
        )
        tracebacks = server_tracebacks(server.output)
    assert run.ok, run.tail
    assert tracebacks == []
