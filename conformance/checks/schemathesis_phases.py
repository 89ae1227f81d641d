"""Schemathesis phases as checks: examples, coverage, fuzzing, stateful (see
conformance.schemathesis_phase). A phase is no contract line: each of its findings names the
x-rules id it breaks (conformance.schemathesis_lines) and fails or warns by that line's
standing."""

from __future__ import annotations

import re

from conformance.context import CheckContext
from conformance.registry import conformance_check
from conformance.schemathesis_bodies import LoopbackUrls
from conformance.schemathesis_lines import line_of
from conformance.schemathesis_phase import PhaseFailure
from conformance.strategies import render_image
from conformance.violation import SkipCheck, Violation
from omni_spec import spec_path

# What the contract says, per Schemathesis check, for the "contract says" line of a failure.
DOCUMENTED = {
    "not_a_server_error": "bad input never yields a 5xx (server error)",
    "status_code_conformance": "only the statuses openapi.yaml documents for the operation",
    "content_type_conformance": "every response body is application/json",
    "response_schema_conformance": "the body matches the documented response schema",
    "response_headers_conformance": "documented response headers match their schemas",
    "negative_data_rejection": "a request the schema forbids is refused with a 4xx",
    "positive_data_acceptance": "a schema-valid request is accepted (or refused by an x-rule, 400)",
    "ignored_auth": "without valid credentials the API answers 401",
    "missing_required_header": "a missing required header is refused",
    "use_after_free": "a resource is never served after deletion",
    "ensure_resource_availability": "a created task is immediately available via get_task (link)",
    "omni_method_not_supported": "an unsupported method is 404 with code 1202 [decided]",
}
JWT_SIGNATURE = re.compile(r"(Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.)[A-Za-z0-9_-]+")


def _redact(text: str) -> str:
    return JWT_SIGNATURE.sub(r"\1<signature-redacted>", text)


def _loopback(ctx: CheckContext) -> LoopbackUrls:
    """Receiver URLs for Schemathesis' create bodies: a callback sink and a valid PNG reference."""
    side = int(ctx.contract.rule("reference-image-min-side").params["min_side"])
    image = render_image(side, side, "PNG", ctx.seed)
    return LoopbackUrls(
        origin=ctx.receiver.origin,
        callback_url=ctx.receiver.callback_url(f"{ctx.run_nonce}-schemathesis"),
        image_url=ctx.receiver.image_url(
            f"{ctx.run_nonce}-schemathesis.png", image.data, image.content_type
        ),
    )


def _violation(ctx: CheckContext, phase: str, failure: PhaseFailure) -> Violation:
    """A Schemathesis finding as the violation of the contract line it breaks."""
    rule = line_of(
        failure.check,
        failure.operation,
        negative=failure.negative,
        contract=ctx.contract,
        status=failure.status,
        body=failure.body,
    )
    return Violation(
        rule,
        sent=f"{failure.operation} (Schemathesis {phase} phase, seed {ctx.seed})",
        received=_redact(f"{failure.title}\n{failure.message}"),
        documented=f"{ctx.contract.rule(rule).text} (Schemathesis: "
        f"{DOCUMENTED.get(failure.check, failure.check)})",
        curl=_redact(failure.curl),
        case=f"{failure.check} on {failure.operation}",
        standing=ctx.standing(rule),
        check=ctx.rule,
    )


def _run(ctx: CheckContext, phase: str) -> None:
    from conformance.schemathesis_phase import run_phase

    assert ctx.api.tokens is not None
    result = run_phase(
        str(spec_path()),
        ctx.config.base_url,
        phase,
        tokens=ctx.api.tokens,
        loopback=_loopback(ctx),
        seed=ctx.seed,
        max_examples=ctx.config.max_examples,
    )
    if result.skipped_reason and not result.scenarios:
        raise SkipCheck(f"Schemathesis skipped the {phase} phase: {result.skipped_reason}")
    ctx.note(
        f"{result.scenarios} scenarios, {result.requests} requests ({result.successes} 2xx), "
        f"{len(result.checks_run)} Schemathesis checks"
    )
    findings = [_violation(ctx, phase, failure) for failure in result.failures]
    failing = [v for v in findings if not ctx.tolerates(v)]
    for violation in findings:
        if ctx.tolerates(violation):
            ctx.warn(violation)
    if failing:
        first = failing[0]
        others = "".join(
            f"\n- [{v.line}] {v.case}: {(v.received.splitlines() or [''])[0]}"
            for v in failing[1:10]
        )
        if others:
            first.received += f"\n\n{len(failing) - 1} more distinct failure(s):{others}"
        raise first
    if result.errors:
        raise RuntimeError(f"Schemathesis {phase} phase errors: " + "; ".join(result.errors[:3]))


@conformance_check("schemathesis-examples")
def check_examples(ctx: CheckContext) -> None:
    """Schemathesis examples phase: the spec's own examples, all built-in checks."""
    _run(ctx, "examples")


@conformance_check("schemathesis-coverage")
def check_coverage(ctx: CheckContext) -> None:
    """Schemathesis coverage phase: boundaries, negative values, unexpected methods (404/1202)."""
    _run(ctx, "coverage")


@conformance_check("schemathesis-fuzzing")
def check_fuzzing(ctx: CheckContext) -> None:
    """Schemathesis fuzzing phase: --max-examples random valid and invalid requests per
    operation."""
    _run(ctx, "fuzzing")


@conformance_check("schemathesis-stateful")
def check_stateful(ctx: CheckContext) -> None:
    """Schemathesis stateful phase: create_task then get_task through the spec's links."""
    _run(ctx, "stateful")
