"""Each check can fire: a proxy plants one contract bug and the check proving that rule fails."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.runner import Outcome, run_suite
from reference_server.launcher import RunningServer
from tests.conformance.conftest import full_config
from tests.conformance.mutating_proxy import Mutation, mutating_proxy


def _drop_request_id(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    if isinstance(body, dict):
        body.pop("request_id", None)
    return status, body


def _expired_reported_as_invalid(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    if isinstance(body, dict) and body.get("code") == 1004:
        body["code"] = 1002
    return status, body


def _list_oldest_first(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    listing = method == "GET" and path.startswith("/v1/images/omni-image?")
    if listing and isinstance(body, dict) and isinstance(body.get("data"), list):
        body["data"].reverse()
    return status, body


def _times_in_seconds(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict) and "created_at" in data:
        data["created_at"] //= 1000
        data["updated_at"] //= 1000
    return status, body


def _method_405(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    if isinstance(body, dict) and body.get("code") == 1202:
        return 405, body
    return status, body


def _watermark_dropped(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, dict) and isinstance(data.get("task_result"), dict):
        for item in data["task_result"].get("images", []):
            item.pop("watermark_url", None)
    return status, body


def _other_users_task_visible(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    # A server that says 403 instead of "not found" leaks that the task exists.
    if isinstance(body, dict) and body.get("code") == 1203:
        return 403, {
            "code": 1103,
            "message": "forbidden",
            "request_id": body.get("request_id", "x"),
        }
    return status, body


def _valid_list_refused(method: str, path: str, status: int, body: Any) -> tuple[int, Any]:
    # Refuses schema-valid list requests with 400 (only the 400 tolerance of Schemathesis is in play).
    if method == "GET" and path.startswith("/v1/images/omni-image?") and status == 200:
        return 400, {"code": 1201, "message": "refused", "request_id": body.get("request_id", "x")}
    return status, body


PLANTED: list[tuple[str, Mutation]] = [
    ("envelope", _drop_request_id),
    ("auth-codes", _expired_reported_as_invalid),
    ("list-newest-first", _list_oldest_first),
    ("times-in-milliseconds", _times_in_seconds),
    ("method-not-supported", _method_405),
    ("watermark-url-iff-enabled", _watermark_dropped),
    ("user-isolation", _other_users_task_visible),
    ("schemathesis-examples", _drop_request_id),
    ("schemathesis-coverage", _method_405),
    ("schemathesis-fuzzing", _valid_list_refused),
    ("schemathesis-stateful", _drop_request_id),
]


@pytest.mark.parametrize(("rule", "mutation"), PLANTED, ids=[rule for rule, _ in PLANTED])
def test_planted_bug_is_found(
    reference_server: RunningServer, rule: str, mutation: Mutation
) -> None:
    """The check named after the broken rule fails (not errors) and carries a curl line."""
    with mutating_proxy(reference_server.base_url, mutation) as base_url:
        result = run_suite(full_config(base_url, only=(rule,)))
    outcome = result.outcome(rule)
    assert outcome.outcome is Outcome.FAIL, outcome.reason
    assert outcome.violation is not None and outcome.violation.curl.startswith("curl ")
    assert result.exit_code == 1


def test_signature_with_another_secret_is_found(reference_server: RunningServer) -> None:
    """Deliveries signed with a secret other than --webhook-secret fail callback-signature."""
    other = "whsec_" + "c2lnbmVkLXdpdGgtYW5vdGhlci1zZWNyZXQtMDEyMzQ1"
    result = run_suite(
        full_config(reference_server.base_url, webhook_secret=other, only=("callback-signature",))
    )
    outcome = result.outcome("callback-signature")
    assert outcome.outcome is Outcome.FAIL, outcome.reason
    assert outcome.violation is not None and "signature" in outcome.violation.received
