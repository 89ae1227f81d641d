"""Waiting for tasks: poll get_task until a terminal status, recording every snapshot seen."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from conformance.context import CheckContext
from conformance.expect import expect_task, fail
from conformance.http import ApiClient, Exchange

POLL_INTERVAL = 0.1
MAX_POLL_INTERVAL = 0.5


def terminal_statuses(ctx: CheckContext) -> tuple[str, ...]:
    """`succeed` and `failed`, read from rule task-status-forward-only."""
    return tuple(ctx.contract.rule("task-status-forward-only").params["terminal"])


def status_order(ctx: CheckContext) -> dict[str, int]:
    """Lifecycle rank of each status; both terminal statuses share the last rank."""
    order = ctx.contract.rule("task-status-forward-only").params["order"]
    terminal = terminal_statuses(ctx)
    ranks = {status: index for index, status in enumerate(order) if status not in terminal}
    last = max(ranks.values(), default=-1) + 1
    ranks.update({status: last for status in terminal})
    return ranks


@dataclass
class TaskHistory:
    """Every snapshot of one task seen while polling, oldest first, and the last exchange."""

    task_id: str
    snapshots: list[dict[str, Any]] = field(default_factory=list)
    last_exchange: Exchange | None = None

    @property
    def final(self) -> dict[str, Any]:
        """The last snapshot (terminal when `wait_for_terminal` returned)."""
        return self.snapshots[-1]

    @property
    def statuses(self) -> list[str]:
        """The task_status of every snapshot, in order."""
        return [snapshot["task_status"] for snapshot in self.snapshots]


def wait_for_terminal(
    ctx: CheckContext,
    task_id: str,
    *,
    client: ApiClient | None = None,
    first: dict[str, Any] | None = None,
) -> TaskHistory:
    """Poll until `succeed`/`failed`; a timeout (--task-timeout) is a violation of the lifecycle."""
    api = client or ctx.api
    history = TaskHistory(task_id, [first] if first else [])
    deadline = time.monotonic() + ctx.config.task_timeout
    interval = POLL_INTERVAL
    terminal = terminal_statuses(ctx)
    while True:
        exchange = api.get(task_id)
        history.last_exchange = exchange
        task = expect_task(
            ctx, exchange, f"poll task {task_id}", "get_task answers the task (HTTP 200)"
        )
        history.snapshots.append(task)
        if task["task_status"] in terminal:
            return history
        if time.monotonic() > deadline:
            fail(
                ctx,
                exchange,
                "the task ends (succeed or failed) within --task-timeout "
                f"{ctx.config.task_timeout:g} s",
                f"wait for task {task_id}",
                received=f"still {task['task_status']!r} after {ctx.config.task_timeout:g} s; "
                f"statuses seen: {history.statuses}",
            )
        time.sleep(interval)
        interval = min(interval * 1.5, MAX_POLL_INTERVAL)


def create_and_finish(ctx: CheckContext, body: dict[str, Any], case: str) -> TaskHistory:
    """Create a task (must be accepted) and wait for its end; the history starts with the create
    answer."""
    from conformance.expect import expect_accepted

    task = expect_accepted(ctx, body, case)
    return wait_for_terminal(ctx, task["task_id"], first=task)


def expect_succeeded(ctx: CheckContext, history: TaskHistory, case: str) -> dict[str, Any]:
    """The finished task must be `succeed`; returns it."""
    final = history.final
    if final["task_status"] != "succeed":
        fail(
            ctx,
            history.last_exchange,
            "a valid task without the failure prompt ends succeed",
            case,
        )
    return final
