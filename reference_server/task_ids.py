"""Sortable task ids: 19 digits, creation millisecond then a sequence, strictly increasing.

Fixed width makes text order equal number order, so (created_at DESC, task_id DESC) paging is
deterministic even for tasks created in the same millisecond, also across restarts (the
generator starts above the largest id already stored).
"""

from __future__ import annotations

import threading

SEQUENCE_DIGITS = 6
ID_DIGITS = 13 + SEQUENCE_DIGITS


class TaskIdGenerator:
    def __init__(self, largest_existing: str | None) -> None:
        self._last = int(largest_existing) if largest_existing and largest_existing.isdigit() else 0
        self._lock = threading.Lock()

    def next_id(self, now_ms: int) -> str:
        with self._lock:
            self._last = max(self._last + 1, now_ms * 10**SEQUENCE_DIGITS)
            return f"{self._last:0{ID_DIGITS}d}"

    @staticmethod
    def created_ms(task_id: str) -> int:
        sequence_span: int = 10**SEQUENCE_DIGITS
        return int(task_id) // sequence_span
