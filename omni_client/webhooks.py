"""Receive task callbacks: verify Standard Webhooks signatures, parse the body into a `Task`.

Contract (docs/contract.md, "Callback protocol"; rules `callback-documented-body`,
`callback-body-equals-task`, `callback-signature` and `callback-signature-rotation`): the body is
the documented callback body (`CallbackTask`: a server may send the whole task, but
`watermark_info`, `final_balance_deduction` and result items' `watermark_url` may be absent),
every field present typed as in the task; with a webhook secret configured each delivery
carries `webhook-id`, `webhook-timestamp` (seconds) and `webhook-signature`, a space-separated list
of `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{raw body}">` keyed with the base64-decoded part of
the `whsec_` secret; during a key rotation the header carries one signature per secret, and any one
that verifies is enough. A receiver answering non-2xx is retried (rule `callback-retry-non-2xx`), so
`CallbackReceiver` answers 4xx for deliveries it refuses and 5xx when the user's handler fails.

The HMAC is computed by the `standardwebhooks` package (`Webhook.sign`). The comparison is done
here, constant-time per candidate, because the package's `verify` has a fixed 5-minute tolerance,
reads the real clock, and raises `ValueError` on a malformed signature entry instead of skipping it.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import inspect
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from datetime import UTC, datetime
from typing import Any

from omni_image_client.models import CallbackTask
from standardwebhooks import Webhook
from standardwebhooks.webhooks import EmptyWebhookSecretError

from omni_spec import load_contract

DEFAULT_TOLERANCE_SECONDS = 300.0  # Standard Webhooks' recommended 5 minutes
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
SIGNATURE_VERSION = "v1"
_TIMESTAMP = re.compile(r"^[0-9]+$")

Message = MutableMapping[str, Any]
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
TaskHandler = Callable[[CallbackTask], Awaitable[None] | None]


class WebhookSignatureError(ValueError):
    """A delivery's signature headers are missing, stale or match no expected signature."""


class CallbackPayloadError(ValueError):
    """A delivery's body is not a task object as the spec describes it."""


def _system_time() -> float:
    return time.time()


def parse_task(body: bytes | str) -> CallbackTask:
    """The generated `CallbackTask` for a callback body, validated against the spec's schema."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CallbackPayloadError(f"body is not JSON: {exc}") from exc
    problems = load_contract().schema_problems("CallbackTask", document)
    if problems:
        raise CallbackPayloadError(f"body is not a task callback: {'; '.join(problems)}")
    return CallbackTask.from_dict(document)


class WebhookVerifier:
    """Verify Standard Webhooks signatures for one `whsec_` secret.

    >>> from standardwebhooks import Webhook
    >>> secret = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
    >>> body = b'{"task_id": "1"}'
    >>> when = datetime.fromtimestamp(1_800_000_000, tz=UTC)
    >>> signature = Webhook(secret).sign("msg_1", when, body.decode())
    >>> headers = {"webhook-id": "msg_1", "webhook-timestamp": "1800000000",
    ...            "webhook-signature": f"v1,bm90IGl0 {signature}"}
    >>> WebhookVerifier(secret, clock=lambda: 1_800_000_010).verify(body, headers)
    """

    def __init__(
        self,
        secret: str,
        *,
        tolerance: float = DEFAULT_TOLERANCE_SECONDS,
        clock: Callable[[], float] = _system_time,
    ) -> None:
        if not secret.removeprefix("whsec_").strip():
            # An empty secret must never mean "accept anything": refuse it, clearly.
            raise ValueError("invalid webhook secret: it is empty (use secret=None for no signing)")
        try:
            self._webhook = Webhook(secret)
        except (ValueError, RuntimeError, EmptyWebhookSecretError) as exc:
            raise ValueError(f"invalid webhook secret: {exc}") from exc
        self.tolerance = tolerance
        self._clock = clock

    def _timestamp(self, header: str) -> datetime:
        # Canonical digits only: the signed text uses the header as sent, `sign` re-renders it.
        if not _TIMESTAMP.match(header) or str(int(header)) != header:
            raise WebhookSignatureError("webhook-timestamp is not integer seconds")
        seconds = int(header)
        if abs(self._clock() - seconds) > self.tolerance:
            raise WebhookSignatureError(
                f"webhook-timestamp is more than {self.tolerance:g} s away from now"
            )
        return datetime.fromtimestamp(seconds, tz=UTC)

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Raise `WebhookSignatureError` unless one `v1` signature matches; headers any case."""
        lowered = {name.lower(): value for name, value in headers.items()}
        msg_id = lowered.get("webhook-id", "")
        stamp = lowered.get("webhook-timestamp", "")
        signatures = lowered.get("webhook-signature", "")
        if not (msg_id and stamp and signatures):
            raise WebhookSignatureError(
                "webhook-id, webhook-timestamp or webhook-signature missing"
            )
        when = self._timestamp(stamp)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WebhookSignatureError("body is not UTF-8") from exc
        expected = base64.b64decode(self._webhook.sign(msg_id, when, text).split(",", 1)[1])
        for candidate in signatures.split(" "):
            version, _, encoded = candidate.partition(",")
            if version != SIGNATURE_VERSION:
                continue
            try:
                given = base64.b64decode(encoded, validate=True)
            except binascii.Error:
                continue
            if hmac.compare_digest(expected, given):
                return
        raise WebhookSignatureError("no webhook-signature matches")


def verify_signature(
    body: bytes,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    clock: Callable[[], float] = _system_time,
) -> None:
    """One-shot `WebhookVerifier(secret).verify(body, headers)`."""
    WebhookVerifier(secret, tolerance=tolerance, clock=clock).verify(body, headers)


def parse_verified_task(
    body: bytes, headers: Mapping[str, str], secret: str | None = None
) -> CallbackTask:
    """Verify (when a secret is given), then parse a delivery into a `CallbackTask`."""
    if secret is not None:
        verify_signature(body, headers, secret)
    return parse_task(body)


class CallbackReceiver:
    """An ASGI app receiving task callbacks: verify, parse, hand over, answer.

    Answers 204 once the task is handed over; 405 for another method; 413 for an oversized body;
    401 for a bad signature (when `secret` is set); 400 for a body that is not a task; 500 when
    the handler raises, so that the server delivers again (rule `callback-retry-non-2xx`).
    Tasks go to `on_task` (plain or async function) if given, else to `queue`.

    >>> import asyncio, uvicorn
    >>> receiver = CallbackReceiver(secret=None)  # tasks land in receiver.queue
    >>> config = uvicorn.Config(receiver, host="127.0.0.1", port=0)  # serve it with any ASGI server
    """

    def __init__(
        self,
        on_task: TaskHandler | None = None,
        *,
        queue: asyncio.Queue[CallbackTask] | None = None,
        secret: str | None = None,
        tolerance: float = DEFAULT_TOLERANCE_SECONDS,
        clock: Callable[[], float] = _system_time,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.on_task = on_task
        self.queue: asyncio.Queue[CallbackTask] = queue if queue is not None else asyncio.Queue()
        # `is not None`: an empty secret is refused by WebhookVerifier, never read as "no secret".
        self._verifier = (
            WebhookVerifier(secret, tolerance=tolerance, clock=clock)
            if secret is not None
            else None
        )
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        status, detail = await self._handle(scope, receive)
        await _answer(send, status, detail)

    async def _handle(self, scope: Scope, receive: Receive) -> tuple[int, str]:
        if scope["method"] != "POST":
            return 405, "only POST is accepted"
        body = await _read_body(receive, self.max_body_bytes)
        if body is None:
            return 413, f"body over {self.max_body_bytes} bytes"
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        try:
            if self._verifier is not None:
                self._verifier.verify(body, headers)
        except WebhookSignatureError as exc:
            return 401, str(exc)
        try:
            task = parse_task(body)
        except CallbackPayloadError as exc:
            return 400, str(exc)
        try:
            await self._hand_over(task)
        except Exception as exc:  # the handler's failure must become a retry, not a crash
            return 500, f"handler failed: {type(exc).__name__}"
        return 204, ""

    async def _hand_over(self, task: CallbackTask) -> None:
        if self.on_task is None:
            await self.queue.put(task)
            return
        outcome = self.on_task(task)
        if inspect.isawaitable(outcome):
            await outcome


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or None once it grows over `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _answer(send: Send, status: int, detail: str) -> None:
    body = b"" if status == 204 else json.dumps({"error": detail}).encode()
    headers = [(b"content-type", b"application/json")] if body else []
    if status == 405:
        headers.append((b"allow", b"POST"))
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
