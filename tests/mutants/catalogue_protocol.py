"""Mutants of the protocol: authentication, envelope, method handling, schema-level shapes."""

from __future__ import annotations

import dataclasses
from typing import Any

from tests.conformance.test_planted_bugs import (
    _drop_request_id,
    _expired_reported_as_invalid,
    _method_405,
)
from tests.mutants.asgi import API_PATH, Answer, Sent, error_answer, tasks_in
from tests.mutants.mutant import (
    Mutant,
    edit_envelopes,
    from_proxy_mutation,
    with_settings,
    wrapping,
)

# The methods openapi.yaml gives each path (API-FACTS "Endpoints").
SPEC_METHODS = {API_PATH: ("GET", "POST"), "item": ("GET",)}


def _missing_header_as_invalid(sent: Sent, status: int, body: dict[str, Any]) -> int:
    if body.get("code") == 1001:
        body["code"] = 1002
    return status


def _scheme_case_sensitive(sent: Sent) -> Sent | Answer:
    scheme = sent.headers.get("authorization", "").partition(" ")[0]
    if scheme.lower() == "bearer" and scheme != "Bearer":
        return error_answer(401, 1002, "Authorization scheme must be 'Bearer'")
    return sent


def _error_with_data(sent: Sent, status: int, body: dict[str, Any]) -> int:
    if body.get("code") != 0:
        body["data"] = None
    return status


def _error_as_text(sent: Sent, answer: Answer) -> Answer:
    if answer.status >= 400 and sent.path.startswith(API_PATH):
        return dataclasses.replace(answer, headers=answer.headers | {"content-type": "text/plain"})
    return answer


def _success_without_message(sent: Sent, status: int, body: dict[str, Any]) -> int:
    if body.get("code") == 0:
        body.pop("message", None)
    return status


def _authenticate_before_method(sent: Sent) -> Sent | Answer:
    allowed = SPEC_METHODS[API_PATH if sent.path == API_PATH else "item"]
    api = sent.path.startswith(API_PATH)
    if api and sent.method not in allowed and "authorization" not in sent.headers:
        return error_answer(401, 1001, "Authorization header is missing")
    return sent


def _deduction_as_number(sent: Sent, status: int, body: dict[str, Any]) -> int:
    for task in tasks_in(body):
        task["final_unit_deduction"] = int(task["final_unit_deduction"])
    return status


def _list_data_wrapped(sent: Sent, status: int, body: dict[str, Any]) -> int:
    if sent.is_list and isinstance(body.get("data"), list):
        body["data"] = {"tasks": body["data"]}
    return status


def _created_as_201(sent: Sent, status: int, body: dict[str, Any]) -> int:
    return 201 if sent.is_create and status == 200 else status


def _later_pages_null(sent: Sent, status: int, body: dict[str, Any]) -> int:
    if sent.is_list and "pageNum=" in sent.query and "pageNum=1&" not in sent.query + "&":
        body["data"] = None
    return status


def _task_id_unlinkable(sent: Sent, status: int, body: dict[str, Any]) -> int:
    # create answers an id the server itself does not know: the spec's link leads nowhere.
    if sent.is_create:
        for task in tasks_in(body):
            task["task_id"] = "created-" + task["task_id"]
    return status


PROTOCOL_MUTANTS = [
    Mutant(
        "auth-expired-reported-invalid",
        "auth-codes",
        "auth",
        "an expired token is 1002 instead of 1004",
        wrapping(answers=from_proxy_mutation(_expired_reported_as_invalid)),
    ),
    Mutant(
        "auth-missing-header-reported-invalid",
        "auth-codes",
        "auth",
        "no Authorization header is 1002 instead of 1001",
        wrapping(answers=edit_envelopes(_missing_header_as_invalid)),
    ),
    Mutant(
        "auth-scheme-case-sensitive",
        "auth-codes",
        "auth",
        "'bearer'/'BEARER' refused: the scheme word treated as case-sensitive",
        wrapping(requests=_scheme_case_sensitive),
    ),
    Mutant(
        "auth-clock-skew-one-hour",
        "auth-codes",
        "auth",
        "an hour of clock skew allowed: nbf 10 minutes ahead and exp 10 minutes ago accepted",
        with_settings(jwt_leeway_seconds=3600),
    ),
    Mutant(
        "auth-api-key-refused",
        "auth-api-key",
        "auth",
        "a plain API key as bearer value is refused",
        with_settings(api_keys={}),
    ),
    Mutant(
        "envelope-no-request-id",
        "envelope",
        "envelope",
        "request_id missing from every envelope",
        wrapping(answers=from_proxy_mutation(_drop_request_id)),
    ),
    Mutant(
        "envelope-error-with-data",
        "envelope",
        "envelope",
        "error envelopes carry data: null",
        wrapping(answers=edit_envelopes(_error_with_data)),
    ),
    Mutant(
        "envelope-error-text-plain",
        "envelope",
        "envelope",
        "API errors are served as text/plain",
        wrapping(answers=_error_as_text),
    ),
    Mutant(
        "envelope-success-without-message",
        "envelope",
        "envelope",
        "successes lack message",
        wrapping(answers=edit_envelopes(_success_without_message)),
    ),
    Mutant(
        "method-405",
        "method-not-supported",
        "method",
        "an unsupported method is HTTP 405 instead of 404 (code 1202 kept)",
        wrapping(answers=from_proxy_mutation(_method_405)),
    ),
    Mutant(
        "method-after-auth",
        "method-not-supported",
        "method",
        "authentication is checked before the method: no token gives 401/1001, not 404/1202",
        wrapping(requests=_authenticate_before_method),
    ),
    Mutant(
        "shape-deduction-number",
        "schemathesis-examples",
        "schema-shapes",
        "final_unit_deduction is a number, not a string",
        wrapping(answers=edit_envelopes(_deduction_as_number)),
    ),
    Mutant(
        "shape-list-data-object",
        "schemathesis-fuzzing",
        "schema-shapes",
        "list_tasks data is an object wrapping the array",
        wrapping(answers=edit_envelopes(_list_data_wrapped)),
    ),
    Mutant(
        "shape-create-201",
        "schemathesis-coverage",
        "schema-shapes",
        "create_task answers HTTP 201, a status the spec does not document",
        wrapping(answers=edit_envelopes(_created_as_201)),
    ),
    Mutant(
        "shape-later-pages-null",
        "schemathesis-coverage",
        "schema-shapes",
        "list_tasks answers data: null for pageNum > 1",
        wrapping(answers=edit_envelopes(_later_pages_null)),
    ),
    Mutant(
        "stateful-created-task-not-found",
        "schemathesis-stateful",
        "schema-shapes",
        "get_task does not find the task_id create_task just answered (the spec's link breaks)",
        wrapping(answers=edit_envelopes(_task_id_unlinkable)),
    ),
    Mutant(
        "task-id-unlinkable",
        "task-lookup-by-either-id",
        "identity",
        "create_task answers a task_id that get_task does not find (the spec's link breaks)",
        wrapping(answers=edit_envelopes(_task_id_unlinkable)),
    ),
]
