"""Tests of omni_client.webhooks: Standard Webhooks verification, task parsing, CallbackReceiver."""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from omni_image_client.models import CallbackTask, TaskStatus
from standardwebhooks import Webhook

from omni_client.webhooks import (
    DEFAULT_TOLERANCE_SECONDS,
    CallbackPayloadError,
    CallbackReceiver,
    WebhookSignatureError,
    WebhookVerifier,
    parse_task,
    verify_signature,
)
from tests.omni_client.canned import task_dict

SECRET = "whsec_" + base64.b64encode(b"omni-image-kit-test-secret-32byt").decode()
OTHER_SECRET = "whsec_" + base64.b64encode(b"another-secret-another-secret-00").decode()
NOW = 1_800_000_000
TOLERANCE = int(DEFAULT_TOLERANCE_SECONDS)
BODY = json.dumps(task_dict(status="succeed", results=2)).encode()


def signed_headers(
    body: bytes = BODY, secret: str = SECRET, stamp: int = NOW, msg_id: str = "msg_1"
) -> dict[str, str]:
    """Headers a Standard Webhooks sender would attach."""
    when = datetime.fromtimestamp(stamp, tz=UTC)
    signature = Webhook(secret).sign(msg_id, when, body.decode())
    return {"webhook-id": msg_id, "webhook-timestamp": str(stamp), "webhook-signature": signature}


def verifier(**kwargs: Any) -> WebhookVerifier:
    return WebhookVerifier(SECRET, clock=lambda: NOW, **kwargs)


def test_valid_signature_passes() -> None:
    """A delivery signed with the secret verifies."""
    verifier().verify(BODY, signed_headers())


def test_one_good_signature_among_several_passes() -> None:
    """Several space-separated signatures pass if one v1 entry matches."""
    good = signed_headers()["webhook-signature"]
    wrong = signed_headers(secret=OTHER_SECRET)["webhook-signature"]
    headers = {
        **signed_headers(),
        "webhook-signature": f"{wrong} v2,{good[3:]} garbage v1,!!! {good}",
    }
    verifier().verify(BODY, headers)


def test_only_wrong_or_other_version_signatures_fail() -> None:
    """Wrong v1 signatures, or the right HMAC under another version, fail."""
    good = signed_headers()["webhook-signature"]
    wrong = signed_headers(secret=OTHER_SECRET)["webhook-signature"]
    headers = {**signed_headers(), "webhook-signature": f"{wrong} v2,{good[3:]}"}
    with pytest.raises(WebhookSignatureError, match="no webhook-signature matches"):
        verifier().verify(BODY, headers)


def test_wrong_secret_fails() -> None:
    """A delivery signed with another secret does not verify."""
    with pytest.raises(WebhookSignatureError):
        verifier().verify(BODY, signed_headers(secret=OTHER_SECRET))


def test_tampered_body_fails() -> None:
    """Changing one byte of the body breaks the signature."""
    with pytest.raises(WebhookSignatureError):
        verifier().verify(BODY.replace(b"succeed", b"failed!"), signed_headers())


@pytest.mark.parametrize("offset", [-TOLERANCE - 1, TOLERANCE + 1])
def test_stale_or_future_timestamp_fails(offset: int) -> None:
    """A timestamp more than the tolerance away from now fails, even when correctly signed."""
    with pytest.raises(WebhookSignatureError, match="away from now"):
        verifier().verify(BODY, signed_headers(stamp=NOW + offset))


def test_timestamp_at_tolerance_passes_and_tolerance_is_configurable() -> None:
    """Exactly `tolerance` seconds old passes; a smaller tolerance rejects it."""
    verifier().verify(BODY, signed_headers(stamp=NOW - TOLERANCE))
    with pytest.raises(WebhookSignatureError):
        verifier(tolerance=TOLERANCE - 1).verify(BODY, signed_headers(stamp=NOW - TOLERANCE))


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_fails(missing: str) -> None:
    """Each of the three headers is required."""
    headers = signed_headers()
    del headers[missing]
    with pytest.raises(WebhookSignatureError, match="missing"):
        verifier().verify(BODY, headers)


def test_header_names_are_case_insensitive() -> None:
    """Header names match whatever their case."""
    headers = {name.upper(): value for name, value in signed_headers().items()}
    verify_signature(BODY, headers, SECRET, clock=lambda: NOW)


@pytest.mark.parametrize("stamp", ["1.8e9", "-5", "01800000000", ""])
def test_non_integer_timestamp_fails(stamp: str) -> None:
    """The timestamp must be canonical integer seconds."""
    headers = {**signed_headers(), "webhook-timestamp": stamp}
    with pytest.raises(WebhookSignatureError):
        verifier().verify(BODY, headers)


@pytest.mark.parametrize("secret", ["", "whsec_", "  "])
def test_empty_secret_is_refused(secret: str) -> None:
    """An empty secret is a ValueError at construction that says it is empty."""
    with pytest.raises(ValueError, match="invalid webhook secret: it is empty"):
        WebhookVerifier(secret)


@pytest.mark.parametrize("secret", ["", "whsec_"])
def test_receiver_refuses_an_empty_secret_instead_of_accepting_unsigned(secret: str) -> None:
    """CallbackReceiver(secret="") fails at construction; it never silently skips verification."""
    with pytest.raises(ValueError, match="it is empty"):
        CallbackReceiver(secret=secret)


def test_parse_task_gives_generated_model() -> None:
    """A task body parses into the generated CallbackTask model."""
    task = parse_task(BODY)
    assert task.task_status is TaskStatus.SUCCEED
    assert len(task.task_result.images) == 2


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", json.dumps({**task_dict(), "task_status": "done"}).encode(), b"{}"],
)
def test_parse_task_rejects_non_tasks(body: bytes) -> None:
    """Non-JSON and JSON that breaks the spec's CallbackTask schema raise CallbackPayloadError."""
    with pytest.raises(CallbackPayloadError):
        parse_task(body)


def _post(
    app: CallbackReceiver, body: bytes, headers: dict[str, str], method: str = "POST"
) -> httpx.Response:
    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.request(method, "/hooks/kling", content=body, headers=headers)

    return asyncio.run(run())


def test_receiver_hands_verified_task_to_callback() -> None:
    """A signed delivery reaches the callback and is answered 204."""
    seen: list[CallbackTask] = []
    receiver = CallbackReceiver(seen.append, secret=SECRET, clock=lambda: NOW)
    response = _post(receiver, BODY, signed_headers())
    assert response.status_code == 204
    assert [task.task_id for task in seen] == ["860912345678901234"]


def test_receiver_refuses_bad_signature_with_401() -> None:
    """A delivery signed with another secret is 401 and never reaches the callback."""
    seen: list[CallbackTask] = []
    receiver = CallbackReceiver(seen.append, secret=SECRET, clock=lambda: NOW)
    response = _post(receiver, BODY, signed_headers(secret=OTHER_SECRET))
    assert response.status_code == 401
    assert seen == []


def test_receiver_without_secret_queues_unsigned_tasks() -> None:
    """With no secret, unsigned deliveries are accepted and land in the queue."""
    receiver = CallbackReceiver()
    assert _post(receiver, BODY, {"content-type": "application/json"}).status_code == 204
    assert receiver.queue.get_nowait().task_status is TaskStatus.SUCCEED


def test_receiver_answers_4xx_for_bad_requests() -> None:
    """Non-task body is 400, GET is 405, an oversized body is 413."""
    receiver = CallbackReceiver(max_body_bytes=len(BODY))
    assert _post(receiver, b"{}", {}).status_code == 400
    assert _post(receiver, b"", {}, method="GET").status_code == 405
    assert _post(receiver, BODY + b" ", {}).status_code == 413
    assert receiver.queue.empty()


def test_receiver_answers_500_when_handler_fails_and_awaits_async_handlers() -> None:
    """A raising handler gives 500 (so the server retries); async handlers are awaited."""

    def broken(task: CallbackTask) -> None:
        raise RuntimeError("disk full")

    assert _post(CallbackReceiver(broken), BODY, {}).status_code == 500
    seen: list[str] = []

    async def handler(task: CallbackTask) -> None:
        await asyncio.sleep(0)
        seen.append(task.task_id)

    assert _post(CallbackReceiver(handler), BODY, {}).status_code == 204
    assert seen == ["860912345678901234"]
