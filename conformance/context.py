"""What a check gets: the options, the contract, one API client per user, the loopback receiver."""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from conformance.config import SuiteConfig
from conformance.http import ApiClient
from conformance.levels import is_failure
from conformance.receiver import Receiver
from conformance.violation import Violation
from omni_spec import Contract

T = TypeVar("T")


@dataclass
class CheckContext:
    """Shared by every check of one run; `rule`, `rng`, `notes`, `warnings` and `exercised` are
    reset per check."""

    config: SuiteConfig
    contract: Contract
    api: ApiClient
    second: ApiClient | None
    api_key_client: ApiClient | None
    receiver: Receiver
    run_nonce: str
    seed: int
    rule: str = ""
    rng: random.Random = field(default_factory=random.Random)
    notes: list[str] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)
    exercised: set[tuple[str, str]] = field(default_factory=set)
    _counter: int = 0
    _cache: dict[str, Any] = field(default_factory=dict)

    def start_check(self, rule: str) -> None:
        """Reset per-check state; the RNG depends only on the seed and the rule id (order-free)."""
        self.rule = rule
        self.rng = random.Random(self.seed ^ zlib.crc32(rule.encode()))
        self.notes = []
        self.warnings = []
        self.exercised = set()

    def note(self, text: str) -> None:
        """A remark that ends up next to the check's outcome (e.g. a partial run)."""
        self.notes.append(text)

    def note_silence(self, silence_id: str, taken: str) -> None:
        """Which side of a silence (an `x-silences` id) the server took: a note, never a failure."""
        silence = self.contract.silence(silence_id)
        self.note(
            f"silence {silence.id}: {taken} (either side conforms; the reference server's side: "
            f"{silence.reference_server})"
        )

    def standing(self, rule: str) -> str:
        """The standing (documented or decided) of an `x-rules` id, read from the spec."""
        return self.contract.rule(rule).standing

    def tolerates(self, violation: Violation) -> bool:
        """Whether the level makes this violation a warning (a ruling under --level documented)."""
        return not is_failure(self.config.level, violation.standing)

    def warn(self, violation: Violation) -> None:
        """Record a deviation from a ruling that the level reports as a warning."""
        self.warnings.append(violation)

    def exercise(self, line: str, side: str) -> None:
        """Record that a case tested `line` on `side` (conformance.lines), for line coverage."""
        self.exercised.add((line, side))

    def unique_id(self, label: str) -> str:
        """A fresh external_task_id: run nonce + rule + counter (unique on any server, any
        rerun)."""
        self._counter += 1
        return f"conf-{self.run_nonce}-{label}-{self._counter}"

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """One value per run for `key` (e.g. a finished task several checks read)."""
        if key not in self._cache:
            self._cache[key] = factory()
        value: T = self._cache[key]
        return value

    @property
    def element_ids(self) -> tuple[int, ...]:
        """The element ids the user gave (empty when none)."""
        return self.config.element_ids

    def prompt(self, text: str = "conformance") -> str:
        """A harmless prompt that never contains the failure marker."""
        return f"{text} #{self.rng.randrange(10**6)}"
