"""Table-driven request cases: a label, a body and the expected answer (accepted or an error
code)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from conformance.context import CheckContext
from conformance.expect import expect_accepted, expect_rejected

ACCEPTED = 0


@dataclass(frozen=True)
class RequestCase:
    """One create_task body and what the contract says about it (0 = accepted, else the code)."""

    label: str
    body: Any
    expected: int
    documented: str = ""


def run_cases(ctx: CheckContext, cases: Iterable[RequestCase]) -> None:
    """Send every case; the first answer that differs from the contract raises a Violation."""
    for case in cases:
        if case.expected == ACCEPTED:
            expect_accepted(ctx, case.body, case.label, case.documented)
        else:
            expect_rejected(ctx, case.body, case.expected, case.label, case.documented)


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
