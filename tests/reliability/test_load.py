"""Bounded load from a second process: no 5xx, nothing lost; latency and throughput measured."""

from __future__ import annotations

import time

from reference_server.launcher import RunningServer
from scripts.reliability.common import TERMINAL, task_statuses
from scripts.reliability.load import load_in_subprocess


def test_load_from_second_process_has_no_5xx_and_loses_nothing(server: RunningServer) -> None:
    """16 clients create/get/list for 4 s: zero 5xx, zero transport errors, every task ends."""
    result = load_in_subprocess(server.base_url, clients=16, duration=4)
    print(
        {key: value for key, value in result.items() if key != "created"}
    )  # measured, for the log
    assert result["requests"] > 0 and result["created"]
    assert result["server_errors"] == 0 and result["transport_errors"] == 0
    assert all(key.endswith(" 200") for key in result["statuses"])
    created = result["created"]
    assert len(created) == len(set(created))
    deadline = time.monotonic() + 60
    statuses = task_statuses(server.base_url, created)
    while time.monotonic() < deadline and not all(s in TERMINAL for s in statuses.values()):
        time.sleep(0.2)
        statuses = task_statuses(server.base_url, created)
    assert None not in statuses.values()
    assert all(status in TERMINAL for status in statuses.values())
