"""Result geometry (rule `result-image-geometry`): width x height for a ratio and a resolution."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from fractions import Fraction

from omni_spec import load_contract

AUTO = "auto"


@functools.cache
def supported_ratios() -> Mapping[str, Fraction]:
    """The AspectRatio enum without `auto`, as exact fractions (computed once: a hot path)."""
    return {
        name: Fraction(int(width), int(height))
        for name in load_contract().enum("AspectRatio")
        if name != AUTO
        for width, height in [name.split(":")]
    }


def resolve_aspect_ratio(aspect_ratio: str, first_reference: tuple[int, int] | None) -> str:
    """`auto` -> the first reference's ratio clamped to the nearest supported one, else 1:1."""
    if aspect_ratio != AUTO:
        return aspect_ratio
    params = load_contract().rule("result-image-geometry").params
    if first_reference is None:
        return str(params["auto_without_reference"])
    width, height = first_reference
    actual = width / height
    ratios = supported_ratios()
    return min(ratios, key=lambda name: abs(float(ratios[name]) - actual))


@functools.cache
def result_size(aspect_ratio: str, resolution: str) -> tuple[int, int, int]:
    """(width, height, target pixel count) for a concrete ratio name and a resolution."""
    pixels = int(load_contract().rule("result-image-geometry").params["pixels"][resolution])
    ratio = supported_ratios()[aspect_ratio]
    width = round(math.sqrt(pixels * ratio))
    height = round(width / ratio)
    return width, height, pixels
