"""Per-user account limits of the development double (--rate-limit, --concurrency-limit).

Rate limit (contract "Errors", 429/1302): a token bucket per user holding one second's worth of
requests (at least one), refilled at N per second; every authenticated API request takes a token.
The answer carries `Retry-After` (whole seconds until a token is back), which the contract
neither requires nor forbids.

Concurrency (429/1303, "concurrency over the pack: an image task uses `n` of it; a `series` task
the number of images it produces"): the images of the user's tasks still `submitted` or
`processing`, counted from the store, so restarts keep the count. A new task is refused when its
own images would take the count past the limit. An `auto` series counts the number of images
it will produce, which the server draws (2..9) when it accepts the task.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from reference_server import codes
from reference_server.envelope import ApiError


class RateLimiter:
    """Token buckets per user: `take(user)` or 429/1302 with the seconds until the next token."""

    def __init__(self, per_second: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second
        self.capacity = max(1.0, per_second)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # user -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, user: str) -> None:
        """Spend one of the user's tokens; ApiError 1302 (with retry_after) when none is left."""
        with self._lock:
            now = self._clock()
            tokens, at = self._buckets.get(user, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.per_second)
            if tokens < 1.0:
                self._buckets[user] = (tokens, now)
                wait = (1.0 - tokens) / self.per_second
                raise ApiError(
                    codes.RATE_LIMITED,
                    f"rate limit exceeded: at most {self.per_second:g} requests per second "
                    f"for this account (simulated by --rate-limit)",
                    retry_after=wait,
                )
            self._buckets[user] = (tokens - 1.0, now)


def check_concurrency(limit: int, in_flight: int, wanted: int) -> None:
    """429/1303 unless `wanted` more images fit beside the `in_flight` ones under `limit`."""
    if in_flight + wanted > limit:
        raise ApiError(
            codes.CONCURRENCY_OVER,
            f"concurrency over the resource pack: {in_flight} images in flight, this task "
            f"adds {wanted}, the limit is {limit} (simulated by --concurrency-limit)",
        )
