"""The contract's list rules: parameter bounds and defaults from the spec and newest first
(documented); the (created_at, task_id) order and clean paging (rulings)."""

from __future__ import annotations

from typing import Any

from conformance.checks._cases import fixed_ratio, invalid_code
from conformance.context import CheckContext
from conformance.expect import (
    expect_accepted,
    expect_error,
    expect_ok,
    expect_schema,
    fail,
    tolerating_rulings,
)
from conformance.http import Exchange
from conformance.lines import ACCEPTED, BOTH, OBSERVED, REFUSED
from conformance.registry import conformance_check

PARAMETERS = "list-paging-parameters"
TIES = "list-order-ties"


def _page(
    ctx: CheckContext, params: dict[str, Any], case: str
) -> tuple[list[dict[str, Any]], Exchange]:
    exchange = ctx.api.list(params)
    data = expect_ok(ctx, exchange, case, rule=PARAMETERS)
    expect_schema(ctx, exchange, "TaskListEnvelope", exchange.json(), case)
    return list(data), exchange


@conformance_check(
    PARAMETERS,
    covers={
        "range:list_tasks.pageNum": BOTH,
        "range:list_tasks.pageSize": BOTH,
        "error:1201": (OBSERVED,),
    },
)
def check_paging_parameters(ctx: CheckContext) -> None:
    """pageNum/pageSize bounds, wrong types and defaults exactly as the spec's parameter schemas
    say."""
    bad = invalid_code(ctx)
    for name in ("pageNum", "pageSize"):
        schema = ctx.contract.query_parameter("list_tasks", name)
        line = f"range:list_tasks.{name}"
        low, high = int(schema["minimum"]), int(schema["maximum"])
        for value in (low, high):
            ctx.exercise(line, ACCEPTED)
            _page(ctx, {name: value}, f"{name}={value}")
        wrong_values: tuple[Any, ...] = (low - 1, high + 1, "abc", f"{low}.5")
        for wrong in wrong_values:
            ctx.exercise(line, REFUSED)
            with tolerating_rulings(ctx):
                expect_error(ctx, ctx.api.list({name: wrong}), bad, f"{name}={wrong!r}")
    size = int(ctx.contract.query_parameter("list_tasks", "pageSize")["default"])
    number = int(ctx.contract.query_parameter("list_tasks", "pageNum")["default"])
    _ensure_tasks(ctx, size + 1)  # a default page size is only observable with more tasks
    plain, exchange = _page(ctx, {}, "no parameters")
    explicit, _ = _page(
        ctx, {"pageNum": number, "pageSize": size}, f"pageNum={number}&pageSize={size}"
    )
    if [t["task_id"] for t in plain] != [t["task_id"] for t in explicit]:
        fail(
            ctx,
            exchange,
            f"defaults are pageNum {number} and pageSize {size}",
            "no parameters",
            f"{len(plain)} tasks without parameters, {len(explicit)} with the defaults spelt out",
        )
    if len(plain) != size:
        fail(
            ctx,
            exchange,
            f"pageSize defaults to {size}",
            "no parameters",
            f"{len(plain)} tasks on the page, the user has more than {size}",
        )


def _ensure_tasks(ctx: CheckContext, count: int) -> None:
    """Create tasks until the user has at least `count` (cheap: no result is waited for)."""
    largest = int(ctx.contract.query_parameter("list_tasks", "pageSize")["maximum"])
    existing, _ = _page(ctx, {"pageNum": 1, "pageSize": min(count, largest)}, "count tasks")
    for index in range(len(existing), count):
        expect_accepted(
            ctx,
            {"prompt": ctx.prompt("paging defaults"), "aspect_ratio": fixed_ratio(ctx)},
            f"task {index + 1} of {count} for the default page size",
        )


def _key(task: dict[str, Any]) -> tuple[int, str]:
    """Sort key of the list order: task_id is a string, so ties compare by its string value."""
    return task["created_at"], task["task_id"]


@conformance_check("list-newest-first", covers={TIES: (OBSERVED,)})
def check_newest_first(ctx: CheckContext) -> None:
    """Newest first; by (created_at, task_id) with consecutive pages that neither overlap nor skip
    and an empty page past the last (rulings).

    Ruling (ours; the contract only says "then task_id"): task_id is a string, so tasks created in
    the same millisecond are ordered by task_id's string value, descending (`"10" < "9"`), never by
    a numeric reading of it.
    """
    created = [
        expect_accepted(
            ctx,
            {"prompt": ctx.prompt("paging"), "aspect_ratio": fixed_ratio(ctx)},
            f"task {i + 1} of 3",
        )
        for i in range(3)
    ]
    whole, exchange = _page(ctx, {"pageNum": 1, "pageSize": 50}, "pageSize=50")
    ids = [t["task_id"] for t in whole]
    expected_head = {t["task_id"] for t in created}
    if set(ids[:3]) != expected_head:
        fail(
            ctx,
            exchange,
            "newest first: the three tasks just created lead the list",
            "pageSize=50",
            f"first ids {ids[:3]}, just created {sorted(expected_head)}",
        )
    keys = [_key(t) for t in whole]
    if keys != sorted(keys, reverse=True):
        with tolerating_rulings(ctx):
            fail(
                ctx,
                exchange,
                "ordered by created_at, then task_id, both descending",
                "pageSize=50",
                f"(created_at, task_id) order: {keys[:10]}",
                rule=TIES,
            )
    size = 2
    pages: list[str] = []
    for number in range(1, 5):
        page, page_exchange = _page(
            ctx, {"pageNum": number, "pageSize": size}, f"pageNum={number}&pageSize={size}"
        )
        if len(page) > size:
            fail(
                ctx,
                page_exchange,
                f"at most pageSize ({size}) tasks",
                f"page {number}",
                rule=PARAMETERS,
            )
        pages += [t["task_id"] for t in page]
        if len(page) < size:
            break
    if pages != ids[: len(pages)]:
        with tolerating_rulings(ctx):
            fail(
                ctx,
                exchange,
                "consecutive pages neither overlap nor skip: they concatenate to the long page",
                f"pages 1..4 of size {size}",
                f"pages give {pages}, the long page starts {ids[: len(pages)]}",
                rule=TIES,
            )
    with tolerating_rulings(ctx):
        _check_past_last_page(ctx)


def _check_past_last_page(ctx: CheckContext) -> None:
    """Walk the list with the largest pageSize to the first short page; the next one is empty."""
    largest = int(ctx.contract.query_parameter("list_tasks", "pageSize")["maximum"])
    last_number = int(ctx.contract.query_parameter("list_tasks", "pageNum")["maximum"])
    for number in range(1, last_number):
        page, _ = _page(
            ctx, {"pageNum": number, "pageSize": largest}, f"pageNum={number}&pageSize={largest}"
        )
        if len(page) < largest:
            case = f"pageNum={number + 1}&pageSize={largest}"
            beyond, exchange = _page(ctx, {"pageNum": number + 1, "pageSize": largest}, case)
            if beyond:
                fail(
                    ctx,
                    exchange,
                    "a page past the last task is empty (pages neither overlap nor skip)",
                    case,
                    f"page {number} held {len(page)} of {largest} tasks (the last one), "
                    f"page {number + 1} still holds {len(beyond)}",
                    rule=TIES,
                )
            return
    ctx.note(f"more than {largest * (last_number - 1)} tasks: the page past the last not reached")
