"""Mutants of the callback protocol: terminal delivery, order, retry, signature, body = GET."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import Callable
from typing import Any

from standardwebhooks.webhooks import Webhook

from reference_server import worker
from reference_server.callbacks import CallbackDispatcher
from reference_server.store import PendingDelivery, TaskRecord
from reference_server.worker import LifecycleWorker
from tests.mutants.mutant import Mutant, patching, with_settings

TERMINAL = ("succeed", "failed")
# A valid Standard Webhooks secret that is not the one the suite is told (scripts.run_conformance).
OTHER_SECRET = "whsec_" + "bXV0YW50LXNpZ25zLXdpdGgtYW5vdGhlci1zZWNyZXQ="


def _terminal_not_enqueued(original: Any) -> Any:
    def next_step(self: LifecycleWorker, task: TaskRecord) -> TaskRecord | None:
        step: TaskRecord | None = original(self, task)
        if step is not None and step.status in TERMINAL:
            step = dataclasses.replace(step, callback_url=None)  # the store enqueues nothing
        return step

    return next_step


def _processing_after_terminal(original: Any) -> Any:
    held: dict[str, PendingDelivery] = {}

    async def post(self: CallbackDispatcher, delivery: PendingDelivery) -> str | None:
        status = json.loads(delivery.body).get("task_status")
        if status not in TERMINAL:
            held[delivery.task_id] = delivery  # reported delivered, sent after the terminal one
            return None
        error: str | None = await original(self, delivery)
        late = held.pop(delivery.task_id, None)
        if error is None and late is not None:
            await original(self, late)
        return error

    return post


def _failed_after_succeed(original: Any) -> Any:
    async def post(self: CallbackDispatcher, delivery: PendingDelivery) -> str | None:
        error: str | None = await original(self, delivery)
        body = json.loads(delivery.body)
        if error is None and body.get("task_status") == "succeed":
            # The same task delivered once more as failed: two terminal statuses, out of order.
            body["task_status"] = "failed"
            await original(self, dataclasses.replace(delivery, body=json.dumps(body).encode()))
        return error

    return post


def _timestamp_in_milliseconds(original: Any) -> Any:
    def headers(self: CallbackDispatcher, delivery: PendingDelivery) -> dict[str, str]:
        result: dict[str, str] = original(self, delivery)
        if "webhook-timestamp" in result:
            result["webhook-timestamp"] = str(int(result["webhook-timestamp"]) * 1000)
        return result

    return headers


def _key_not_base64_decoded(original: Any) -> Any:
    def headers(self: CallbackDispatcher, delivery: PendingDelivery) -> dict[str, str]:
        signers = self.signers
        if not signers:
            return dict(original(self, delivery))
        # HMAC keyed with the secret's Base64 text (after whsec_) instead of the bytes it encodes.
        self.signers = [Webhook(base64.b64encode(signer._whsecret)) for signer in signers]
        try:
            return dict(original(self, delivery))
        finally:
            self.signers = signers

    return headers


def _body_edit(edit: Callable[[dict[str, Any]], None]) -> Callable[[Any], Any]:
    def make(original: Callable[[TaskRecord, str], bytes]) -> Any:
        def task_json_bytes(task: TaskRecord, public_url: str) -> bytes:
            body = json.loads(original(task, public_url))
            edit(body)
            return json.dumps(body).encode()

        return task_json_bytes

    return make


def _other_result_urls(body: dict[str, Any]) -> None:
    for item in body.get("task_result", {}).get("images", []):
        item["url"] += "?delivered"


def _without_status_message(body: dict[str, Any]) -> None:
    body.pop("task_status_msg", None)


CALLBACK_MUTANTS = [
    Mutant(
        "callback-terminal-dropped",
        "callback-terminal-delivered",
        "callbacks",
        "the terminal status is never delivered (processing is)",
        patching(LifecycleWorker, "next_step", _terminal_not_enqueued),
    ),
    Mutant(
        "callback-processing-after-terminal",
        "callback-lifecycle-order",
        "callbacks",
        "processing is delivered after the terminal status",
        patching(CallbackDispatcher, "_post", _processing_after_terminal),
    ),
    Mutant(
        "callback-failed-after-succeed",
        "callback-lifecycle-order",
        "callbacks",
        "the succeeded task is delivered once more as failed (terminal is not final)",
        patching(CallbackDispatcher, "_post", _failed_after_succeed),
    ),
    Mutant(
        "callback-no-retry",
        "callback-retry-non-2xx",
        "callbacks",
        "a delivery answered non-2xx is never retried",
        with_settings(callback_max_attempts=1),
    ),
    Mutant(
        "callback-signed-with-other-secret",
        "callback-signature",
        "callbacks",
        "deliveries are signed with another secret than the configured one",
        with_settings(webhook_secret=OTHER_SECRET),
    ),
    Mutant(
        "callback-timestamp-in-ms",
        "callback-signature",
        "callbacks",
        "webhook-timestamp is in milliseconds, not seconds",
        patching(CallbackDispatcher, "headers", _timestamp_in_milliseconds),
    ),
    Mutant(
        "callback-key-not-base64-decoded",
        "callback-signature",
        "callbacks",
        "deliveries are signed with the secret's Base64 text as the key, not the decoded bytes",
        patching(CallbackDispatcher, "headers", _key_not_base64_decoded),
    ),
    Mutant(
        "callback-result-urls-differ",
        "callback-body-equals-task",
        "callbacks",
        "the delivered result urls differ from the GET's",
        patching(worker, "task_json_bytes", _body_edit(_other_result_urls)),
    ),
    Mutant(
        "callback-body-undocumented",
        "callback-body-equals-task",
        "callbacks",
        "deliveries lack task_status_msg, a field of the documented body",
        patching(worker, "task_json_bytes", _body_edit(_without_status_message)),
    ),
]
