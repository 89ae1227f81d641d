"""The contract's "Envelope" and the method rule: JSON everywhere, request_id always, errors
without data (a ruling), the create answer's five documented fields."""

from __future__ import annotations

from conformance.context import CheckContext
from conformance.expect import expect_error, fail, tolerating_rulings
from conformance.http import Exchange
from conformance.lines import OBSERVED
from conformance.registry import conformance_check
from conformance.shapes import SchemaProblem, most_binding, schema_problems

# The operation keys of an OpenAPI 3.1 path item (section 4.8.9), i.e. every method it can define.
OPENAPI_METHODS = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE")
IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})


ENVELOPE = "envelope"


def _envelope_problems(
    ctx: CheckContext, exchange: Exchange, success_schema: str | None
) -> list[SchemaProblem]:
    """Every way the answer is not the envelope, each with the line it breaks."""
    standing = ctx.standing(ENVELOPE)
    problems: list[SchemaProblem] = []

    def envelope(message: str) -> None:
        problems.append(SchemaProblem(ENVELOPE, standing, message))

    if exchange.content_type != "application/json":
        envelope(f"content type is {exchange.content_type!r}, not application/json")
    body = exchange.json()
    if not isinstance(body, dict):
        envelope("body is not a JSON object")
        return problems
    if not isinstance(body.get("request_id"), str):
        envelope("request_id missing or not a string")
    if not isinstance(body.get("message"), str):
        envelope("message missing or not a string")
    if exchange.status == 200:
        if body.get("code") != 0 or "data" not in body:
            envelope("a success has code 0 and data")
        if success_schema:
            problems += schema_problems(ctx.contract, success_schema, body)
    else:
        problems += schema_problems(ctx.contract, "Error", body)
    return problems


@conformance_check(
    ENVELOPE,
    covers={
        "envelope-error-has-no-data": (OBSERVED,),
        "create-answer-fields": (OBSERVED,),
        "create-answer-extra-fields-typed": (OBSERVED,),
        "final-balance-deduction-shape": (OBSERVED,),
        "task-unknown-fields-ignored": (OBSERVED,),
    },
)
def check_envelope(ctx: CheckContext) -> None:
    """Successes and errors of every operation are JSON envelopes with request_id; errors lack
    data; the create answer has the five documented fields, other task fields typed as a task's;
    fields the contract does not list are ignored."""
    created = ctx.api.create({"prompt": ctx.prompt("envelope")})
    task_id = (
        (created.data or {}).get("task_id", "missing")
        if isinstance(created.data, dict)
        else "missing"
    )
    samples: list[tuple[str, Exchange, str | None]] = [
        ("create_task success", created, "CreateTaskEnvelope"),
        ("get_task success", ctx.api.get(str(task_id)), "TaskEnvelope"),
        ("list_tasks success", ctx.api.list(), "TaskListEnvelope"),
        ("401 without Authorization", ctx.api.list(authorization=None), None),
        (
            "400 body not JSON",
            ctx.api.request(
                "POST",
                ctx.api.paths.create,
                content=b"{not json",
                headers={"Content-Type": "application/json"},
            ),
            None,
        ),
        ("400 invalid field", ctx.api.create({"prompt": ""}), None),
        ("404 unknown task", ctx.api.get(f"conformance-missing-{ctx.run_nonce}"), None),
        (
            "404 unsupported method",
            ctx.api.request(
                _unsupported_methods(ctx, ctx.api.paths.create)[0], ctx.api.paths.create
            ),
            None,
        ),
    ]
    request_ids: set[str] = set()
    for case, exchange, schema in samples:
        if exchange.transport_error:
            fail(ctx, exchange, "every request gets an HTTP answer", case)
        if schema is not None and exchange.status != 200:
            fail(ctx, exchange, "a valid, authenticated request succeeds (HTTP 200, code 0)", case)
        problems = most_binding(_envelope_problems(ctx, exchange, schema))
        if problems:
            with tolerating_rulings(ctx):
                fail(
                    ctx,
                    exchange,
                    "every response is a JSON envelope: " + "; ".join(p.message for p in problems),
                    case,
                    rule=problems[0].rule,
                )
        if exchange.status != 200 and exchange.status < 400:
            fail(
                ctx,
                exchange,
                "a JSON envelope with a success (200) or error (4xx/5xx) status",
                case,
            )
        body = exchange.json()
        request_ids.add(str(body.get("request_id")) if isinstance(body, dict) else "")
    if len(request_ids) < len(samples):
        ctx.note("some responses shared a request_id")


def _unsupported_methods(ctx: CheckContext, spec_path: str) -> list[str]:
    """HTTP methods an OpenAPI path item may define, minus those the spec's item for spec_path
    defines. HEAD and OPTIONS are left out: frameworks answer them implicitly (HEAD has no body
    to carry a code), and the contract does not name them."""
    defined = {method.upper() for method in ctx.contract.document["paths"][spec_path]}
    return [method for method in OPENAPI_METHODS if method not in defined | IMPLICIT_METHODS]


@conformance_check(
    "method-not-supported",
    covers={"method-checked-before-auth": (OBSERVED,), "error:1202": (OBSERVED,)},
)
def check_method_not_supported(ctx: CheckContext) -> None:
    """Every method the spec does not define on either path is 404/1202 with a token, and without
    one (the method is checked before authentication, a ruling)."""
    code = int(ctx.contract.rule("method-not-supported").params["code"])
    paths = ctx.api.paths
    item_path = paths.get(f"conformance-{ctx.run_nonce}")
    cases = [
        (method, path)
        for spec_path, path in ((paths.create, paths.create), (paths.get_template, item_path))
        for method in _unsupported_methods(ctx, spec_path)
    ]
    for method, path in cases:
        for with_token in (True, False):
            if with_token:
                exchange = ctx.api.request(method, path)
            else:
                exchange = ctx.api.request(method, path, authorization=None)
            label = "with a token" if with_token else "without a token"
            rule = "method-not-supported" if with_token else "method-checked-before-auth"
            with tolerating_rulings(ctx):
                expect_error(ctx, exchange, code, f"{method} {path} {label}", rule=rule)
