"""The development double at run time: Prefer answers, faults, the rate limit, step durations.

Order for an API request, after the method check and authentication (so auth errors still win):
Prefer header parsed (400/1201 when malformed) -> `error=CODE` answered -> rate limit (429/1302)
-> a random fault (--faults) -> the operation (create_task checks the concurrency limit right
before it stores the task). A request's explicit Prefer wins over the run's random faults.
Durations and faults come from their own seeded generators, so adding one flag does not change
the draws of the other.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable

from omni_spec import load_contract
from reference_server.account_limits import RateLimiter
from reference_server.envelope import ApiError
from reference_server.prefer import NO_PREFERENCES, Preferences, parse_prefer
from reference_server.simulation_settings import SimulationSettings


class Simulation:
    """One server's simulation state; see the module docstring for the order of the checks."""

    def __init__(
        self,
        settings: SimulationSettings,
        step_delay: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.step_delay = step_delay
        self._faults = random.Random(f"{settings.seed}:faults")
        self._durations = random.Random(f"{settings.seed}:durations")
        self._rate = (
            RateLimiter(settings.rate_limit, clock) if settings.rate_limit is not None else None
        )

    def preferences(self, headers: Iterable[str], operation_id: str) -> Preferences:
        """The request's Prefer header, or NO_PREFERENCES with --simulation off (then ignored)."""
        if not self.settings.prefer:
            return NO_PREFERENCES
        return parse_prefer(headers, operation_id)

    def before_operation(self, prefs: Preferences, user: str) -> None:
        """Raise the ApiError this request gets instead of its operation, if any."""
        if prefs.error is not None:
            raise simulated_error(prefs.error, "asked for by the Prefer header")
        if self._rate is not None:
            self._rate.take(user)
        fault = self._draw_fault()
        if fault is not None:
            raise simulated_error(fault, "a random fault of --faults")

    def step_durations(self, prefs: Preferences) -> tuple[int, int]:
        """Milliseconds the new task spends `submitted`, then `processing`."""
        if prefs.task_duration is not None:
            fixed = _ms(prefs.task_duration)
            return fixed, fixed
        if self.settings.task_duration is not None:
            low, high = self.settings.task_duration
            return _ms(self._durations.uniform(low, high)), _ms(self._durations.uniform(low, high))
        return _ms(self.step_delay), _ms(self.step_delay)

    def _draw_fault(self) -> int | None:
        if not self.settings.faults:
            return None
        draw = self._faults.random()
        for code, rate in self.settings.faults:
            if draw < rate:
                return code
            draw -= rate
        return None


def simulated_error(code: int, why: str) -> ApiError:
    """The error answer for `code`: its status and meaning come from the spec's error table."""
    meaning = load_contract().error_codes[code].meaning
    return ApiError(code, f"{meaning} (simulated: {why})")


def task_failure_message(code: int | None) -> str:
    """task_status_msg of a task that Prefer `task-outcome=failed` made fail."""
    if code is None:
        return "generation failed (simulated: task-outcome=failed in the Prefer header)"
    meaning = load_contract().error_codes[code].meaning
    return f"generation failed: {meaning}, code {code} (simulated: task-error in the Prefer header)"


def _ms(seconds: float) -> int:
    return round(seconds * 1000)
