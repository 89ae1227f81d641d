"""Shared Hypothesis strategies: real, encoded JPEG/PNG reference images made with Pillow.

Images are drawn shapes on a drawn background (small to encode, cheap to send). Sizes near the
10 MB limit are crafted exactly by padding a PNG with a private ancillary chunk, which decoders skip
(PNG spec section 5.4: lowercase first letter = ancillary), so no megapixel noise is encoded.
"""

from __future__ import annotations

import base64
import io
import random
import struct
import zlib
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from omni_spec import load_contract

T = TypeVar("T")
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
PADDING_CHUNK = b"omNi"  # ancillary, private, safe-to-copy


@dataclass(frozen=True)
class ReferenceImage:
    """Encoded image bytes plus what they are, for building requests and explaining failures."""

    data: bytes
    width: int
    height: int
    format: str

    @property
    def content_type(self) -> str:
        """The media type of `format`."""
        return CONTENT_TYPES.get(self.format, "application/octet-stream")

    def describe(self) -> str:
        """`PNG 300x300, 1234 bytes`."""
        return f"{self.format} {self.width}x{self.height}, {len(self.data)} bytes"


def accepted_formats() -> tuple[str, ...]:
    """The reference image encodings the contract accepts (rule reference-image-format), which are
    also Pillow's format names (JPEG, PNG)."""
    return tuple(load_contract().rule("reference-image-format").params["formats"])


def render_image(width: int, height: int, fmt: str, seed: int) -> ReferenceImage:
    """Encode a width x height picture (background + a few shapes chosen by `seed`) as fmt."""
    rng = random.Random(seed)

    def colour() -> tuple[int, int, int]:
        return (rng.randrange(256), rng.randrange(256), rng.randrange(256))

    picture = Image.new("RGB", (width, height), colour())
    pen = ImageDraw.Draw(picture)
    for _ in range(rng.randint(1, 6)):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1, y1 = rng.randint(x0, width), rng.randint(y0, height)
        (pen.ellipse if rng.random() < 0.5 else pen.rectangle)((x0, y0, x1, y1), fill=colour())
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return ReferenceImage(buffer.getvalue(), width, height, fmt)


def reference_image_strategy(
    width: int | st.SearchStrategy[int],
    height: int | st.SearchStrategy[int],
    formats: tuple[str, ...] | None = None,
) -> st.SearchStrategy[ReferenceImage]:
    """Real encoded images of the given (or drawn) size in one of `formats` (Pillow format names;
    by default those rule reference-image-format accepts)."""
    if formats is None:
        formats = accepted_formats()
    widths = width if isinstance(width, st.SearchStrategy) else st.just(width)
    heights = height if isinstance(height, st.SearchStrategy) else st.just(height)
    return st.builds(
        render_image,
        widths,
        heights,
        st.sampled_from(formats),
        st.integers(min_value=0, max_value=2**32 - 1),
    )


def valid_dimensions_strategy(
    min_side: int, max_ratio: float | Fraction, max_side: int = 900
) -> st.SearchStrategy[tuple[int, int]]:
    """(width, height) pairs inside the contract's reference image bounds (ratios compared
    exactly)."""
    limit = Fraction(str(max_ratio)) if isinstance(max_ratio, float) else max_ratio

    def inside(size: tuple[int, int]) -> bool:
        w, h = size
        return Fraction(w, h) <= limit and Fraction(h, w) <= limit

    side = st.integers(min_value=min_side, max_value=max_side)
    return st.tuples(side, side).filter(inside)


def pad_png(png: bytes, total_size: int) -> bytes:
    """The same PNG with a private ancillary chunk before IEND so the file is exactly total_size."""
    iend = png.rindex(b"IEND") - 4
    payload_size = total_size - len(png) - 12
    if payload_size < 0:
        raise ValueError(f"PNG is already {len(png)} bytes, cannot pad to {total_size}")
    payload = bytes(payload_size)
    chunk = struct.pack(">I", payload_size) + PADDING_CHUNK + payload
    chunk += struct.pack(">I", zlib.crc32(PADDING_CHUNK + payload) & 0xFFFFFFFF)
    return png[:iend] + chunk + png[iend:]


def other_format_image(fmt: str, seed: int, size: tuple[int, int] = (320, 320)) -> ReferenceImage:
    """A valid image in a format the contract refuses (GIF, WEBP, BMP)."""
    return render_image(size[0], size[1], fmt, seed)


def corrupt_images(seed: int) -> dict[str, bytes]:
    """Bytes that look like JPEG/PNG at first glance but do not decode."""
    rng = random.Random(seed)
    noise = rng.randbytes(2048)
    return {
        "PNG signature then noise": b"\x89PNG\r\n\x1a\n" + noise,
        "JPEG SOI then noise": b"\xff\xd8\xff\xe0" + noise,
        "plain text": b"this is not an image at all " * 20,
    }


def draw_examples(strategy: st.SearchStrategy[T], seed: int, count: int) -> list[T]:
    """Up to `count` values of `strategy`, the same for the same seed (no shrinking, no
    database)."""
    drawn: list[T] = []

    @hypothesis_seed(seed)
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: T) -> None:
        drawn.append(value)

    collect()
    return drawn[:count]


def first_example(strategy: st.SearchStrategy[T], seed: int) -> T:
    """One deterministic value of `strategy` for `seed`."""
    return draw_examples(strategy, seed, 1)[0]


def b64(data: bytes) -> str:
    """Raw standard-alphabet Base64 (RFC 4648 section 4), as image_list items carry it."""
    return base64.b64encode(data).decode("ascii")
