"""The contract's result rules: counts and indexes, downloads and geometry (rulings), defaults and
watermarks (documented). Series is always asked with a reference image."""

from __future__ import annotations

from typing import Any

from conformance.checks._cases import fixed_ratio, max_reference_ratio, series_body, series_model
from conformance.checks._images import check_geometry, download_image, nearest_ratio, result_items
from conformance.context import CheckContext
from conformance.expect import expect_accepted, fail
from conformance.registry import conformance_check
from conformance.strategies import (
    b64,
    draw_examples,
    reference_image_strategy,
    valid_dimensions_strategy,
)
from conformance.tasks import TaskHistory, expect_succeeded, wait_for_terminal
from conformance.violation import SpecInconsistency

SHAPE = "task-result-shape"


def finish_all(
    ctx: CheckContext, bodies: list[tuple[str, dict[str, Any]]]
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Create every task first (the server works on them together), then wait for each to
    succeed."""
    created = [(case, body, expect_accepted(ctx, body, case)) for case, body in bodies]
    finished = []
    for case, body, task in created:
        history: TaskHistory = wait_for_terminal(ctx, task["task_id"], first=task)
        finished.append((case, body, expect_succeeded(ctx, history, case)))
    return finished


def _expect_indexes(
    ctx: CheckContext, task: dict[str, Any], lists: tuple[str, str], count: int, case: str
) -> None:
    """lists = (the list holding `count` items indexed 0..count-1, the list that must be empty);
    the layout is the ruling task-result-shape."""
    listed, empty = lists
    result = task["task_result"]
    got = [item["index"] for item in result[listed]]
    if got != list(range(count)) or result[empty]:
        fail(
            ctx,
            ctx.api.get(task["task_id"]),
            f"{count} items in {listed} with index 0..{count - 1}, {empty} empty",
            case,
            f"{listed} indexes {got}, {empty} has {len(result[empty])} items",
            rule=SHAPE,
        )


@conformance_check("task-result-shape")
def check_result_shape(ctx: CheckContext) -> None:
    """single: n items in images (0..n-1); series: series_amount (2..9 when auto) in
    series_images."""
    params = ctx.contract.rule("task-result-shape").params
    n = ctx.rng.randint(2, 4)
    bodies: list[tuple[str, dict[str, Any]]] = [
        (f"single with n {n}", {"prompt": ctx.prompt(), "n": n, "aspect_ratio": fixed_ratio(ctx)}),
    ]
    model = series_model(ctx)
    amount = ctx.rng.randint(2, 4)
    if model:
        series = series_body(ctx, model)  # a reference image: text-only series is a silence
        bodies += [
            (f"series of {amount}", series | {"series_amount": amount}),
            ("series auto", series | {"series_amount": "auto"}),
        ]
    for case, body, task in finish_all(ctx, bodies):
        if task["task_result"]["result_type"] != body.get("result_type", "single"):
            fail(
                ctx,
                ctx.api.get(task["task_id"]),
                "task_result.result_type is the requested result_type",
                case,
            )
        if case.startswith("single"):
            _expect_indexes(ctx, task, ("images", "series_images"), n, case)
        elif case == "series auto":
            got = len(task["task_result"]["series_images"])
            low, high = int(params["auto_series_min"]), int(params["auto_series_max"])
            count = got if low <= got <= high else low
            _expect_indexes(
                ctx, task, ("series_images", "images"), count, f"{case} ({low}..{high} items)"
            )
        else:
            _expect_indexes(ctx, task, ("series_images", "images"), amount, case)


@conformance_check("result-image-download")
def check_result_download(ctx: CheckContext) -> None:
    """Every result URL is a plain unauthenticated GET answering PNG/JPEG bytes with that content
    type."""
    body = {
        "prompt": ctx.prompt(),
        "n": 2,
        "aspect_ratio": fixed_ratio(ctx),
        "watermark_info": {"enabled": True},
    }
    for case, _, task in finish_all(ctx, [("n 2 with watermark", body)]):
        for item in result_items(task):
            for key in ("url", "watermark_url"):
                if key in item:
                    download_image(ctx, item[key], f"{case}: {key} of index {item['index']}")


@conformance_check("result-image-geometry")
def check_result_geometry(ctx: CheckContext) -> None:
    """Every aspect ratio at the default resolution (1k), each other resolution once, and auto with
    and without references."""
    params = ctx.contract.rule("result-image-geometry").params
    default = str(ctx.contract.property_default("CreateTaskRequest", "resolution"))
    cases: list[tuple[str, dict[str, Any], str, str]] = []
    for ratio in ctx.contract.enum("AspectRatio"):
        if ratio != "auto":
            cases.append((f"{ratio} at {default}", {"aspect_ratio": ratio}, ratio, default))
    for model, capability in ctx.contract.capabilities.items():
        for resolution in capability.resolutions:
            if resolution != default and not any(c[3] == resolution for c in cases):
                ratio = ctx.rng.choice([r for r in ctx.contract.enum("AspectRatio") if r != "auto"])
                cases.append(
                    (
                        f"{ratio} at {resolution} ({model})",
                        {"aspect_ratio": ratio, "resolution": resolution, "model_name": model},
                        ratio,
                        resolution,
                    )
                )
    auto_model = next(
        (m for m, c in ctx.contract.capabilities.items() if c.auto_aspect_ratio_without_reference),
        None,
    )
    if auto_model:
        fallback = str(params["auto_without_reference"])
        cases.append(
            (
                "auto without references",
                {"aspect_ratio": "auto", "model_name": auto_model},
                fallback,
                default,
            )
        )
    min_side = int(ctx.contract.rule("reference-image-min-side").params["min_side"])
    max_ratio = max_reference_ratio(ctx)
    # Always one reference whose nearest ratio is not the fallback: the widest the rules allow
    # (otherwise a server ignoring the reference passes whenever the draws land near 1:1).
    sizes = [(int(min_side * max_ratio), min_side)]
    sizes += draw_examples(
        valid_dimensions_strategy(min_side, max_ratio), ctx.rng.randrange(2**32), 6
    )
    for width, height in sizes:
        expected, unique = nearest_ratio(ctx, width, height)
        if not unique or len([c for c in cases if c[0].startswith("auto from")]) >= 3:
            continue
        first = draw_examples(reference_image_strategy(width, height), ctx.rng.randrange(2**32), 1)[
            0
        ]
        second = draw_examples(
            reference_image_strategy(min_side, min_side), ctx.rng.randrange(2**32), 1
        )[0]
        images = [{"image": b64(first.data)}, {"image": b64(second.data)}]
        cases.append(
            (
                f"auto from first reference {first.describe()}",
                {"aspect_ratio": "auto", "image_list": images},
                expected,
                default,
            )
        )
    bodies = [(case, {"prompt": ctx.prompt()} | fields) for case, fields, _, _ in cases]
    wanted = {case: (ratio, resolution) for case, _, ratio, resolution in cases}
    for case, _, task in finish_all(ctx, bodies):
        ratio, resolution = wanted[case]
        for item in result_items(task):
            check_geometry(
                ctx,
                download_image(ctx, item["url"], case),
                ratio,
                resolution,
                f"{case}, index {item['index']}",
            )


@conformance_check("schema-defaults")
def check_defaults(ctx: CheckContext) -> None:
    """Only a prompt: one image in images, default ratio (1:1 when auto has no reference), default
    resolution."""
    contract = ctx.contract
    model = contract.property_default("CreateTaskRequest", "model_name")
    capability = contract.capabilities[model]
    if not capability.auto_aspect_ratio_without_reference:
        raise SpecInconsistency(
            f"the default model {model} does not take the default aspect ratio without references "
            "(x-capability-map), so a body of only a prompt has no defined result"
        )
    n = int(contract.property_default("CreateTaskRequest", "n"))
    resolution = contract.property_default("CreateTaskRequest", "resolution")
    ratio = str(contract.rule("result-image-geometry").params["auto_without_reference"])
    for case, _, task in finish_all(ctx, [("only a prompt", {"prompt": ctx.prompt()})]):
        result = task["task_result"]
        if result["result_type"] != contract.property_default("CreateTaskRequest", "result_type"):
            fail(ctx, ctx.api.get(task["task_id"]), "result_type defaults to single", case)
        if len(result["images"]) != n:
            fail(
                ctx,
                ctx.api.get(task["task_id"]),
                f"n defaults to {n}",
                case,
                f"{len(result['images'])} items in images",
            )
        _expect_indexes(ctx, task, ("images", "series_images"), n, case)
        for item in result["images"]:
            if "watermark_url" in item:
                fail(
                    ctx,
                    ctx.api.get(task["task_id"]),
                    "no watermark_url unless watermarking is enabled",
                    case,
                )
            check_geometry(ctx, download_image(ctx, item["url"], case), ratio, resolution, case)


@conformance_check("watermark-url-iff-enabled")
def check_watermark(ctx: CheckContext) -> None:
    """enabled true: every item has a downloadable watermark_url; false or omitted: none has one."""
    base = {"prompt": ctx.prompt(), "n": 2, "aspect_ratio": fixed_ratio(ctx)}
    bodies = [
        ("watermark enabled", base | {"watermark_info": {"enabled": True}}),
        ("watermark disabled", base | {"watermark_info": {"enabled": False}}),
        ("watermark_info omitted", base),
    ]
    for case, body, task in finish_all(ctx, bodies):
        enabled = body.get("watermark_info", {}).get("enabled", False)
        if task["watermark_info"]["enabled"] != enabled:
            fail(
                ctx, ctx.api.get(task["task_id"]), "watermark_info.enabled echoes the request", case
            )
        for item in result_items(task):
            if ("watermark_url" in item) != enabled:
                fail(
                    ctx,
                    ctx.api.get(task["task_id"]),
                    "watermark_url present if and only if enabled",
                    case,
                    f"item {item}",
                )
            if enabled:
                download_image(
                    ctx, item["watermark_url"], f"{case}: watermark_url of index {item['index']}"
                )
