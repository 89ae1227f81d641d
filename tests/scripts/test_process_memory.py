"""The peak-RSS helper reports the process's high-water mark, never below its current RSS."""

from __future__ import annotations

import os

from scripts.reliability.common import peak_rss_since_start, rss_bytes


def test_peak_since_start_is_at_least_the_current_rss() -> None:
    """VmHWM of this process is at least its resident size now (and positive)."""
    current = rss_bytes(os.getpid())
    assert peak_rss_since_start(os.getpid()) >= current > 0
