"""Table-driven request cases: a label, a body, the expected answer (accepted or an error code),
the contract line the case tests and the schema lines it also crosses, or the silence it touches.

A case on a silence (`silence=` an `x-silences` id) is sent and the side the server took is noted;
it never fails. Under --level documented, a case whose answer only breaks a ruling is a warning and
the next case still runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from conformance.context import CheckContext
from conformance.expect import expect_accepted, expect_rejected, tolerating_rulings
from conformance.lines import ACCEPTED as ACCEPTED_SIDE
from conformance.lines import REFUSED
from conformance.strategies import b64, render_image

ACCEPTED = 0
ON_A_SILENCE = -1  # `expected` of a case on a silence: either answer is allowed


@dataclass(frozen=True)
class RequestCase:
    """One create_task body and what the contract says about it (0 = accepted, else the code).

    `rule` is the x-rules id the case tests (default: the check's id); `lines` the schema lines
    (conformance.lines) it also crosses, on the side `expected` says; `silence` an x-silences id
    when the case touches a silence instead (then `expected` is ON_A_SILENCE).
    """

    label: str
    body: Any
    expected: int
    documented: str = ""
    rule: str = ""
    lines: tuple[str, ...] = ()
    silence: str = ""


def silent_case(label: str, body: Any, silence: str) -> RequestCase:
    """A case on a silence: sent, and the server's side noted."""
    return RequestCase(label, body, ON_A_SILENCE, silence=silence)


def observe_silence(ctx: CheckContext, label: str, body: Any, silence: str) -> None:
    """Send `body` (JSON, or raw JSON bytes) and note which side of `silence` the server took
    (never a failure)."""
    if isinstance(body, bytes):
        json_type = {"Content-Type": "application/json"}
        exchange = ctx.api.request("POST", ctx.api.paths.create, content=body, headers=json_type)
    else:
        exchange = ctx.api.create(body)
    if exchange.transport_error:
        taken = f"no answer ({exchange.transport_error})"
    elif exchange.status == 200 and exchange.code == 0:
        taken = "accepted"
    else:
        taken = f"refused (HTTP {exchange.status}, code {exchange.code})"
    ctx.note_silence(silence, f"{label}: {taken}")


def run_cases(ctx: CheckContext, cases: Iterable[RequestCase]) -> None:
    """Send every case; the first answer that breaks a line failing at this level raises a
    Violation (one breaking only a ruling under --level documented is a warning)."""
    for case in cases:
        if case.silence:
            observe_silence(ctx, case.label, case.body, case.silence)
            continue
        side = ACCEPTED_SIDE if case.expected == ACCEPTED else REFUSED
        for line in case.lines:
            ctx.exercise(line, side)
        rule = case.rule or None
        with tolerating_rulings(ctx):
            if case.expected == ACCEPTED:
                expect_accepted(ctx, case.body, case.label, case.documented, rule=rule)
            else:
                expect_rejected(
                    ctx, case.body, case.expected, case.label, case.documented, rule=rule
                )


def capability_safe_body(ctx: CheckContext, **fields: Any) -> dict[str, Any]:
    """A valid body for the default model whatever its capabilities, plus `fields`."""
    body: dict[str, Any] = {"prompt": ctx.prompt(ctx.rule)}
    body.update(fields)
    return body


def fixed_ratio(ctx: CheckContext) -> str:
    """The first aspect ratio of the spec's enum that is not `auto` (valid for every model)."""
    return next(r for r in ctx.contract.enum("AspectRatio") if r != "auto")


def series_model(ctx: CheckContext) -> str | None:
    """A model that takes `result_type: series` per x-capability-map, or None."""
    return next((c.model_name for c in ctx.contract.capabilities.values() if c.series), None)


def reference_image(ctx: CheckContext) -> dict[str, str]:
    """One small valid reference image item (a PNG of the minimum side, drawn once per run)."""
    side = int(ctx.contract.rule("reference-image-min-side").params["min_side"])
    picture = ctx.shared(
        "small-reference-png", lambda: b64(render_image(side + 20, side + 20, "PNG", ctx.seed).data)
    )
    return {"image": picture}


def series_body(ctx: CheckContext, model: str, **fields: Any) -> dict[str, Any]:
    """A series body valid under every reading: with a reference image, since text-only series
    is a silence (the capability map lists series under image-to-image only)."""
    body: dict[str, Any] = {
        "prompt": ctx.prompt("series"),
        "model_name": model,
        "result_type": "series",
        "aspect_ratio": fixed_ratio(ctx),
        "image_list": [reference_image(ctx)],
    }
    body.update(fields)
    return body


def invalid_code(ctx: CheckContext) -> int:
    """The code for a wrong type / range / enum / broken rule (1201), read from body-json-object."""
    return int(ctx.contract.rule("body-json-object").params["invalid_field_code"])


def missing_code(ctx: CheckContext) -> int:
    """The code for a non-JSON / non-object body or a missing required field (1200)."""
    return int(ctx.contract.rule("body-json-object").params["missing_or_malformed_code"])


def max_reference_ratio(ctx: CheckContext) -> Fraction:
    """The max_ratio of rule reference-image-aspect-ratio as an exact fraction (2.5 -> 5/2), so the
    longest side allowed against another is computed without float rounding."""
    return Fraction(str(ctx.contract.rule("reference-image-aspect-ratio").params["max_ratio"]))
