"""The contract's "Create body" shape rules: JSON object (documented), which of 1200/1201 and
JSON Schema's types with null (rulings), unknown fields ignored and ranges without effect
(rulings)."""

from __future__ import annotations

from typing import Any

from conformance.checks._cases import (
    ACCEPTED,
    RequestCase,
    fixed_ratio,
    invalid_code,
    missing_code,
    run_cases,
    series_body,
    series_model,
)
from conformance.context import CheckContext
from conformance.expect import expect_error, tolerating_rulings
from conformance.lines import OBSERVED, REFUSED
from conformance.registry import conformance_check
from conformance.strategies import b64, render_image

TYPES = "body-json-schema-types"


@conformance_check(
    "body-json-object",
    covers={
        "body-error-code-split": (REFUSED,),
        TYPES: (REFUSED,),
        "error:1200": (OBSERVED,),
        "error:1201": (OBSERVED,),
    },
)
def check_body_json_object(ctx: CheckContext) -> None:
    """A plain valid body passes; not JSON / not an object / missing prompt -> 1200; null fields
    and an image item without image -> 1201."""
    missing, bad = missing_code(ctx), invalid_code(ctx)
    raw_bodies: list[tuple[str, bytes]] = [
        ("body is not JSON", b'{"prompt": "unterminated'),
        ("empty body", b""),
        ("body is a JSON array", b'[{"prompt": "a"}]'),
        ("body is a JSON string", b'"a lighthouse"'),
        ("body is JSON null", b"null"),
        ("body is a number", b"42"),
    ]
    for label, raw in raw_bodies:
        exchange = ctx.api.request(
            "POST", ctx.api.paths.create, content=raw, headers={"Content-Type": "application/json"}
        )
        with tolerating_rulings(ctx):
            expect_error(ctx, exchange, missing, label)
    side = int(ctx.contract.rule("reference-image-min-side").params["min_side"]) + 20
    image = b64(render_image(side, side, "PNG", ctx.rng.randrange(2**32)).data)
    cases = [
        RequestCase("an object with a prompt", {"prompt": ctx.prompt()}, ACCEPTED),
        RequestCase(
            "object without prompt", {"model_name": ctx.contract.enum("ModelName")[0]}, missing
        ),
        RequestCase("empty object", {}, missing),
        RequestCase(
            "image_list item without image",
            {"prompt": ctx.prompt(), "image_list": [{}]},
            bad,
            rule=TYPES,
        ),
        RequestCase(
            "image_list item with url instead of image",
            {"prompt": ctx.prompt(), "image_list": [{"url": image[:10]}]},
            bad,
            rule=TYPES,
        ),
    ]
    # null is a wrong type for every field [decided]: one case per property of the schema.
    properties = ctx.contract.schema("CreateTaskRequest")["properties"]
    for field in properties:
        body: dict[str, Any] = {"prompt": ctx.prompt(), field: None}
        cases.append(RequestCase(f'"{field}": null', body, bad, rule=TYPES))
    cases.append(
        RequestCase(
            "image item with image null",
            {"prompt": ctx.prompt(), "image_list": [{"image": None}]},
            bad,
            rule=TYPES,
        )
    )
    run_cases(ctx, cases)


@conformance_check("range-applies-without-effect")
def check_range_without_effect(ctx: CheckContext) -> None:
    """n is range-checked under series and series_amount under single [decided]."""
    bad = invalid_code(ctx)
    schema = ctx.contract.schema("CreateTaskRequest")["properties"]["n"]
    n_high = int(schema["maximum"])
    amounts = next(
        s for s in ctx.contract.schema("SeriesAmount")["oneOf"] if s.get("type") == "integer"
    )
    single = {"prompt": ctx.prompt(), "result_type": "single", "aspect_ratio": fixed_ratio(ctx)}
    cases = [
        RequestCase(
            f"series_amount {amounts['maximum'] + 1} with single",
            single | {"series_amount": amounts["maximum"] + 1},
            bad,
        ),
        RequestCase(
            f"series_amount {amounts['minimum'] - 1} with single",
            single | {"series_amount": amounts["minimum"] - 1},
            bad,
        ),
        RequestCase(
            "valid series_amount with single",
            single | {"series_amount": amounts["minimum"]},
            ACCEPTED,
        ),
    ]
    model = series_model(ctx)
    if model is not None:
        series = series_body(ctx, model)  # with a reference image: text-only series is a silence
        cases += [
            RequestCase(f"n {n_high + 1} with series", series | {"n": n_high + 1}, bad),
            RequestCase("n 0 with series", series | {"n": 0}, bad),
            RequestCase(f"n {n_high} with series", series | {"n": n_high}, ACCEPTED),
        ]
    else:
        ctx.note("no model takes series: n under series not checked")
    run_cases(ctx, cases)


@conformance_check("unknown-fields-ignored")
def check_unknown_fields(ctx: CheckContext) -> None:
    """Unknown top-level and nested fields are ignored [decided]."""
    run_cases(
        ctx,
        [
            RequestCase(
                "unknown top-level field",
                {"prompt": ctx.prompt(), "x_unknown": {"a": [1, None]}},
                ACCEPTED,
            ),
            RequestCase(
                "unknown field in watermark_info",
                {"prompt": ctx.prompt(), "watermark_info": {"enabled": False, "opacity": 0.5}},
                ACCEPTED,
            ),
            RequestCase(
                "unknown field named like a legacy one",
                {"prompt": ctx.prompt(), "negative_prompt": None},
                ACCEPTED,
            ),
        ],
    )
