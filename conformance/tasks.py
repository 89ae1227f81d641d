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


def terminal_statuses(ctx: CheckContext) -> frozenset[str]:
    """`succeed` and `failed`, read from rule task-status-forward-only."""
    return ctx.contract.lifecycle.terminal


def initial_status(ctx: CheckContext) -> str:
    """The status of a new task (`submitted`): the first of the rule's lifecycle order."""
    return ctx.contract.lifecycle.order[0]


def outcome_statuses(ctx: CheckContext) -> tuple[str, str]:
    """(success, failure) = (`succeed`, `failed`): the terminal statuses in the rule's lifecycle
    order, which lists the success first ("submitted -> processing -> succeed or failed")."""
    lifecycle = ctx.contract.lifecycle
    success, failure = (status for status in lifecycle.order if status in lifecycle.terminal)
    return success, failure


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
                rule="task-status-forward-only",  # submitted -> ... -> succeed or failed
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
    if final["task_status"] != outcome_statuses(ctx)[0]:
        fail(
            ctx,
            history.last_exchange,
            "a valid task without the failure prompt ends succeed",
            case,
        )
    return final
