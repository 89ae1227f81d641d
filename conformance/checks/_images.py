"""Result images: download without auth, decode, and compare with the requested geometry.

Both are rulings (result-image-download, result-image-geometry), whichever check asks: a failure
here always names those lines, so a default resolution measured by pixel count is a ruling too.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from conformance.context import CheckContext
from conformance.expect import fail
from conformance.http import Exchange

DOWNLOAD = "result-image-download"
GEOMETRY = "result-image-geometry"
PIL_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


@dataclass(frozen=True)
class Downloaded:
    """A result image fetched and decoded."""

    url: str
    width: int
    height: int
    format: str
    exchange: Exchange


def result_items(task: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of images and series_images."""
    result = task["task_result"]
    return [*result["images"], *result["series_images"]]


def download_image(ctx: CheckContext, url: str, case: str) -> Downloaded:
    """GET url without Authorization: 200, an allowed image content type, bytes of that format."""
    allowed = tuple(ctx.contract.rule("result-image-download").params["content_types"])
    exchange = ctx.api.download(url)
    doc = ctx.contract.rule("result-image-download").text
    if exchange.transport_error or exchange.status != 200 or exchange.content_type not in allowed:
        fail(ctx, exchange, doc, case, _image_received(exchange), rule=DOWNLOAD)
    try:
        with Image.open(io.BytesIO(exchange.response_body)) as picture:
            picture.load()
            size, fmt = picture.size, picture.format or ""
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        fail(
            ctx,
            exchange,
            doc,
            case,
            f"HTTP 200 {exchange.content_type} but the bytes do not decode: {exc}",
            rule=DOWNLOAD,
        )
    if PIL_FORMATS.get(exchange.content_type) != fmt:
        fail(
            ctx,
            exchange,
            doc,
            case,
            f"content type {exchange.content_type} but the bytes are {fmt}",
            rule=DOWNLOAD,
        )
    return Downloaded(url, size[0], size[1], fmt, exchange)


def _image_received(exchange: Exchange) -> str:
    if exchange.transport_error:
        return exchange.received()
    kind = exchange.content_type or "no content type"
    return f"HTTP {exchange.status} ({kind}), {len(exchange.response_body)} bytes"


def ratio_value(ratio: str) -> float:
    """`16:9` -> 1.777..."""
    width, height = ratio.split(":")
    return int(width) / int(height)


def nearest_ratio(ctx: CheckContext, width: int, height: int) -> tuple[str, bool]:
    """The supported ratio nearest to width/height, and whether the nearest is unique (no tie)."""
    candidates = sorted(
        (abs(ratio_value(r) - width / height), r)
        for r in ctx.contract.enum("AspectRatio")
        if r != "auto"
    )
    unique = len(candidates) < 2 or candidates[1][0] - candidates[0][0] > 1e-9
    return candidates[0][1], unique


def check_geometry(
    ctx: CheckContext, image: Downloaded, ratio: str, resolution: str, case: str
) -> None:
    """width/height within ratio_tolerance of ratio; pixel count within pixel_tolerance of the
    resolution."""
    params = ctx.contract.rule("result-image-geometry").params
    expected_ratio = ratio_value(ratio)
    actual_ratio = image.width / image.height
    if abs(actual_ratio - expected_ratio) > expected_ratio * float(params["ratio_tolerance"]):
        fail(
            ctx,
            image.exchange,
            f"width/height equals {ratio} within {params['ratio_tolerance']:.0%}",
            case,
            f"{image.width}x{image.height} (ratio {actual_ratio:.4f}, wanted {expected_ratio:.4f})",
            rule=GEOMETRY,
        )
    pixels = int(params["pixels"][resolution])
    actual_pixels = image.width * image.height
    if abs(actual_pixels - pixels) > pixels * float(params["pixel_tolerance"]):
        fail(
            ctx,
            image.exchange,
            f"pixel count within {params['pixel_tolerance']:.0%} of {pixels} ({resolution})",
            case,
            f"{image.width}x{image.height} = {actual_pixels} pixels",
            rule=GEOMETRY,
        )
