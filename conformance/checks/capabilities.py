"""The contract's "Capability map", read per model from the spec's x-capability-map. Series is
sent with a reference image (text-only series is a silence, only noted)."""

from __future__ import annotations

from conformance.checks._cases import (
    ACCEPTED,
    RequestCase,
    fixed_ratio,
    invalid_code,
    run_cases,
    series_body,
    silent_case,
)
from conformance.context import CheckContext
from conformance.registry import conformance_check
from conformance.strategies import b64, render_image


@conformance_check("capability-model-resolution")
def check_model_resolution(ctx: CheckContext) -> None:
    """Each model takes exactly the resolutions its capability row lists."""
    bad = invalid_code(ctx)
    cases = [
        RequestCase(
            f"{model} with resolution {resolution}",
            {
                "prompt": ctx.prompt(),
                "model_name": model,
                "resolution": resolution,
                "aspect_ratio": fixed_ratio(ctx),
            },
            ACCEPTED if resolution in capability.resolutions else bad,
            f"x-capability-map: {model} resolutions {list(capability.resolutions)}",
        )
        for model, capability in ctx.contract.capabilities.items()
        for resolution in ctx.contract.enum("Resolution")
    ]
    run_cases(ctx, cases)


@conformance_check("capability-model-series")
def check_model_series(ctx: CheckContext) -> None:
    """result_type series with a reference image is accepted exactly by the models whose row says
    series: true; text-only series on those is a silence (noted)."""
    bad = invalid_code(ctx)
    cases = [
        RequestCase(
            f"{model} with result_type series and a reference image",
            series_body(ctx, model),
            ACCEPTED if capability.series else bad,
            f"x-capability-map: {model} series {str(capability.series).lower()}",
        )
        for model, capability in ctx.contract.capabilities.items()
    ]
    cases += [
        silent_case(
            f"{model} with text-only series",
            {k: v for k, v in series_body(ctx, model).items() if k != "image_list"},
            "text-only-series",
        )
        for model, capability in ctx.contract.capabilities.items()
        if capability.series
    ]
    cases += [
        RequestCase(
            f"{model} with result_type single",
            {
                "prompt": ctx.prompt(),
                "model_name": model,
                "result_type": "single",
                "aspect_ratio": fixed_ratio(ctx),
            },
            ACCEPTED,
        )
        for model in ctx.contract.capabilities
    ]
    run_cases(ctx, cases)


@conformance_check("capability-auto-ratio-needs-reference")
def check_auto_ratio_needs_reference(ctx: CheckContext) -> None:
    """aspect_ratio auto without references follows the row; with an image (or element) it is
    accepted."""
    bad = invalid_code(ctx)
    image = b64(render_image(400, 300, "JPEG", ctx.rng.randrange(2**32)).data)
    cases: list[RequestCase] = []
    for model, capability in ctx.contract.capabilities.items():
        flag = capability.auto_aspect_ratio_without_reference
        doc = f"x-capability-map: {model} auto_aspect_ratio_without_reference {flag}"
        auto = {"prompt": ctx.prompt(), "model_name": model, "aspect_ratio": "auto"}
        cases.append(
            RequestCase(
                f"{model}, auto, no reference",
                auto,
                ACCEPTED if capability.auto_aspect_ratio_without_reference else bad,
                doc,
            )
        )
        cases.append(
            RequestCase(
                f"{model}, ratio omitted (auto by default), no reference",
                {"prompt": ctx.prompt(), "model_name": model},
                ACCEPTED if capability.auto_aspect_ratio_without_reference else bad,
                doc,
            )
        )
        cases.append(
            RequestCase(
                f"{model}, auto, one image",
                auto | {"image_list": [{"image": image}]},
                ACCEPTED,
                doc,
            )
        )
        if ctx.element_ids:
            cases.append(
                RequestCase(
                    f"{model}, auto, one element",
                    auto | {"element_list": [{"element_id": ctx.element_ids[0]}]},
                    ACCEPTED,
                    doc,
                )
            )
    if not ctx.element_ids:
        ctx.note("no --element-ids: auto with an element reference not checked")
    run_cases(ctx, cases)
