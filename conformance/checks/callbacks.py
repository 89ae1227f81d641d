"""The contract's "Callback protocol", observed at the suite's own loopback receiver.

The documented body (no more: no watermark_url, no final_balance_deduction required) and the
signature are documented lines; delivery of the terminal status, order, retries, field types and
the terminal delivery matching a later GET are rulings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.checks._cases import fixed_ratio
from conformance.context import CheckContext
from conformance.expect import expect_created, fail, tolerating_rulings
from conformance.http import Exchange
from conformance.lines import OBSERVED
from conformance.receiver import Delivery
from conformance.registry import conformance_check
from conformance.shapes import most_binding, schema_problems
from conformance.tasks import terminal_statuses, wait_for_terminal
from conformance.violation import SkipCheck
from omni_client.webhooks import WebhookSignatureError, WebhookVerifier

# The terminal delivery may trail the terminal status a get_task shows (and a retried one backs
# off): once GET shows the task terminal, wait at most this long for it. The contract states no
# delivery deadline; this bound is the suite's (docs/conformance.md).
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
    task = expect_created(ctx, create_exchange, "create with callback_url")
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


def _violation(
    ctx: CheckContext, run: CallbackRun, documented: str, case: str, rule: str | None = None
) -> None:
    fail(ctx, run.create_exchange, documented, case, _delivery_text(run.deliveries), rule=rule)


def _bodies(run: CallbackRun) -> list[dict[str, Any]]:
    """The JSON-object bodies of the deliveries, in arrival order."""
    return [body for d in run.deliveries if isinstance(body := d.json(), dict)]


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


DOCUMENTED_BODY = "callback-documented-body"
# What the terminal delivery must share with a GET after it [decided].
MATCHING_FIELDS = ("task_id", "task_status", "task_info")


def _result_urls(task: dict[str, Any]) -> list[str]:
    result = task.get("task_result")
    if not isinstance(result, dict):
        return []
    items = [*result.get("images", []), *result.get("series_images", [])]
    return [str(item.get("url")) for item in items if isinstance(item, dict)]


@conformance_check("callback-body-equals-task", covers={DOCUMENTED_BODY: (OBSERVED,)})
def check_body_equals_task(ctx: CheckContext) -> None:
    """Every delivery carries the documented body of this task, each field typed as a task's; the
    terminal one's task_id, task_status, task_info and result urls equal the final GET's."""
    run = shared_run(ctx)
    if not run.deliveries:
        _violation(
            ctx, run, "the terminal status is always delivered", "no delivery", DOCUMENTED_BODY
        )
    for delivery in run.deliveries:
        body = delivery.json()
        case = f"delivery #{delivery.sequence}"
        problems = most_binding(schema_problems(ctx.contract, "CallbackTask", body))
        if problems:
            with tolerating_rulings(ctx):
                _violation(
                    ctx,
                    run,
                    "each delivery is the documented callback body (components/schemas/"
                    "CallbackTask): " + "; ".join(p.message for p in problems[:3]),
                    case,
                    problems[0].rule,
                )
        if isinstance(body, dict) and body.get("task_id") != run.task["task_id"]:
            _violation(ctx, run, "each delivery is about this task", case, DOCUMENTED_BODY)
    terminal = [b for b in _bodies(run) if b.get("task_status") in terminal_statuses(ctx)]
    if not terminal:
        return
    last = terminal[-1]
    differing = [name for name in MATCHING_FIELDS if last.get(name) != run.final.get(name)]
    if _result_urls(last) != _result_urls(run.final):
        differing.append("task_result urls")
    if differing:
        fail(
            ctx,
            run.final_exchange,
            "the terminal delivery's task_id, task_status, task_info and result urls equal those "
            "of a get_task after it",
            "terminal delivery vs final GET",
            f"differ: {', '.join(differing)}\ndelivery: {last}\nGET data: {run.final}",
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


ROTATION = "callback-signature-rotation"
SECRET_KEY = "callback-signature-secret-key"
TIMESTAMP_WINDOW = "callback-timestamp-window"


def _signed_with_raw_secret(secret: str, delivery: Delivery) -> bool:
    """Whether a v1 signature verifies when keyed with the secret's text instead of its
    base64-decoded part (the secret-key ruling broken, the signing scheme kept)."""
    headers = delivery.headers
    signed = f"{headers.get('webhook-id')}.{headers.get('webhook-timestamp')}.".encode()
    signed += delivery.body
    candidates = {secret.encode(), secret.removeprefix("whsec_").encode()}
    expected = {
        base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        for key in candidates
    }
    given = {
        value.partition(",")[2] for value in (headers.get("webhook-signature") or "").split(" ")
    }
    return bool(expected & given)


@conformance_check(
    "callback-signature",
    needs=("webhook_secret",),
    covers={ROTATION: (OBSERVED,), SECRET_KEY: (OBSERVED,), TIMESTAMP_WINDOW: (OBSERVED,)},
)
def check_signature(ctx: CheckContext) -> None:
    """Each delivery carries webhook-id/timestamp/signature; the timestamp is seconds within the
    receivers' 5-minute window; one of the space-separated v1 signatures verifies with
    --webhook-secret (keyed with its base64-decoded part, a ruling)."""
    run = shared_run(ctx)
    secret = ctx.config.webhook_secret or ""
    window = float(ctx.contract.rule(TIMESTAMP_WINDOW).params["tolerance_seconds"])
    try:
        verifier = WebhookVerifier(secret, tolerance=float("inf"))
    except ValueError as exc:
        raise SkipCheck(f"--webhook-secret is not a whsec_<base64> secret: {exc}") from None
    if not run.deliveries:
        _violation(ctx, run, "the terminal status is always delivered", "no delivery")
    for delivery in run.deliveries:
        case = f"delivery #{delivery.sequence}"
        missing = [
            h
            for h in ("webhook-id", "webhook-timestamp", "webhook-signature")
            if not delivery.headers.get(h)
        ]
        stamp = delivery.headers.get("webhook-timestamp", "")
        if missing or not stamp.isdigit():
            _violation(ctx, run, f"Standard Webhooks headers present (missing {missing})", case)
        if abs(delivery.received_at - int(stamp)) > window:
            _violation(
                ctx,
                run,
                f"webhook-timestamp within {window:g} s of the receiver's clock",
                f"{case}: webhook-timestamp {stamp}, received at {int(delivery.received_at)}",
                TIMESTAMP_WINDOW,
            )
        try:
            verifier.verify(delivery.body, delivery.headers)
        except WebhookSignatureError as exc:
            with tolerating_rulings(ctx):
                if _signed_with_raw_secret(secret, delivery):
                    fail(
                        ctx,
                        run.create_exchange,
                        ctx.contract.rule(SECRET_KEY).text,
                        case,
                        "signed with the secret's text as key; "
                        f"headers {_signature_headers(delivery)}",
                        rule=SECRET_KEY,
                    )
                several = " " in (delivery.headers.get("webhook-signature") or "").strip()
                fail(
                    ctx,
                    run.create_exchange,
                    ctx.contract.rule(ROTATION if several else "callback-signature").text,
                    case,
                    f"{exc}; headers {_signature_headers(delivery)}",
                    rule=ROTATION if several else "callback-signature",
                )
