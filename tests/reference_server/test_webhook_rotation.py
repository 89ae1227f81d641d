"""During a key rotation every delivery carries one signature per configured secret, newest first."""

from __future__ import annotations

import base64
import json

import pytest

from omni_client import WebhookSignatureError, verify_signature
from reference_server.launcher import start_reference_server
from tests.reference_server.helpers import create, receiver, wait_terminal, wait_until

NEW_SECRET = "whsec_" + base64.b64encode(b"the new webhook key, rotated in").decode()
OLD_SECRET = "whsec_" + base64.b64encode(b"the old webhook key, rotating out").decode()
UNRELATED_SECRET = "whsec_" + base64.b64encode(b"a key nobody configured").decode()


def test_rotation_signs_with_every_secret_and_the_client_accepts_any() -> None:
    """Two secrets: two v1 signatures; omni_client verifies with either, refuses a third key."""
    with (
        start_reference_server(
            step_delay=0.05, webhook_secret=f"{NEW_SECRET},{OLD_SECRET}"
        ) as server,
        receiver() as (hook, url),
    ):
        task_id = create(server.base_url, {"prompt": "x", "callback_url": url}).json()["data"][
            "task_id"
        ]
        wait_terminal(server.base_url, task_id)
        assert wait_until(lambda: any(b'"succeed"' in body for body in hook.bodies))
    headers, body = hook.requests[-1]
    signatures = headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(sig.startswith("v1,") for sig in signatures)
    assert json.loads(body)["task_id"] == task_id
    verify_signature(body, headers, NEW_SECRET)
    verify_signature(body, headers, OLD_SECRET)
    # Newest first: the first signature alone verifies under the new key, not the old one.
    first_only = {**headers, "webhook-signature": signatures[0]}
    verify_signature(body, first_only, NEW_SECRET)
    with pytest.raises(WebhookSignatureError):
        verify_signature(body, first_only, OLD_SECRET)
    with pytest.raises(WebhookSignatureError):
        verify_signature(body, headers, UNRELATED_SECRET)
