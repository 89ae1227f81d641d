"""Which contract line each Schemathesis finding breaks, so a phase's failure names an `x-rules` id
and its standing like every other check's.

By the Schemathesis check and the operation (create, list or get), and whether the case was
positive or negative: a negative create body that is accepted breaks `body-json-object` (a body
the server cannot accept is refused), a refused positive one `schema-boundaries`; a response that
breaks its schema breaks the line of the field it is about (conformance.shapes), read from the
recorded answer. A check this table does not know is a suite error, never a finding.

>>> line_of("negative_data_rejection", "POST /v1/images/omni-image", negative=True)
'body-json-object'
"""

from __future__ import annotations

from typing import Any

from conformance.shapes import ENVELOPE_RULE, most_binding, schema_problems
from omni_spec import Contract

CREATE, LIST, GET = "create", "list", "get"
# Per operation kind: the line a refused valid request / an accepted invalid one breaks.
VALID_REQUEST_RULES = {
    CREATE: "schema-boundaries",
    LIST: "list-paging-parameters",
    GET: "task-lookup-by-either-id",
}
INVALID_REQUEST_RULES = {
    CREATE: "body-json-object",
    LIST: "list-paging-parameters",
    GET: "task-lookup-by-either-id",
}
# The 400 a schema-valid request gets: on create only an x-rule may refuse it, with 1201 (which of
# 1200/1201 is the ruling body-error-code-split); a valid list/get request is never refused.
REFUSED_ONLY_BY_RULES = {
    CREATE: "body-error-code-split",
    LIST: "list-paging-parameters",
    GET: "task-lookup-by-either-id",
}
FIXED_RULES = {
    "status_code_conformance": ENVELOPE_RULE,
    "content_type_conformance": ENVELOPE_RULE,
    "response_headers_conformance": ENVELOPE_RULE,
    "ignored_auth": "auth-codes",
    "missing_required_header": "auth-codes",
    "use_after_free": "task-lookup-by-either-id",
    "ensure_resource_availability": "task-lookup-by-either-id",
    "object_level_authorization": "user-isolation",
    "omni_method_not_supported": "method-not-supported",
}
SUCCESS_SCHEMAS = {CREATE: "CreateTaskEnvelope", LIST: "TaskListEnvelope", GET: "TaskEnvelope"}


class UnmappedFinding(LookupError):
    """A Schemathesis check with no contract line in this table (a suite error)."""


def operation_kind(operation: str) -> str:
    """`POST /v1/images/omni-image` -> create, `GET .../{id}` -> get, `GET ...` -> list."""
    method, _, path = operation.partition(" ")
    if method.upper() == "POST":
        return CREATE
    return GET if "{" in path else LIST


def line_of(
    check: str,
    operation: str,
    *,
    negative: bool,
    contract: Contract | None = None,
    status: int | None = None,
    body: Any = None,
) -> str:
    """The x-rules id a Schemathesis finding breaks (UnmappedFinding when none is known)."""
    kind = operation_kind(operation)
    if check in FIXED_RULES:
        return FIXED_RULES[check]
    if check == "not_a_server_error":
        return (INVALID_REQUEST_RULES if negative else VALID_REQUEST_RULES)[kind]
    if check == "negative_data_rejection":
        return INVALID_REQUEST_RULES[kind]
    if check == "positive_data_acceptance":
        return VALID_REQUEST_RULES[kind]
    if check == "omni_positive_refused_only_by_rules":
        return REFUSED_ONLY_BY_RULES[kind]
    if check == "response_schema_conformance":
        if contract is None:
            return ENVELOPE_RULE
        schema = SUCCESS_SCHEMAS[kind] if status == 200 else "Error"
        problems = most_binding(schema_problems(contract, schema, body))
        return problems[0].rule if problems else ENVELOPE_RULE
    raise UnmappedFinding(f"no contract line is known for the Schemathesis check {check!r}")
