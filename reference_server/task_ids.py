"""Sortable task ids: 19 digits = creation millisecond (13), process slot (3), sequence (3).

Fixed width makes text order equal number order, so (created_at DESC, task_id DESC) paging is
deterministic even for tasks created in the same millisecond. Each server process takes a slot
from the store (`claim_id_slot`), so processes sharing a database never mint the same id; within
a process ids strictly increase, also across restarts (the generator starts above the largest id
already stored). More than 1,000 ids in one millisecond borrow the next millisecond.
"""

from __future__ import annotations

import threading

SEQUENCE_DIGITS = 6  # slot and sequence together
SLOT_SPAN = 1000
ID_DIGITS = 13 + SEQUENCE_DIGITS


class TaskIdGenerator:
    def __init__(self, largest_existing: str | None, slot: int = 0) -> None:
        if not 0 <= slot < SLOT_SPAN:
            raise ValueError(f"id slot {slot} is outside 0..{SLOT_SPAN - 1}")
        self._slot = slot
        existing = int(largest_existing) if largest_existing and largest_existing.isdigit() else 0
        self._millisecond = existing // 10**SEQUENCE_DIGITS  # the next id lies beyond this one
        self._sequence = SLOT_SPAN - 1
        self._lock = threading.Lock()

    def next_id(self, now_ms: int) -> str:
        with self._lock:
            if now_ms > self._millisecond:
                self._millisecond, self._sequence = now_ms, 0
            elif self._sequence + 1 < SLOT_SPAN:
                self._sequence += 1
            else:
                self._millisecond, self._sequence = self._millisecond + 1, 0
            number = (self._millisecond * SLOT_SPAN + self._slot) * SLOT_SPAN + self._sequence
            return f"{number:0{ID_DIGITS}d}"

    @staticmethod
    def created_ms(task_id: str) -> int:
        sequence_span: int = 10**SEQUENCE_DIGITS
        return int(task_id) // sequence_span
