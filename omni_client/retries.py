"""Retries of `create_task`, `get_task` and `list_tasks`: what to retry and how long to wait.

`connect(max_retries=N)` (default 0: no retry, nothing changes silently) returns a
`RetryingClient`; the calls in `omni_client.calls` then retry, sync and async alike, through one
`CallRetries` per call, which decides without doing I/O (the house style of `TaskPoller`):

- retried: an error answer whose code the spec's `x-error-codes` marks `retryable: true` (read
  through `OmniApiError.retryable`), and transport errors (timeouts, network errors, a dropped
  connection); never anything else (a 400, a 401, an undocumented answer);
- the wait is exponential with jitter: `base_delay * 2**(k-1)` capped at `max_delay` for the
  k-th retry, a random point in its upper half; a `Retry-After` header makes it at least that
  long, and one asking for more than `max_retry_after` ends the retries;
- a create that may have been accepted (a 5xx answer, or a transport error after the request may
  have reached the server) is retried only when its body carries an `external_task_id`: the
  contract rejects a second task with the same one (rule `external-task-id-unique`), so no
  duplicate can appear. When such a retry meets that rejection (400 with the rule's 1201), the
  client looks the task up by its `external_task_id` instead of failing. Without an
  `external_task_id` the error is raised: the caller must decide (a list shows whether it exists).

>>> retries = CallRetries("get_task", max_retries=2, policy=RetryPolicy(base_delay=0.1))
>>> retries.next_delay(httpx.ConnectError("refused")) is not None
True
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from attrs import define
from attrs import field as attrs_field
from omni_image_client import Client

from omni_client.errors import OmniApiError, ServerError
from omni_spec import load_contract

CREATE_OPERATION = "create_task"
DEFAULT_BASE_DELAY = 0.5
DEFAULT_MAX_DELAY = 30.0
DEFAULT_MAX_RETRY_AFTER = 120.0
# Transport errors worth another attempt (httpx's hierarchy): timeouts, network trouble, a
# connection the server dropped. Not a malformed URL, an unsupported scheme or a proxy refusal.
RETRYABLE_TRANSPORT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)
# Of those, the ones raised before any byte of the request left: the server cannot have it.
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)
RETRY, LOOK_UP = "retry", "look-up"


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait between attempts, and how: `sleep`/`async_sleep`/`rng` are injectable."""

    base_delay: float = DEFAULT_BASE_DELAY
    max_delay: float = DEFAULT_MAX_DELAY
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER
    sleep: Callable[[float], None] = time.sleep
    async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.base_delay <= self.max_delay or self.max_retry_after < 0:
            raise ValueError("need 0 <= base_delay <= max_delay and max_retry_after >= 0")

    def backoff(self, retry: int) -> float:
        """The wait before the `retry`-th retry (1-based): exponential, capped, jittered."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return self.rng.uniform(ceiling / 2, ceiling)


@dataclass(frozen=True)
class RetryEvent:
    """One retry (or look-up) about to happen, for `on_retry` (the CLI prints these)."""

    operation: str
    retry: int  # 1-based
    max_retries: int
    delay: float
    error: Exception
    action: str = RETRY

    def describe(self) -> str:
        """One line: which call, which attempt, why, and what happens next."""
        if self.action == LOOK_UP:
            return (
                f"{self.operation}: {self.error} after an attempt that may have been accepted; "
                "looking the task up by its external_task_id"
            )
        return (
            f"retry {self.retry}/{self.max_retries} of {self.operation} in {self.delay:.2f} s "
            f"after: {self.error}"
        )


RetryCallback = Callable[[RetryEvent], None]


@define
class RetryingClient(Client):
    """The generated `Client` plus a retry budget; made by `connect(max_retries=N)`."""

    max_retries: int = attrs_field(default=0, kw_only=True)
    retry_policy: RetryPolicy = attrs_field(factory=RetryPolicy, kw_only=True)
    on_retry: RetryCallback | None = attrs_field(default=None, kw_only=True)


def _already_used_code() -> int:
    # Rule `external-task-id-unique` answers 400 with the invalid-field code of `body-json-object`.
    return int(load_contract().rule("body-json-object").params["invalid_field_code"])


class CallRetries:
    """One call's retry decisions without I/O; see the module docstring for the rules."""

    def __init__(
        self,
        operation: str,
        max_retries: int,
        policy: RetryPolicy,
        *,
        external_task_id: str | None = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.operation = operation
        self.max_retries = max_retries
        self.policy = policy
        self.external_task_id = external_task_id
        self.retries_done = 0
        self.possibly_accepted = False  # an earlier create attempt may have stored the task

    def may_have_been_accepted(self, error: Exception) -> bool:
        """Whether a failed create may still have stored the task: a 5xx, or a transport error
        after the request may have reached the server."""
        if self.operation != CREATE_OPERATION:
            return False
        if isinstance(error, httpx.TransportError):
            return not isinstance(error, NOT_SENT_ERRORS)
        return isinstance(error, ServerError)

    def next_delay(self, error: Exception) -> float | None:
        """Seconds to wait before the next attempt, or None: raise the error."""
        if self.retries_done >= self.max_retries or not is_transient(error):
            return None
        accepted = self.may_have_been_accepted(error)
        if accepted and self.external_task_id is None:
            return None  # a retry could create a second task
        delay = self.policy.backoff(self.retries_done + 1)
        retry_after = error.retry_after if isinstance(error, OmniApiError) else None
        if retry_after is not None:
            if retry_after > self.policy.max_retry_after:
                return None
            delay = max(delay, retry_after)
        self.possibly_accepted = self.possibly_accepted or accepted
        self.retries_done += 1
        return delay

    def should_look_up(self, error: Exception) -> bool:
        """Whether this create error is "external_task_id already used" after an attempt that
        may have stored the task: then the task is looked up instead of the error raised."""
        return (
            self.operation == CREATE_OPERATION
            and self.possibly_accepted
            and self.external_task_id is not None
            and isinstance(error, OmniApiError)
            and error.code == _already_used_code()
        )

    def event(self, error: Exception, delay: float, action: str = RETRY) -> RetryEvent:
        """The RetryEvent of the retry just decided (or of a look-up)."""
        return RetryEvent(
            self.operation, self.retries_done, self.max_retries, delay, error, action=action
        )


def is_transient(error: Exception) -> bool:
    """A retryable code of the spec's error table, or a retryable transport error."""
    if isinstance(error, OmniApiError):
        return error.retryable
    return isinstance(error, RETRYABLE_TRANSPORT_ERRORS)
