"""API-FACTS "Callback protocol", observed at the suite's own loopback receiver."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.checks._cases import fixed_ratio
from conformance.context import CheckContext
from conformance.expect import expect_task, fail, schema_errors
from conformance.http import Exchange
from conformance.receiver import Delivery
from conformance.registry import conformance_check
from conformance.tasks import terminal_statuses, wait_for_terminal
from conformance.violation import SkipCheck
from omni_client.webhooks import WebhookSignatureError, WebhookVerifier

# The terminal delivery may trail the terminal status a get_task shows (and a retried one backs
# off): once GET shows the task terminal, wait at most this long for it. API-FACTS states no
# delivery deadline; this bound is the suite's (docs/conformance.md, "Callback timing").
TERMINAL_DELIVERY_GRACE = 15.0
SETTLE_SECONDS = 1.0


@dataclass
class CallbackRun:
    """A task created with a callback_url, its final GET and the deliveries received."""

    task: dict[str, Any]
    final: dict[str, Any]
    final_exchange: Exchange
    deliveries: list[Delivery]
    create_exchange: Exchange


def _terminal_delivered(ctx: CheckContext, deliveries: list[Delivery], answered_ok: bool) -> bool:
    terminal = terminal_statuses(ctx)
    return any(
        isinstance(d.json(), dict)
        and d.json().get("task_status") in terminal
        and (d.answered == 200 or not answered_ok)
        for d in deliveries
    )


def run_with_callback(
    ctx: CheckContext, token: str, prompt: str, *, fail_first: int = 0
) -> CallbackRun:
    """Create a task notifying the receiver, wait for its end (GET), then at most
    TERMINAL_DELIVERY_GRACE seconds for the terminal delivery."""
    url = ctx.receiver.callback_url(token, fail_first=fail_first)
    body = {"prompt": prompt, "aspect_ratio": fixed_ratio(ctx), "callback_url": url}
    create_exchange = ctx.api.create(body)
    task = expect_task(ctx, create_exchange, "create with callback_url")
    history = wait_for_terminal(ctx, task["task_id"], first=task)
    deliveries = ctx.receiver.wait_for(
        token,
        lambda ds: _terminal_delivered(ctx, ds, answered_ok=True),
        TERMINAL_DELIVERY_GRACE,
    )
    # Deliveries still arriving after the terminal one (e.g. a late `processing`) break the
    # order: keep listening until the receiver has been quiet for SETTLE_SECONDS.
    while True:
        later = ctx.receiver.wait_for(token, _more_than(len(deliveries)), SETTLE_SECONDS)
        if len(later) == len(deliveries):
            break
        deliveries = later
    return CallbackRun(
        task, history.final, history.last_exchange or create_exchange, deliveries, create_exchange
    )


def _more_than(count: int) -> Callable[[list[Delivery]], bool]:
    return lambda deliveries: len(deliveries) > count


def shared_run(ctx: CheckContext) -> CallbackRun:
    """One succeeding task with callbacks, shared by the callback checks."""
    return ctx.shared(
        "callback-run",
        lambda: run_with_callback(ctx, f"{ctx.run_nonce}-plain", ctx.prompt("callback")),
    )


def _delivery_text(deliveries: list[Delivery]) -> str:
    if not deliveries:
        return "no delivery received"
    return "\n".join(
        f"#{d.sequence} answered {d.answered}: {d.body[:300].decode('utf-8', errors='replace')}"
        for d in deliveries
    )


def _violation(ctx: CheckContext, run: CallbackRun, documented: str, case: str) -> None:
    fail(ctx, run.create_exchange, documented, case, _delivery_text(run.deliveries))


@conformance_check("callback-terminal-delivered")
def check_terminal_delivered(ctx: CheckContext) -> None:
    """The terminal status reaches callback_url (succeed, and failed with --failure-prompt)."""
    runs = [("succeeding task", shared_run(ctx))]
    if ctx.config.failure_prompt:
        runs.append(
            (
                "failing task",
                run_with_callback(ctx, f"{ctx.run_nonce}-failed", ctx.config.failure_prompt),
            )
        )
    else:
        ctx.note("no --failure-prompt: delivery of failed not checked")
    for case, run in runs:
        statuses = [
            d.json().get("task_status") for d in run.deliveries if isinstance(d.json(), dict)
        ]
        if run.final["task_status"] not in statuses:
            _violation(
                ctx,
                run,
                f"the terminal status ({run.final['task_status']}) is always delivered",
                case,
            )


@conformance_check("callback-lifecycle-order")
def check_lifecycle_order(ctx: CheckContext) -> None:
    """Deliveries for one task arrive in lifecycle order (repeats from retries allowed)."""
    run = shared_run(ctx)
    lifecycle = ctx.contract.lifecycle
    statuses = [d.json().get("task_status") for d in run.deliveries if isinstance(d.json(), dict)]
    known = [s for s in statuses if s in lifecycle.order]
    if len(known) != len(statuses) or not all(
        lifecycle.is_forward(a, b) for a, b in itertools.pairwise(known)
    ):
        _violation(
            ctx, run, "deliveries arrive in lifecycle order", f"statuses delivered: {statuses}"
        )


@conformance_check("callback-body-equals-task")
def check_body_equals_task(ctx: CheckContext) -> None:
    """Every delivery is a Task of this task; the terminal one equals the final GET's data."""
    run = shared_run(ctx)
    if not run.deliveries:
        _violation(ctx, run, "the terminal status is always delivered", "no delivery")
    for delivery in run.deliveries:
        body = delivery.json()
        errors = schema_errors(ctx, "Task", body)
        if errors:
            _violation(
                ctx,
                run,
                "each delivery is the task object (components/schemas/Task): "
                + "; ".join(errors[:3]),
                f"delivery #{delivery.sequence}",
            )
        if body["task_id"] != run.task["task_id"]:
            _violation(ctx, run, "each delivery is this task", f"delivery #{delivery.sequence}")
    terminal = [
        d.json() for d in run.deliveries if d.json().get("task_status") in terminal_statuses(ctx)
    ]
    if terminal and terminal[-1] != run.final:
        fail(
            ctx,
            run.final_exchange,
            "the terminal delivery equals data of a get_task at that moment [decided]",
            "terminal delivery vs final GET",
            f"delivery: {terminal[-1]}\nGET data: {run.final}",
        )


@conformance_check("callback-retry-non-2xx")
def check_retry(ctx: CheckContext) -> None:
    """A receiver answering 500 once gets the same delivery again."""
    token = f"{ctx.run_nonce}-retry"
    run = run_with_callback(ctx, token, ctx.prompt("retry"), fail_first=1)
    if not run.deliveries or run.deliveries[0].answered != 500:
        _violation(ctx, run, "the terminal status is always delivered", "receiver answers 500 once")
    refused = run.deliveries[0].json()
    later = [d.json() for d in run.deliveries[1:]]
    refused_status = refused.get("task_status") if isinstance(refused, dict) else None
    if not any(isinstance(b, dict) and b.get("task_status") == refused_status for b in later):
        _violation(
            ctx,
            run,
            "a receiver answering non-2xx is retried [decided]",
            f"first delivery ({refused_status}) answered 500",
        )


def _signature_headers(delivery: Delivery) -> dict[str, str | None]:
    names = ("webhook-id", "webhook-timestamp", "webhook-signature")
    return {name: delivery.headers.get(name) for name in names}


@conformance_check("callback-signature", needs=("webhook_secret",))
def check_signature(ctx: CheckContext) -> None:
    """Each delivery carries webhook-id/timestamp/signature that verify with --webhook-secret."""
    run = shared_run(ctx)
    try:
        verifier = WebhookVerifier(ctx.config.webhook_secret or "")
    except ValueError as exc:
        raise SkipCheck(f"--webhook-secret is not a whsec_<base64> secret: {exc}") from None
    if not run.deliveries:
        _violation(ctx, run, "the terminal status is always delivered", "no delivery")
    for delivery in run.deliveries:
        missing = [
            h
            for h in ("webhook-id", "webhook-timestamp", "webhook-signature")
            if not delivery.headers.get(h)
        ]
        if missing or not delivery.headers.get("webhook-timestamp", "").isdigit():
            _violation(
                ctx,
                run,
                f"Standard Webhooks headers present (missing {missing})",
                f"delivery #{delivery.sequence}",
            )
        try:
            verifier.verify(delivery.body, delivery.headers)
        except WebhookSignatureError as exc:
            fail(
                ctx,
                run.create_exchange,
                ctx.contract.rule("callback-signature").text,
                f"delivery #{delivery.sequence}",
                f"{exc}; headers {_signature_headers(delivery)}",
            )
