"""Schema boundaries of the create body, from the spec's own bounds (the contract's "Create body").

Each case names its line: a bound valid under every reading of "characters" or "integer" is the
documented `schema-boundaries`; one that only code-point counting or JSON Schema's types decide is
the ruling `prompt-length-code-points` or `body-json-schema-types`; a whitespace-only prompt, a
`watermark_info` without `enabled` and a callback_url that is no strict RFC 3986 URI are silences
(the server's side is noted).
"""

from __future__ import annotations

from typing import Any

from conformance.checks._cases import (
    ACCEPTED,
    RequestCase,
    fixed_ratio,
    invalid_code,
    reference_image,
    run_cases,
    series_body,
    series_model,
    silent_case,
)
from conformance.context import CheckContext
from conformance.lines import BOTH, OBSERVED
from conformance.registry import conformance_check
from conformance.violation import SkipCheck

CODE_POINTS = "prompt-length-code-points"
TYPES = "body-json-schema-types"
PROMPT = "range:Prompt"
N = "range:CreateTaskRequest.n"
AMOUNT = "range:SeriesAmount"
AMOUNT_WORDS = "enum:SeriesAmount"
CALLBACK = "pattern:CreateTaskRequest.callback_url"
EXTERNAL_ID = "range:CreateTaskRequest.external_task_id"
IMAGE = "range:ImageReference.image"


def _prompt_cases(ctx: CheckContext, bad: int) -> list[RequestCase]:
    prompt = ctx.contract.schema("Prompt")
    low, high = int(prompt["minLength"]), int(prompt["maxLength"])
    cases = [
        RequestCase(
            f"prompt of {low} code point(s)", {"prompt": "a" * low}, ACCEPTED, lines=(PROMPT,)
        ),
        RequestCase(
            f"prompt of {high} ASCII characters", {"prompt": "a" * high}, ACCEPTED, lines=(PROMPT,)
        ),
        RequestCase(
            f"prompt of {high + 1} ASCII characters",
            {"prompt": "a" * (high + 1)},
            bad,
            lines=(PROMPT,),
        ),
    ]
    if low > 0:
        cases.append(RequestCase("empty prompt", {"prompt": "a" * (low - 1)}, bad, lines=(PROMPT,)))
    # One over the bound in code points is over under every other count too (bytes, UTF-16
    # units, graphemes >= ...): documented. At the bound, CJK (3 UTF-8 bytes) and emoji outside
    # the BMP (2 UTF-16 units) pass only when code points are counted [decided].
    for name, unit in {"CJK": "\u6c49", "emoji outside the BMP": "\U0001f600"}.items():
        cases.append(
            RequestCase(
                f"prompt of {high} {name} code points",
                {"prompt": unit * high},
                ACCEPTED,
                rule=CODE_POINTS,
            )
        )
        cases.append(
            RequestCase(
                f"prompt of {high + 1} {name} code points",
                {"prompt": unit * (high + 1)},
                bad,
                lines=(PROMPT,),
            )
        )
    # Combining marks: 2,501 code points are only 1,251 graphemes, so refusing them is the ruling.
    combining = "e\u0301" * (high // 2) + "e" * (high % 2)
    cases.append(
        RequestCase(
            f"prompt of {high} code points with combining marks",
            {"prompt": combining},
            ACCEPTED,
            rule=CODE_POINTS,
        )
    )
    cases.append(
        RequestCase(
            f"prompt of {high + 1} code points with combining marks",
            {"prompt": combining + "\u0301"},
            bad,
            rule=CODE_POINTS,
        )
    )
    cases.append(
        silent_case(
            f"whitespace-only prompt of {high} code points",
            {"prompt": " " * high},
            "whitespace-only-prompt",
        )
    )
    cases += [
        # A lone surrogate cannot be encoded as UTF-8: only its JSON escape can be sent.
        silent_case(
            "prompt holding a lone surrogate",
            b'{"prompt": "a\\ud800b"}',
            "lone-surrogates-and-nul",
        ),
        silent_case(
            "prompt holding a NUL character", {"prompt": "a\u0000b"}, "lone-surrogates-and-nul"
        ),
    ]
    return cases


def _n_cases(ctx: CheckContext, bad: int) -> list[RequestCase]:
    n = ctx.contract.schema("CreateTaskRequest")["properties"]["n"]
    low, high = int(n["minimum"]), int(n["maximum"])
    body = {"prompt": ctx.prompt("n"), "aspect_ratio": fixed_ratio(ctx)}
    return [
        RequestCase(f"n {low}", body | {"n": low}, ACCEPTED, lines=(N,)),
        RequestCase(f"n {high}", body | {"n": high}, ACCEPTED, lines=(N,)),
        RequestCase(
            f"n {low}.0 (an integer by JSON Schema)", body | {"n": float(low)}, ACCEPTED, rule=TYPES
        ),
        RequestCase(f"n {low - 1}", body | {"n": low - 1}, bad, lines=(N,)),
        RequestCase(f"n {high + 1}", body | {"n": high + 1}, bad, lines=(N,)),
        RequestCase("n true (not an integer by JSON Schema)", body | {"n": True}, bad, rule=TYPES),
        RequestCase(f"n {low}.5", body | {"n": low + 0.5}, bad),
        RequestCase(f'n "{low}" (a string)', body | {"n": str(low)}, bad),
    ]


def _series_amount_cases(ctx: CheckContext, bad: int) -> list[RequestCase]:
    model = series_model(ctx)
    if model is None:
        return []
    schema = ctx.contract.schema("SeriesAmount")["oneOf"]
    integer = next(s for s in schema if s.get("type") == "integer")
    words = next(s for s in schema if s.get("type") == "string")["enum"]
    low, high = int(integer["minimum"]), int(integer["maximum"])
    body = series_body(ctx, model)

    def case(value: Any, expected: int, **kind: Any) -> RequestCase:
        return RequestCase(
            f"series_amount {value!r}", body | {"series_amount": value}, expected, **kind
        )

    return [
        case(low, ACCEPTED, lines=(AMOUNT,)),
        case(high, ACCEPTED, lines=(AMOUNT,)),
        case(float(high), ACCEPTED, rule=TYPES),
        *(case(word, ACCEPTED, lines=(AMOUNT_WORDS,)) for word in words),
        case(low - 1, bad, lines=(AMOUNT,)),
        case(high + 1, bad, lines=(AMOUNT,)),
        case(True, bad, rule=TYPES),
        case(low + 0.5, bad),
        case(str(low), bad),
        *(case(word.upper(), bad, lines=(AMOUNT_WORDS,)) for word in words),
        case("", bad, lines=(AMOUNT_WORDS,)),
    ]


def _ratio_cases(ctx: CheckContext, bad: int) -> list[RequestCase]:
    cases: list[RequestCase] = []
    ratio = fixed_ratio(ctx)
    auto_ok = [
        c.model_name
        for c in ctx.contract.capabilities.values()
        if c.auto_aspect_ratio_without_reference
    ]
    for value in ctx.contract.enum("AspectRatio"):
        body: dict[str, Any] = {"prompt": ctx.prompt("ratio"), "aspect_ratio": value}
        if value == "auto":
            if not auto_ok:
                body["image_list"] = [reference_image(ctx)]
            else:
                body["model_name"] = auto_ok[0]
        cases.append(
            RequestCase(f"aspect_ratio {value!r}", body, ACCEPTED, lines=("enum:AspectRatio",))
        )
    wrong_ratios: tuple[Any, ...] = ("5:4", f"{ratio} ", "", "AUTO", ratio.replace(":", "/"), 1)
    for wrong in wrong_ratios:
        cases.append(
            RequestCase(
                f"aspect_ratio {wrong!r}",
                {"prompt": ctx.prompt("ratio"), "aspect_ratio": wrong},
                bad,
                lines=("enum:AspectRatio",) if isinstance(wrong, str) else (),
            )
        )
    return cases


def _enum_cases(ctx: CheckContext, bad: int) -> list[RequestCase]:
    base = {"prompt": ctx.prompt("enum"), "aspect_ratio": fixed_ratio(ctx)}
    cases = [
        RequestCase(
            f"model_name {model!r}",
            base | {"model_name": model},
            ACCEPTED,
            lines=("enum:ModelName",),
        )
        for model in ctx.contract.enum("ModelName")
    ]
    for resolution in ctx.contract.enum("Resolution"):
        model = next(m for m, c in ctx.contract.capabilities.items() if resolution in c.resolutions)
        fields = {"resolution": resolution, "model_name": model}
        cases.append(
            RequestCase(
                f"resolution {resolution!r} ({model})",
                base | fields,
                ACCEPTED,
                lines=("enum:Resolution",),
            )
        )
    cases.append(
        RequestCase(
            "result_type 'single'",
            base | {"result_type": "single"},
            ACCEPTED,
            lines=("enum:ResultType",),
        )
    )
    series = series_model(ctx)
    if series is not None:
        cases.append(
            RequestCase(
                f"result_type 'series' ({series}, with a reference image)",
                series_body(ctx, series),
                ACCEPTED,
                lines=("enum:ResultType",),
            )
        )
    token = f"{ctx.run_nonce}-boundaries"
    callback = ctx.receiver.callback_url(token)
    cases += [
        RequestCase(
            "callback_url an absolute http URL",
            base | {"callback_url": callback},
            ACCEPTED,
            lines=(CALLBACK,),
        ),
        RequestCase(
            "a fresh non-empty external_task_id",
            base | {"external_task_id": ctx.unique_id("boundary")},
            ACCEPTED,
            lines=(EXTERNAL_ID,),
        ),
        RequestCase(
            "image_list item with a valid image",
            base | {"image_list": [reference_image(ctx)]},
            ACCEPTED,
            lines=(IMAGE,),
        ),
        silent_case(
            "watermark_info {}", base | {"watermark_info": {}}, "watermark-info-without-enabled"
        ),
        silent_case(
            "callback_url with a non-ASCII, unescaped path",
            base | {"callback_url": f"{callback}/r\u00e9sum\u00e9 a|b"},
            "callback-url-not-strict-uri",
        ),
    ]
    wrong_values: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
        ("model_name", "kling-v1", ("enum:ModelName",)),
        ("model_name", "", ("enum:ModelName",)),
        ("resolution", "8k", ("enum:Resolution",)),
        ("resolution", "1K", ("enum:Resolution",)),
        ("result_type", "multi", ("enum:ResultType",)),
        ("watermark_info", {"enabled": "yes"}, ()),
        ("watermark_info", True, ()),
        ("callback_url", "/relative/path", (CALLBACK,)),
        ("callback_url", "ftp://127.0.0.1/hook", (CALLBACK,)),
        ("external_task_id", "", (EXTERNAL_ID,)),
        ("external_task_id", 42, ()),
        ("image_list", "not-a-list", ()),
        ("image_list", [{"image": ""}], (IMAGE,)),
        ("element_list", [{"element_id": "1001"}], ()),
    )
    cases += [
        RequestCase(f"{field} {wrong!r}", base | {field: wrong}, bad, lines=lines)
        for field, wrong, lines in wrong_values
    ]
    return cases


@conformance_check(
    "schema-boundaries",
    covers={
        CODE_POINTS: BOTH,
        TYPES: BOTH,
        PROMPT: BOTH,
        N: BOTH,
        AMOUNT: BOTH,
        AMOUNT_WORDS: BOTH,
        "enum:AspectRatio": BOTH,
        "enum:ModelName": BOTH,
        "enum:Resolution": BOTH,
        "enum:ResultType": BOTH,
        CALLBACK: BOTH,
        EXTERNAL_ID: BOTH,
        IMAGE: BOTH,
        "error:1201": (OBSERVED,),
    },
)
def check_schema_boundaries(ctx: CheckContext) -> None:
    """Prompt length (ASCII, CJK, emoji, combining marks), n, series_amount (with a reference
    image), every enum value and wrong ones, callback_url, external_task_id and image forms."""
    bad = invalid_code(ctx)
    cases = (
        _prompt_cases(ctx, bad)
        + _n_cases(ctx, bad)
        + _series_amount_cases(ctx, bad)
        + _ratio_cases(ctx, bad)
        + _enum_cases(ctx, bad)
    )
    if not cases:
        raise SkipCheck("the spec states no boundaries")
    run_cases(ctx, cases)
