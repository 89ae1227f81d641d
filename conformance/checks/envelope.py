"""API-FACTS "Envelope" and the method rule: JSON everywhere, request_id always, errors without
data."""

from __future__ import annotations

from conformance.context import CheckContext
from conformance.expect import expect_error, fail, schema_errors
from conformance.http import Exchange
from conformance.registry import conformance_check

# The operation keys of an OpenAPI 3.1 path item (section 4.8.9), i.e. every method it can define.
OPENAPI_METHODS = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE")
IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})


def _envelope_problems(
    ctx: CheckContext, exchange: Exchange, success_schema: str | None
) -> list[str]:
    problems: list[str] = []
    if exchange.content_type != "application/json":
        problems.append(f"content type is {exchange.content_type!r}, not application/json")
    body = exchange.json()
    if not isinstance(body, dict):
        return [*problems, "body is not a JSON object"]
    request_id = body.get("request_id")
    if not isinstance(request_id, str) or not request_id:
        problems.append("request_id missing or empty")
    if not isinstance(body.get("message"), str):
        problems.append("message missing or not a string")
    if exchange.status == 200:
        if body.get("code") != 0 or "data" not in body:
            problems.append("a success has code 0 and data")
        if success_schema:
            problems += schema_errors(ctx, success_schema, body)[:3]
    else:
        problems += [f"error envelope: {e}" for e in schema_errors(ctx, "Error", body)[:3]]
    return problems


@conformance_check("envelope")
def check_envelope(ctx: CheckContext) -> None:
    """Successes and errors of every operation are JSON envelopes with request_id; errors lack
    data."""
    created = ctx.api.create({"prompt": ctx.prompt("envelope")})
    task_id = (
        (created.data or {}).get("task_id", "missing")
        if isinstance(created.data, dict)
        else "missing"
    )
    samples: list[tuple[str, Exchange, str | None]] = [
        ("create_task success", created, "TaskEnvelope"),
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
        problems = _envelope_problems(ctx, exchange, schema)
        if problems:
            fail(ctx, exchange, "every response is a JSON envelope: " + "; ".join(problems), case)
        if exchange.status != 200 and exchange.status < 400:
            fail(
                ctx,
                exchange,
                "a JSON envelope with a success (200) or error (4xx/5xx) status",
                case,
            )
        request_ids.add(exchange.json()["request_id"])
    if len(request_ids) < len(samples):
        ctx.note("some responses shared a request_id")


def _unsupported_methods(ctx: CheckContext, spec_path: str) -> list[str]:
    """HTTP methods an OpenAPI path item may define, minus those the spec's item for spec_path
    defines. HEAD and OPTIONS are left out: frameworks answer them implicitly (HEAD has no body
    to carry a code), and the contract does not name them."""
    defined = {method.upper() for method in ctx.contract.document["paths"][spec_path]}
    return [method for method in OPENAPI_METHODS if method not in defined | IMPLICIT_METHODS]


@conformance_check("method-not-supported")
def check_method_not_supported(ctx: CheckContext) -> None:
    """Every method the spec does not define on either path is 404/1202, with and without a token
    (the method is checked first)."""
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
            expect_error(ctx, exchange, code, f"{method} {path} {label}")
