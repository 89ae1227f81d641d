"""Assertions checks share; each failed one raises a `Violation` naming the contract line it
enforces (an `x-rules` id, the check's own by default, with the standing the spec gives it) and
carrying the exchange as evidence."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from conformance.context import CheckContext
from conformance.http import Exchange
from conformance.lines import ACCEPTED, OBSERVED, REFUSED, error_line
from conformance.shapes import CREATE_FIELDS_RULE, ERROR_DATA_RULE, most_binding, schema_problems
from conformance.violation import Violation

BODY_RULE = "body-json-object"  # documented: a refused body is HTTP 400 with 1200 or 1201
BODY_CODE_SPLIT_RULE = "body-error-code-split"  # decided: which of the two
LOOKUP_RULE = "task-lookup-by-either-id"  # documented: get_task answers the task


def fail(
    ctx: CheckContext,
    exchange: Exchange | None,
    documented: str,
    case: str,
    received: str = "",
    *,
    rule: str | None = None,
) -> NoReturn:
    """Raise the violation of `rule` (default: the current check's id) for this exchange."""
    line = rule or ctx.rule
    raise Violation(
        line,
        sent=exchange.sent() if exchange else "(no request)",
        received=received or (exchange.received() if exchange else ""),
        documented=documented,
        curl=exchange.curl() if exchange else "",
        case=case,
        standing=ctx.standing(line),
        check=ctx.rule,
    )


@contextmanager
def tolerating_rulings(ctx: CheckContext) -> Iterator[None]:
    """Under --level documented, a deviation from a ruling inside the block becomes a warning and
    the check goes on with its next case; anything else propagates."""
    try:
        yield
    except Violation as violation:
        if not ctx.tolerates(violation):
            raise
        ctx.warn(violation)


def schema_errors(ctx: CheckContext, schema_name: str, instance: Any) -> list[str]:
    """Messages of every way `instance` breaks `components/schemas/<schema_name>`."""
    return [problem.message for problem in schema_problems(ctx.contract, schema_name, instance)]


def expect_schema(
    ctx: CheckContext, exchange: Exchange | None, schema_name: str, instance: Any, case: str
) -> None:
    """`instance` matches the schema; otherwise fail on the most binding line it breaks."""
    problems = most_binding(schema_problems(ctx.contract, schema_name, instance))
    if problems:
        fail(
            ctx,
            exchange,
            f"matches components/schemas/{schema_name}: "
            + "; ".join(p.message for p in problems[:5]),
            case,
            rule=problems[0].rule,
        )


def body_error_codes(ctx: CheckContext) -> frozenset[int]:
    """The codes a refused create body (or list parameter) carries: 1200 and 1201."""
    return frozenset(int(code) for code in ctx.contract.rule(BODY_RULE).params.values())


def expect_error(
    ctx: CheckContext,
    exchange: Exchange,
    code: int,
    case: str,
    documented: str = "",
    *,
    rule: str | None = None,
) -> None:
    """The answer is the error envelope with `code` and the HTTP status the error table gives it.

    Accepting what `rule` forbids breaks `rule`. A body refused with the wrong one of 1200/1201
    breaks only the ruling that splits them (`body-error-code-split`); refused any other way, the
    documented `body-json-object`. Other codes belong to `rule`. An error carrying `data` breaks
    `envelope-error-has-no-data`.
    """
    line = rule or ctx.rule
    row = ctx.contract.error_code(code)
    ctx.exercise(line, REFUSED)
    ctx.exercise(error_line(code), OBSERVED)
    if code in body_error_codes(ctx):
        ctx.exercise(BODY_CODE_SPLIT_RULE, REFUSED)
    documented = documented or f"HTTP {row.status} with code {code} ({row.meaning})"
    if exchange.transport_error or (exchange.status == 200 and exchange.code == 0):
        fail(ctx, exchange, f"refused: {documented}", case, rule=line)
    if exchange.status != row.status or exchange.code != code:
        body_codes = body_error_codes(ctx)
        if code in body_codes:
            if exchange.status == row.status and exchange.code in body_codes:
                fail(ctx, exchange, documented, case, rule=BODY_CODE_SPLIT_RULE)
            codes = " or ".join(str(c) for c in sorted(body_codes))
            fail(
                ctx,
                exchange,
                f"refused with HTTP {row.status} and code {codes} ({documented})",
                case,
                rule=BODY_RULE,
            )
        fail(ctx, exchange, documented, case, rule=line)
    body = exchange.json()
    if isinstance(body, dict) and "data" in body:
        fail(ctx, exchange, "an error envelope carries no data", case, rule=ERROR_DATA_RULE)


def expect_ok(
    ctx: CheckContext,
    exchange: Exchange,
    case: str,
    documented: str = "",
    *,
    rule: str | None = None,
) -> Any:
    """HTTP 200 with code 0 (the request is one `rule` allows); returns `data`."""
    line = rule or ctx.rule
    ctx.exercise(line, ACCEPTED)
    if exchange.transport_error or exchange.status != 200 or exchange.code != 0:
        fail(
            ctx, exchange, documented or "HTTP 200 with code 0 (request is valid)", case, rule=line
        )
    return exchange.data


def expect_task(
    ctx: CheckContext,
    exchange: Exchange,
    case: str,
    documented: str = "",
    *,
    rule: str | None = None,
) -> dict[str, Any]:
    """A get_task answer: HTTP 200, code 0 and `data` a Task; returns the task. A refusal breaks
    `rule` (default: get_task finds the task, task-lookup-by-either-id); a shape problem the line
    of the field it is about."""
    data = expect_ok(ctx, exchange, case, documented, rule=rule or LOOKUP_RULE)
    expect_schema(ctx, exchange, "Task", data, case)
    if not isinstance(data, dict):
        fail(ctx, exchange, "data is a task object", case, rule="envelope")
    return data


def expect_created(
    ctx: CheckContext,
    exchange: Exchange,
    case: str,
    documented: str = "",
    *,
    rule: str | None = None,
) -> dict[str, Any]:
    """A create answer: HTTP 200, code 0 and `data` carrying at least the five documented fields
    with `task_status` submitted (any other task field typed as in the task schema); returns
    `data`, which may hold only those five fields."""
    data = expect_ok(
        ctx, exchange, case, documented or "accepted: HTTP 200, code 0, a submitted task", rule=rule
    )
    expect_schema(ctx, exchange, "CreatedTask", data, case)
    if not isinstance(data, dict):
        fail(ctx, exchange, "data is the created task", case, rule=CREATE_FIELDS_RULE)
    submitted = ctx.contract.rule(CREATE_FIELDS_RULE).params["status"]
    if data["task_status"] != submitted:
        fail(ctx, exchange, f"a new task is {submitted}", case, rule=CREATE_FIELDS_RULE)
    return data


def expect_accepted(
    ctx: CheckContext, body: Any, case: str, documented: str = "", *, rule: str | None = None
) -> dict[str, Any]:
    """Create a task from `body`, which `rule` allows: it must be accepted as a submitted task."""
    return expect_created(ctx, ctx.api.create(body), case, documented, rule=rule)


def expect_rejected(
    ctx: CheckContext,
    body: Any,
    code: int,
    case: str,
    documented: str = "",
    *,
    rule: str | None = None,
) -> Exchange:
    """Create a task from `body`, which `rule` forbids: it must be refused with `code`."""
    exchange = ctx.api.create(body)
    expect_error(ctx, exchange, code, case, documented, rule=rule)
    return exchange
