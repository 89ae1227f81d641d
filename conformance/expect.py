"""Assertions checks share; each failed one raises a `Violation` carrying the exchange as
evidence."""

from __future__ import annotations

from typing import Any, NoReturn

from conformance.context import CheckContext
from conformance.http import Exchange
from conformance.violation import Violation


def fail(
    ctx: CheckContext, exchange: Exchange | None, documented: str, case: str, received: str = ""
) -> NoReturn:
    """Raise the violation of the current check's rule for this exchange."""
    raise Violation(
        ctx.rule,
        sent=exchange.sent() if exchange else "(no request)",
        received=received or (exchange.received() if exchange else ""),
        documented=documented,
        curl=exchange.curl() if exchange else "",
        case=case,
    )


def schema_errors(ctx: CheckContext, schema_name: str, instance: Any) -> list[str]:
    """Messages of every way `instance` breaks `components/schemas/<schema_name>`."""
    validator = ctx.contract.schema_validator(schema_name)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in validator.iter_errors(instance)
    ]


def expect_error(
    ctx: CheckContext, exchange: Exchange, code: int, case: str, documented: str = ""
) -> None:
    """The answer is the error envelope with `code` and the HTTP status the error table gives it."""
    row = ctx.contract.error_codes[code]
    documented = documented or f"HTTP {row.status} with code {code} ({row.meaning})"
    if exchange.transport_error or exchange.status != row.status or exchange.code != code:
        fail(ctx, exchange, documented, case)
    body = exchange.json()
    if isinstance(body, dict) and "data" in body:
        fail(ctx, exchange, "an error envelope carries no data [decided]", case)


def expect_ok(ctx: CheckContext, exchange: Exchange, case: str, documented: str = "") -> Any:
    """HTTP 200 with code 0; returns `data`."""
    if exchange.transport_error or exchange.status != 200 or exchange.code != 0:
        fail(ctx, exchange, documented or "HTTP 200 with code 0 (request is valid)", case)
    return exchange.data


def expect_task(
    ctx: CheckContext, exchange: Exchange, case: str, documented: str = ""
) -> dict[str, Any]:
    """HTTP 200, code 0 and `data` a Task by the spec's schema; returns the task."""
    data = expect_ok(ctx, exchange, case, documented)
    errors = schema_errors(ctx, "Task", data)
    if errors or not isinstance(data, dict):
        fail(
            ctx,
            exchange,
            "data is a Task (components/schemas/Task): " + "; ".join(errors[:5]),
            case,
        )
    return data


def expect_accepted(
    ctx: CheckContext, body: Any, case: str, documented: str = ""
) -> dict[str, Any]:
    """Create a task from `body`; it must be accepted with status `submitted`."""
    exchange = ctx.api.create(body)
    task = expect_task(
        ctx, exchange, case, documented or "accepted: HTTP 200, code 0, a submitted task"
    )
    if task["task_status"] != ctx.contract.lifecycle.order[0]:
        fail(ctx, exchange, "a new task is submitted (task-status-forward-only)", case)
    return task


def expect_rejected(
    ctx: CheckContext, body: Any, code: int, case: str, documented: str = ""
) -> Exchange:
    """Create a task from `body`; it must be refused with `code`."""
    exchange = ctx.api.create(body)
    expect_error(ctx, exchange, code, case, documented)
    return exchange
