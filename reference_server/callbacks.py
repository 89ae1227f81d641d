"""Callback delivery from the durable outbox (rules `callback-*`).

The worker enqueues one outbox row per status change in the same transaction as the change, so
a delivery is never lost: after a restart, pending rows are picked up again. For each task only
its oldest pending row is ever in flight, so deliveries arrive in lifecycle order. Non-2xx
answers and connection errors are retried with exponential back-off up to a bounded number of
attempts; giving up is recorded in the outbox (`gave_up`, attempts, last error) and logged.
At most MAX_IN_FLIGHT deliveries run at once per process, so slow or dead receivers cannot hold
up the deliveries of other tasks beyond that bound. With a webhook secret, every attempt is
signed the Standard Webhooks way (same `webhook-id` across retries of a delivery); during a key
rotation (several secrets configured, newest first) the `webhook-signature` header carries one
space-separated `v1,<sig>` per secret, in that order (rule `callback-signature-rotation`).

Several server processes may send from one outbox: each attempt runs under a lease on its row
(`TaskStore.claim_deliveries`). An attempt is cut off after `timeout` seconds and the lease lasts
LEASE_MARGIN seconds longer, so no attempt is still running when its lease ends; a process that
dies holding leases leaves them to expire, and another process then takes the rows over
(at-least-once: the receiver may see a delivery again). An outcome is recorded only under the
lease it was attempted with, so a task's next delivery never starts while an earlier one may
still arrive.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence

import anyio
import httpx
from anyio.abc import TaskGroup
from standardwebhooks.webhooks import Webhook

from reference_server.store import PendingDelivery, TaskStore
from reference_server.url_fetch import HostRefusedError, outbound_url
from reference_server.worker import now_ms

log = logging.getLogger(__name__)
BATCH = 50
MAX_IN_FLIGHT = 64  # concurrent deliveries: bounds sockets and memory against slow receivers
LEASE_MARGIN = 5.0  # seconds a lease outlasts the longest attempt (recording the outcome)
DELIVERED, GAVE_UP = "delivered", "gave_up"


class CallbackDispatcher:
    def __init__(
        self,
        store: TaskStore,
        client: httpx.AsyncClient,
        *,
        webhook_secrets: Sequence[str],
        max_attempts: int,
        retry_base: float,
        poll_interval: float = 0.05,
        timeout: float = 5.0,
    ) -> None:
        self.store = store
        self.client = client
        self.signers = [Webhook(secret) for secret in webhook_secrets]
        self.max_attempts = max_attempts
        self.retry_base = retry_base
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.lease_ms = int((timeout + LEASE_MARGIN) * 1000)
        self._in_flight: set[int] = set()

    async def run(self) -> None:
        async with anyio.create_task_group() as group:
            while True:
                try:
                    started = self._start_due(group)
                except Exception:  # keep delivering after a database hiccup
                    log.exception("callback outbox poll failed")
                    started = 0
                await anyio.sleep(0 if started else self.poll_interval)

    def _start_due(self, group: TaskGroup) -> int:
        started = 0
        room = min(BATCH, MAX_IN_FLIGHT - len(self._in_flight))
        if room <= 0:
            return 0
        for delivery in self.store.claim_deliveries(now_ms(), room, self.lease_ms):
            if delivery.id not in self._in_flight:
                self._in_flight.add(delivery.id)
                group.start_soon(self._deliver, delivery)
                started += 1
        return started

    def headers(self, delivery: PendingDelivery) -> dict[str, str]:
        headers = {"content-type": "application/json"}
        if self.signers:
            message_id = f"msg_{delivery.task_id}_{delivery.id}"
            timestamp = datetime.datetime.now(tz=datetime.UTC)
            headers["webhook-id"] = message_id
            headers["webhook-timestamp"] = str(int(timestamp.timestamp()))
            payload = delivery.body.decode("utf-8")
            headers["webhook-signature"] = " ".join(
                signer.sign(message_id, timestamp, payload) for signer in self.signers
            )
        return headers

    async def _deliver(self, delivery: PendingDelivery) -> None:
        attempts = delivery.attempts + 1
        try:
            error = await self._post(delivery)
            self._record(delivery, attempts, error)
        except anyio.get_cancelled_exc_class():
            # Stopping: hand the row back now (attempt not counted) instead of leaving it leased.
            self.store.retry_delivery(delivery.id, delivery.attempts, now_ms(),
                                      "cancelled: server stopping", delivery.claim)  # fmt: skip
            raise
        except Exception as exc:
            # Still count the attempt: a row whose outcome is never recorded would be retried
            # every poll forever and block the task's later callbacks.
            log.warning("callback delivery %s failed unexpectedly: %r", delivery.id, exc)
            try:
                self._record(delivery, attempts, f"{type(exc).__name__}: {exc}")
            except Exception:
                log.exception("callback delivery %s: recording the outcome failed", delivery.id)
        finally:
            self._in_flight.discard(delivery.id)

    def _record(self, delivery: PendingDelivery, attempts: int, error: str | None) -> None:
        claim = delivery.claim
        if error is None:
            kept = self.store.finish_delivery(delivery.id, DELIVERED, attempts, None, claim)
        elif attempts >= self.max_attempts:
            kept = self.store.finish_delivery(delivery.id, GAVE_UP, attempts, error, claim)
            log.warning(
                "callback %s of task %s gave up after %d attempts: %s",
                delivery.id, delivery.task_id, attempts, error,
            )  # fmt: skip
        else:
            delay_ms = int(self.retry_base * 2 ** (attempts - 1) * 1000)
            kept = self.store.retry_delivery(
                delivery.id, attempts, now_ms() + delay_ms, error, claim
            )
        if not kept:
            log.warning("callback %s: lease lost before its outcome was recorded", delivery.id)

    async def _post(self, delivery: PendingDelivery) -> str | None:
        """None when the receiver accepted (2xx), else what went wrong."""
        try:
            with anyio.fail_after(self.timeout):  # the whole attempt, not each read or write
                response = await self.client.post(
                    outbound_url(delivery.url),
                    content=delivery.body,
                    headers=self.headers(delivery),
                    follow_redirects=False,
                )
        except TimeoutError:
            return f"TimeoutError: the attempt took longer than {self.timeout:g} s"
        except HostRefusedError as exc:
            return str(exc)
        except Exception as exc:  # includes ExceptionGroup (e.g. OverflowError for port 99999)
            return f"{type(exc).__name__}: {exc}"
        if 200 <= response.status_code < 300:
            return None
        return f"HTTP {response.status_code}"
