"""Per-run simulation settings of the development double, and parsing of their flag values.

The reference server answers the contract; as a development double it can also produce, on
demand, the documented answers a healthy server rarely gives (rate limits, maintenance, failed
tasks, slow tasks). Per request that is the `Prefer` header (`prefer.py`); per run these flags:

    --simulation on|off            honour the Prefer header (default on)
    --faults 1302=0.05,5000=0.01   random documented errors at those rates (codes of x-error-codes)
    --seed 42                      seed of the fault and duration draws (default: random, printed)
    --task-duration 0.5..3         random seconds per lifecycle step (or one number: fixed)
    --concurrency-limit 8          429/1303 once a user's images in flight would pass 8
    --rate-limit 5/s               429/1302 beyond 5 requests per second per user

Every parser raises ValueError with a message naming the flag, which the CLI turns into a usage
error (never a traceback).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from omni_spec import load_contract

SIMULATION_ON, SIMULATION_OFF = "on", "off"
MAX_TASK_DURATION_SECONDS = 86_400.0  # a day per step: beyond that a value is a mistake
RATE_UNIT = "/s"


@dataclass(frozen=True)
class SimulationSettings:
    """What the double simulates in this run; the defaults simulate nothing but the Prefer header.

    `task_duration` is (min, max) seconds per lifecycle step, drawn per step; None keeps the
    server's `--step-delay` for every step. `rate_limit` is requests per second per user.
    """

    prefer: bool = True
    faults: tuple[tuple[int, float], ...] = ()
    seed: int = 0
    task_duration: tuple[float, float] | None = None
    concurrency_limit: int | None = None
    rate_limit: float | None = None

    def describe(self) -> str:
        """One start-up line saying what is simulated."""
        prefer = "on (keys error, error-after-accept, task-outcome, task-error, task-duration)"
        parts = [f"Prefer header {prefer if self.prefer else 'off'}"]
        faults = ",".join(f"{code}={rate:g}" for code, rate in self.faults)
        parts.append(f"faults {faults or 'none'}")
        if self.task_duration is not None:
            low, high = self.task_duration
            parts.append(f"task duration {low:g}..{high:g} s per step")
        parts.append(f"concurrency limit {self.concurrency_limit or 'none'}")
        parts.append(f"rate limit {f'{self.rate_limit:g}/s' if self.rate_limit else 'none'}")
        parts.append(f"seed {self.seed}")
        return "simulation: " + "; ".join(parts)


def parse_switch(text: str) -> bool:
    """`on` -> True, `off` -> False (--simulation)."""
    value = text.strip().lower()
    if value not in (SIMULATION_ON, SIMULATION_OFF):
        raise ValueError(f"--simulation: {text!r} is neither 'on' nor 'off'")
    return value == SIMULATION_ON


def parse_faults(text: str) -> tuple[tuple[int, float], ...]:
    """`1302=0.05,5000=0.01` -> ((1302, 0.05), (5000, 0.01)); codes from the spec's error table."""
    known = load_contract().error_codes
    faults: dict[int, float] = {}
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        code_text, sep, rate_text = part.partition("=")
        if not sep:
            raise ValueError(f"--faults: {part!r} is not of the form CODE=RATE")
        try:
            code = int(code_text)
        except ValueError:
            raise ValueError(f"--faults: {code_text!r} is not an error code") from None
        if code not in known:
            raise ValueError(
                f"--faults: {code} is not a code of the spec's error table "
                f"({', '.join(str(c) for c in sorted(known))})"
            )
        if code in faults:
            raise ValueError(f"--faults: {code} is given twice")
        faults[code] = _fraction(rate_text, f"--faults: the rate of {code}")
    if sum(faults.values()) > 1.0 + 1e-9:
        raise ValueError("--faults: the rates add up to more than 1")
    return tuple(faults.items())


def parse_task_duration(text: str) -> tuple[float, float] | None:
    """`MIN..MAX` or `SECONDS` -> (min, max); empty -> None (the --step-delay applies)."""
    if not text.strip():
        return None
    low_text, sep, high_text = text.partition("..")
    low = seconds(low_text, "--task-duration")
    high = seconds(high_text, "--task-duration") if sep else low
    if high < low:
        raise ValueError(f"--task-duration: {text!r} has MAX below MIN")
    return low, high


def parse_concurrency_limit(text: str) -> int | None:
    """A positive count of images in flight per user; empty or 0 -> no limit."""
    if not text.strip():
        return None
    try:
        limit = int(text)
    except ValueError:
        raise ValueError(f"--concurrency-limit: {text!r} is not a whole number") from None
    if limit < 0:
        raise ValueError("--concurrency-limit must be >= 0 (0: no limit)")
    return limit or None


def parse_rate_limit(text: str) -> float | None:
    """`N/s` -> N requests per second per user; empty or 0/s -> no limit."""
    if not text.strip():
        return None
    number, sep, unit = text.strip().partition("/")
    if not sep or f"/{unit}" != RATE_UNIT:
        raise ValueError(f"--rate-limit: {text!r} is not of the form N/s (e.g. 5/s)")
    try:
        rate = float(number)
    except ValueError:
        raise ValueError(f"--rate-limit: {number!r} is not a number") from None
    if not math.isfinite(rate) or rate < 0:
        raise ValueError("--rate-limit: N must be a finite number >= 0 (0/s: no limit)")
    return rate or None


def parse_seed(text: str) -> int | None:
    """An integer seed; empty -> None (the CLI then picks one and prints it)."""
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"--seed: {text!r} is not an integer") from None


def seconds(text: str, where: str) -> float:
    """A finite number of seconds in 0..MAX_TASK_DURATION_SECONDS; ValueError names `where`."""
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where}: {text.strip()!r} is not a number of seconds") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_TASK_DURATION_SECONDS:
        raise ValueError(f"{where}: {value:g} is outside 0..{MAX_TASK_DURATION_SECONDS:g} seconds")
    return value


def _fraction(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where} ({text!r}) is not a number") from None
    if not math.isfinite(value) or not 0 <= value <= 1:
        raise ValueError(f"{where} ({text}) is outside 0..1")
    return value
