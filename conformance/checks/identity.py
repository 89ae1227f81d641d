"""The contract's identity rules: lookup by either id (documented; a task_id match winning is a
ruling), unique external ids, user isolation ("not found" is documented; exactly 404/1203 is a
ruling)."""

from __future__ import annotations

from typing import Any

from conformance.checks._cases import fixed_ratio, invalid_code
from conformance.context import CheckContext
from conformance.expect import (
    expect_accepted,
    expect_created,
    expect_error,
    expect_ok,
    expect_rejected,
    expect_task,
    fail,
    tolerating_rulings,
)
from conformance.http import Exchange
from conformance.lines import OBSERVED
from conformance.registry import conformance_check

LOOKUP = "task-lookup-by-either-id"
TASK_ID_WINS = "task-lookup-task-id-wins"
ISOLATION = "user-isolation"
NOT_FOUND_CODE = "user-isolation-not-found-code"


def _not_found(ctx: CheckContext) -> int:
    """The code for an unknown or another user's task (1203), from rule user-isolation."""
    return int(ctx.contract.rule("user-isolation").params["not_found_code"])


def _body(ctx: CheckContext, **fields: Any) -> dict[str, Any]:
    return {"prompt": ctx.prompt("identity"), "aspect_ratio": fixed_ratio(ctx)} | fields


@conformance_check(LOOKUP, covers={TASK_ID_WINS: (OBSERVED,), "error:1203": (OBSERVED,)})
def check_lookup(ctx: CheckContext) -> None:
    """GET by task_id and by external_task_id give the same task; a task_id match wins; unknown is
    1203."""
    external = ctx.unique_id("lookup")
    task = expect_accepted(
        ctx, _body(ctx, external_task_id=external), "create with external_task_id"
    )
    if task["task_info"]["external_task_id"] != external or task["task_id"] == external:
        fail(
            ctx,
            ctx.api.get(task["task_id"]),
            "external_task_id is echoed in task_info and never replaces task_id",
            "create with external_task_id",
        )
    for label, key in (("by task_id", task["task_id"]), ("by external_task_id", external)):
        found = expect_task(ctx, ctx.api.get(key), f"get {label}")
        if found["task_id"] != task["task_id"]:
            fail(
                ctx,
                ctx.api.get(key),
                "get_task finds the task by either id",
                f"get {label}",
                f"got task {found['task_id']} instead of {task['task_id']}",
            )
    # A second task whose external_task_id equals the first task's task_id: the task_id match wins.
    shadow = expect_accepted(
        ctx, _body(ctx, external_task_id=task["task_id"]), "external_task_id = another task_id"
    )
    exchange = ctx.api.get(task["task_id"])
    found = expect_task(ctx, exchange, "get by an id that is a task_id and an external_task_id")
    if found["task_id"] != task["task_id"]:
        with tolerating_rulings(ctx):
            fail(
                ctx,
                exchange,
                "when both could match, the task_id match wins",
                "get by an id that is a task_id and an external_task_id",
                f"got task {found['task_id']} (the one with that external_task_id), "
                f"not {task['task_id']}",
                rule=TASK_ID_WINS,
            )
    expect_task(ctx, ctx.api.get(shadow["task_id"]), "the shadowing task by its own task_id")
    expect_error(
        ctx, ctx.api.get(ctx.unique_id("missing")), _not_found(ctx), "an id nobody created"
    )


@conformance_check("external-task-id-unique")
def check_external_unique(ctx: CheckContext) -> None:
    """A user's second task with a used external_task_id is 1201; another user may reuse it."""
    external = ctx.unique_id("unique")
    first = expect_accepted(ctx, _body(ctx, external_task_id=external), "first use")
    expect_rejected(
        ctx,
        _body(ctx, external_task_id=external),
        invalid_code(ctx),
        "same user, same external_task_id",
    )
    found = expect_task(ctx, ctx.api.get(external), "lookup after the refused duplicate")
    if found["task_id"] != first["task_id"]:
        fail(
            ctx,
            ctx.api.get(external),
            "a refused duplicate does not replace the first task",
            "lookup after duplicate",
        )
    if ctx.second is not None:
        exchange = ctx.second.create(_body(ctx, external_task_id=external))
        expect_created(ctx, exchange, "another user reuses the external_task_id (unique per user)")
    else:
        ctx.note("no second user: reuse by another user not checked")


def _expect_not_found(ctx: CheckContext, exchange: Exchange, case: str) -> None:
    """Another user's task is not found (documented: no task shown, a 404 or code 1203), and
    answered exactly like a missing task, 404/1203 (the ruling user-isolation-not-found-code)."""
    code = _not_found(ctx)
    status = int(ctx.contract.rule(ISOLATION).params["status"])
    if exchange.transport_error or (exchange.status != status and exchange.code != code):
        fail(ctx, exchange, "another user's task is not found", case, rule=ISOLATION)
    with tolerating_rulings(ctx):
        expect_error(ctx, exchange, code, case, rule=NOT_FOUND_CODE)


@conformance_check(ISOLATION, needs=("second_user",), covers={NOT_FOUND_CODE: (OBSERVED,)})
def check_isolation(ctx: CheckContext) -> None:
    """The second user sees none of the first's tasks by task_id, external_task_id or list, and
    back."""
    assert ctx.second is not None
    external = ctx.unique_id("isolated")
    mine = expect_accepted(ctx, _body(ctx, external_task_id=external), "first user's task")
    theirs = expect_created(
        ctx,
        ctx.second.create(_body(ctx, external_task_id=ctx.unique_id("other"))),
        "second user's task",
    )
    for label, key in (("by task_id", mine["task_id"]), ("by external_task_id", external)):
        _expect_not_found(
            ctx, ctx.second.get(key), f"second user gets the first user's task {label}"
        )
    _expect_not_found(
        ctx, ctx.api.get(theirs["task_id"]), "first user gets the second user's task by task_id"
    )
    largest = int(ctx.contract.query_parameter("list_tasks", "pageSize")["maximum"])
    for viewer, other, label in (
        (ctx.second, mine, "second user's list"),
        (ctx.api, theirs, "first user's list"),
    ):
        exchange = viewer.list({"pageNum": 1, "pageSize": largest})
        page = expect_ok(ctx, exchange, label)
        if any(isinstance(t, dict) and t.get("task_id") == other["task_id"] for t in page or []):
            fail(
                ctx,
                exchange,
                "the list holds only the caller's tasks",
                label,
                f"{label} contains task {other['task_id']} of the other user",
            )
