"""Schema boundaries of the create body, from the spec's own bounds (API-FACTS "Create body")."""

from __future__ import annotations

from typing import Any

from conformance.checks._cases import (
    ACCEPTED,
    RequestCase,
    fixed_ratio,
    invalid_code,
    run_cases,
    series_model,
)
from conformance.context import CheckContext
from conformance.registry import conformance_check
from conformance.violation import SkipCheck


def _prompt_cases(ctx: CheckContext, bad: int) -> list[RequestCase]:
    prompt = ctx.contract.schema("Prompt")
    low, high = int(prompt["minLength"]), int(prompt["maxLength"])
    # Length is counted in code points [decided]: CJK (3 UTF-8 bytes), emoji outside the BMP
    # (2 UTF-16 units), and combining marks (2 code points per grapheme) tell the counts apart.
    units = {"ASCII": "a", "CJK": "\u6c49", "emoji outside the BMP": "\U0001f600"}
    cases = [RequestCase(f"prompt of {low} code point(s)", {"prompt": "a" * low}, ACCEPTED)]
    if low > 0:
        cases.append(RequestCase("empty prompt", {"prompt": "a" * (low - 1)}, bad))
    for name, unit in units.items():
        cases.append(
            RequestCase(f"prompt of {high} {name} code points", {"prompt": unit * high}, ACCEPTED)
        )
        cases.append(
            RequestCase(
                f"prompt of {high + 1} {name} code points", {"prompt": unit * (high + 1)}, bad
            )
        )
    combining = "e\u0301" * (high // 2) + "e" * (high % 2)
    cases.append(
        RequestCase(
            f"prompt of {high} code points with combining marks", {"prompt": combining}, ACCEPTED
        )
    )
    cases.append(
        RequestCase(
            f"prompt of {high + 1} code points with combining marks",
            {"prompt": combining + "\u0301"},
            bad,
        )
    )
    # Whitespace-only of valid length is accepted: the contract only counts code points [decided].
    cases.append(
        RequestCase(
            f"whitespace-only prompt of {high} code points", {"prompt": " " * high}, ACCEPTED
        )
    )
    return cases


def _n_cases(ctx: CheckContext, bad: int) -> list[RequestCase]:
    n = ctx.contract.schema("CreateTaskRequest")["properties"]["n"]
    low, high = int(n["minimum"]), int(n["maximum"])
    valid: list[tuple[str, Any]] = [
        (f"n {low}", low),
        (f"n {high}", high),
        ("n 1.0 (an integer by JSON Schema)", float(low)),
    ]
    invalid: list[tuple[str, Any]] = [
        (f"n {low - 1}", low - 1),
        (f"n {high + 1}", high + 1),
        ("n true", True),
        ("n 1.5", low + 0.5),
        ('n "1" (a string)', str(low)),
    ]
    body = {"prompt": ctx.prompt("n"), "aspect_ratio": fixed_ratio(ctx)}
    return [RequestCase(label, body | {"n": value}, ACCEPTED) for label, value in valid] + [
        RequestCase(label, body | {"n": value}, bad) for label, value in invalid
    ]


def _series_amount_cases(ctx: CheckContext, bad: int) -> list[RequestCase]:
    model = series_model(ctx)
    if model is None:
        return []
    schema = ctx.contract.schema("SeriesAmount")["oneOf"]
    integer = next(s for s in schema if s.get("type") == "integer")
    words = next(s for s in schema if s.get("type") == "string")["enum"]
    low, high = int(integer["minimum"]), int(integer["maximum"])
    body = {
        "prompt": ctx.prompt("series"),
        "model_name": model,
        "result_type": "series",
        "aspect_ratio": fixed_ratio(ctx),
    }
    valid: list[Any] = [low, high, float(high), *words]
    invalid: list[Any] = [
        low - 1,
        high + 1,
        True,
        low + 0.5,
        str(low),
        *(w.upper() for w in words),
        "",
    ]
    return [
        RequestCase(f"series_amount {v!r}", body | {"series_amount": v}, ACCEPTED) for v in valid
    ] + [RequestCase(f"series_amount {v!r}", body | {"series_amount": v}, bad) for v in invalid]


def _enum_cases(ctx: CheckContext, bad: int) -> list[RequestCase]:
    cases: list[RequestCase] = []
    ratio = fixed_ratio(ctx)
    auto_ok = [
        c.model_name
        for c in ctx.contract.capabilities.values()
        if c.auto_aspect_ratio_without_reference
    ]
    for value in ctx.contract.enum("AspectRatio"):
        body: dict[str, Any] = {"prompt": ctx.prompt("ratio"), "aspect_ratio": value}
        if value == "auto" and auto_ok:
            body["model_name"] = auto_ok[0]
        elif value == "auto":
            continue
        cases.append(RequestCase(f"aspect_ratio {value!r}", body, ACCEPTED))
    wrong_ratios: tuple[Any, ...] = ("5:4", f"{ratio} ", "", "AUTO", ratio.replace(":", "/"), 1)
    for wrong in wrong_ratios:
        cases.append(
            RequestCase(
                f"aspect_ratio {wrong!r}",
                {"prompt": ctx.prompt("ratio"), "aspect_ratio": wrong},
                bad,
            )
        )
    base = {"prompt": ctx.prompt("enum"), "aspect_ratio": ratio}
    for model in ctx.contract.enum("ModelName"):
        cases.append(RequestCase(f"model_name {model!r}", base | {"model_name": model}, ACCEPTED))
    for field, wrong in (
        ("model_name", "kling-v1"),
        ("model_name", ""),
        ("resolution", "8k"),
        ("resolution", "1K"),
        ("result_type", "multi"),
        ("watermark_info", {"enabled": "yes"}),
        ("watermark_info", True),
        ("callback_url", "/relative/path"),
        ("callback_url", "ftp://127.0.0.1/hook"),
        ("external_task_id", ""),
        ("external_task_id", 42),
        ("image_list", "not-a-list"),
        ("element_list", [{"element_id": "1001"}]),
    ):
        cases.append(RequestCase(f"{field} {wrong!r}", base | {field: wrong}, bad))
    return cases


@conformance_check("schema-boundaries")
def check_schema_boundaries(ctx: CheckContext) -> None:
    """Prompt length in code points, n, series_amount, every enum value and invalid ones, by the
    spec."""
    bad = invalid_code(ctx)
    cases = (
        _prompt_cases(ctx, bad)
        + _n_cases(ctx, bad)
        + _series_amount_cases(ctx, bad)
        + _enum_cases(ctx, bad)
    )
    if not cases:
        raise SkipCheck("the spec states no boundaries")
    run_cases(ctx, cases)
