"""The contract's "Task object" lifecycle: forward-only statuses, failure messages, times in
milliseconds, empty results before succeed. Whether created_at stays fixed and updated_at never
decreases is a silence (noted)."""

from __future__ import annotations

import itertools
import time
from typing import Any

from conformance.checks._cases import fixed_ratio
from conformance.context import CheckContext
from conformance.expect import fail
from conformance.registry import conformance_check
from conformance.tasks import (
    TaskHistory,
    create_and_finish,
    expect_succeeded,
    initial_status,
    outcome_statuses,
)

# A plausible epoch in milliseconds is within a day of our clock; seconds are 1000x smaller.
CLOCK_TOLERANCE_MS = 24 * 3600 * 1000


def plain_history(ctx: CheckContext) -> TaskHistory:
    """One finished default task shared by the lifecycle checks (created once per run)."""
    body = {"prompt": ctx.prompt("lifecycle"), "aspect_ratio": fixed_ratio(ctx)}
    return ctx.shared("plain-history", lambda: create_and_finish(ctx, body, "a plain valid task"))


def _check_forward(ctx: CheckContext, history: TaskHistory, case: str) -> None:
    lifecycle = ctx.contract.lifecycle
    statuses = history.statuses
    if statuses[0] != initial_status(ctx):
        fail(
            ctx,
            history.last_exchange,
            f"a new task is {initial_status(ctx)}",
            case,
            f"create answered {statuses[0]!r}",
        )
    for before, after in itertools.pairwise(statuses):
        if not lifecycle.is_forward(before, after):
            fail(
                ctx,
                history.last_exchange,
                ctx.contract.rule("task-status-forward-only").text,
                case,
                f"statuses seen in order: {statuses}",
            )


@conformance_check("task-status-forward-only")
def check_forward_only(ctx: CheckContext) -> None:
    """Polled statuses start submitted, only move forward and end within --task-timeout."""
    _check_forward(ctx, plain_history(ctx), "a plain valid task")
    expect_succeeded(ctx, plain_history(ctx), "a plain valid task")
    # Terminal is final: re-reading later gives the same status.
    final = plain_history(ctx).final
    time.sleep(0.3)
    again = ctx.api.get(final["task_id"])
    if (again.data or {}).get("task_status") != final["task_status"]:
        fail(ctx, again, "a terminal status never changes", "re-read after the end")


@conformance_check("failed-has-message", needs=("failure_prompt",))
def check_failed_has_message(ctx: CheckContext) -> None:
    """A task with --failure-prompt ends failed, with a non-empty task_status_msg and no results."""
    prompt = ctx.config.failure_prompt or ""
    history = create_and_finish(
        ctx, {"prompt": prompt, "aspect_ratio": fixed_ratio(ctx)}, "the failure prompt"
    )
    _check_forward(ctx, history, "the failure prompt")
    final = history.final
    case = f"prompt {prompt!r}"
    if final["task_status"] != outcome_statuses(ctx)[1]:
        fail(
            ctx,
            history.last_exchange,
            "the failure prompt makes the task end failed (--failure-prompt)",
            case,
        )
    if not final["task_status_msg"].strip():
        fail(ctx, history.last_exchange, "failed carries a non-empty task_status_msg", case)
    result = final["task_result"]
    if result["images"] or result["series_images"]:
        fail(
            ctx,
            history.last_exchange,
            "when failed, images and series_images are both empty",
            case,
            rule="task-result-empty-until-succeed",
        )


@conformance_check("times-in-milliseconds")
def check_times(ctx: CheckContext) -> None:
    """created_at/updated_at are integer epoch milliseconds (within a day of now); whether
    created_at stays fixed and updated_at never decreases is a silence, only noted."""
    history = plain_history(ctx)
    now_ms = time.time() * 1000
    for snapshot in history.snapshots:
        for name in ("created_at", "updated_at"):
            if abs(snapshot[name] - now_ms) > CLOCK_TOLERANCE_MS:
                fail(
                    ctx,
                    history.last_exchange,
                    f"{name} is Unix epoch milliseconds (within a day of now)",
                    f"status {snapshot['task_status']}",
                    f"{name} {snapshot[name]} vs now {int(now_ms)} ms",
                )
    _note_time_order(ctx, history)


def _note_time_order(ctx: CheckContext, history: TaskHistory) -> None:
    """Which side of the silence task-times-monotonic the server took (never a failure)."""
    created = history.snapshots[0]["created_at"]
    changes: list[str] = []
    previous = created
    for snapshot in history.snapshots:
        if snapshot["created_at"] != created:
            changes.append(f"created_at {created} then {snapshot['created_at']}")
        if snapshot["updated_at"] < previous:
            changes.append(f"updated_at {snapshot['updated_at']} after {previous}")
        previous = snapshot["updated_at"]
    taken = "; ".join(changes) if changes else "created_at fixed, updated_at never decreasing"
    ctx.note_silence("task-times-monotonic", f"{len(history.snapshots)} reads: {taken}")


@conformance_check("task-result-empty-until-succeed")
def check_result_empty_until_succeed(ctx: CheckContext) -> None:
    """Before succeed both result lists are empty; external_task_id is null when none was given."""
    history = plain_history(ctx)
    for snapshot in history.snapshots:
        # The create answer may carry only the five documented fields (no task_result).
        result: dict[str, Any] = snapshot.get("task_result") or {"images": [], "series_images": []}
        case = f"status {snapshot['task_status']}"
        if snapshot["task_status"] != outcome_statuses(ctx)[0] and (
            result["images"] or result["series_images"]
        ):
            fail(
                ctx,
                history.last_exchange,
                "before succeed, images and series_images are empty",
                case,
                f"task_result {result}",
            )
        if snapshot["task_info"]["external_task_id"] is not None:
            fail(
                ctx,
                history.last_exchange,
                "task_info.external_task_id is null when none was given",
                case,
                f"external_task_id {snapshot['task_info']['external_task_id']!r}",
            )
