"""Tests of omni_client.reference_images: the spec's reference image rules, checked before sending."""

from __future__ import annotations

import base64
import io
import math
from fractions import Fraction
from pathlib import Path

import pytest
from PIL import Image

from omni_client.reference_images import (
    ReferenceImageError,
    check_reference_count,
    image_list,
    image_reference,
    inspect_bytes,
    inspect_file,
)
from omni_spec import load_contract

MAX_BYTES = load_contract().rule("reference-image-max-bytes").params["max_bytes"]
MIN_SIDE = load_contract().rule("reference-image-min-side").params["min_side"]
MAX_RATIO = Fraction(str(load_contract().rule("reference-image-aspect-ratio").params["max_ratio"]))
LONG_SIDE = math.floor(MIN_SIDE * MAX_RATIO)  # the longest side a MIN_SIDE image may have


def encoded(width: int, height: int, fmt: str = "PNG", mode: str = "RGB") -> bytes:
    """A small encoded image of the given size and format."""
    buffer = io.BytesIO()
    Image.new(mode, (width, height), "white").save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("width", "height"),
    [(MIN_SIDE, MIN_SIDE), (LONG_SIDE, MIN_SIDE), (MIN_SIDE, LONG_SIDE), (1024, 1024)],
)
def test_boundary_sizes_pass(width: int, height: int) -> None:
    """min_side squares and min_side x min_side*max_ratio are inside the rules (inclusive)."""
    facts = inspect_bytes(encoded(width, height))
    assert (facts.width, facts.height, facts.format) == (width, height, "PNG")


@pytest.mark.parametrize(
    ("width", "height", "rule_id"),
    [
        (MIN_SIDE - 1, MIN_SIDE, "reference-image-min-side"),
        (MIN_SIDE, MIN_SIDE - 1, "reference-image-min-side"),
        (LONG_SIDE + 1, MIN_SIDE, "reference-image-aspect-ratio"),
        (MIN_SIDE, LONG_SIDE + 1, "reference-image-aspect-ratio"),
    ],
)
def test_boundary_sizes_fail_naming_the_rule(width: int, height: int, rule_id: str) -> None:
    """One pixel under min_side, or one over the longest side, fails naming the rule id."""
    with pytest.raises(ReferenceImageError) as caught:
        inspect_bytes(encoded(width, height))
    assert caught.value.rule_id == rule_id
    assert rule_id in str(caught.value)


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "WEBP"])
def test_other_formats_are_rejected(fmt: str) -> None:
    """GIF (and other non JPEG/PNG formats) break reference-image-format."""
    with pytest.raises(ReferenceImageError) as caught:
        inspect_bytes(encoded(400, 400, fmt))
    assert caught.value.rule_id == "reference-image-format"
    assert fmt in str(caught.value)


def test_not_an_image_is_rejected() -> None:
    """Bytes that are no image at all break reference-image-format."""
    with pytest.raises(ReferenceImageError) as caught:
        inspect_bytes(b"hello, not an image")
    assert caught.value.rule_id == "reference-image-format"


def test_over_max_bytes_is_rejected_and_exactly_max_passes() -> None:
    """A PNG padded to max_bytes + 1 is rejected; padded to exactly max_bytes it passes."""
    png = encoded(MIN_SIDE, MIN_SIDE)
    inspect_bytes(png + b"\0" * (MAX_BYTES - len(png)))
    with pytest.raises(ReferenceImageError) as caught:
        inspect_bytes(png + b"\0" * (MAX_BYTES - len(png) + 1))
    assert caught.value.rule_id == "reference-image-max-bytes"


def test_file_over_max_bytes_is_rejected_by_size(tmp_path: Path) -> None:
    """A file over max_bytes is rejected from its size on disk."""
    path = tmp_path / "big.png"
    with path.open("wb") as handle:
        handle.write(encoded(MIN_SIDE, MIN_SIDE))
        handle.truncate(MAX_BYTES + 1)
    with pytest.raises(ReferenceImageError) as caught:
        image_reference(path)
    assert caught.value.rule_id == "reference-image-max-bytes"


def test_format_is_judged_by_content_not_name(tmp_path: Path) -> None:
    """A JPEG named .png is accepted as JPEG; a GIF named .jpg is rejected."""
    jpeg_named_png = tmp_path / "photo.png"
    jpeg_named_png.write_bytes(encoded(MIN_SIDE + 100, MIN_SIDE, "JPEG"))
    assert inspect_file(jpeg_named_png).format == "JPEG"
    gif_named_jpg = tmp_path / "anim.jpg"
    gif_named_jpg.write_bytes(encoded(MIN_SIDE + 100, MIN_SIDE, "GIF"))
    with pytest.raises(ReferenceImageError):
        inspect_file(gif_named_jpg)


def test_only_the_header_is_read(tmp_path: Path) -> None:
    """A PNG cut off after its header still gives its dimensions: pixels are not decoded."""
    path = tmp_path / "cut.png"
    path.write_bytes(encoded(2000, 1000)[:64])
    facts = inspect_file(path)
    assert (facts.width, facts.height) == (2000, 1000)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    """A path that does not exist is a ReferenceImageError naming the path."""
    with pytest.raises(ReferenceImageError, match="no such file"):
        image_reference(tmp_path / "nope.png")


def test_reference_is_raw_base64_of_the_bytes(tmp_path: Path) -> None:
    """Paths (str and Path) and bytes become raw Base64 of the exact bytes, no data: prefix."""
    data = encoded(MIN_SIDE + 100, MIN_SIDE, "JPEG")
    path = tmp_path / "a.jpg"
    path.write_bytes(data)
    for source in (data, path, str(path)):
        image = image_reference(source).image
        assert not image.startswith("data:")
        assert base64.b64decode(image, validate=True) == data


def test_pillow_images_are_encoded_and_checked() -> None:
    """A Pillow image becomes PNG (or JPEG when it came from one) and is checked too."""
    png = base64.b64decode(image_reference(Image.new("RGBA", (500, 400))).image)
    assert png.startswith(b"\x89PNG")
    jpeg_image = Image.open(io.BytesIO(encoded(500, 400, "JPEG")))
    assert base64.b64decode(image_reference(jpeg_image).image).startswith(b"\xff\xd8")
    with pytest.raises(ReferenceImageError):
        image_reference(Image.new("RGB", (MIN_SIDE - 1, MIN_SIDE + 100)))


@pytest.mark.parametrize("url", ["https://example.com/a.png", "HTTP://example.com/b.jpg"])
def test_urls_pass_through(url: str) -> None:
    """http(s) URLs are sent as they are, without being fetched."""
    assert image_reference(url).image == url


def test_image_list_keeps_order() -> None:
    """image_list maps each source in order."""
    references = image_list("https://example.com/1.png", encoded(MIN_SIDE, MIN_SIDE))
    assert references[0].image == "https://example.com/1.png"
    assert base64.b64decode(references[1].image).startswith(b"\x89PNG")


def test_reference_count_limit_from_spec() -> None:
    """Images plus elements up to max_total pass, one more fails with the rule id."""
    max_total = load_contract().rule("references-total-max-10").params["max_total"]
    check_reference_count(max_total - 1, 1)
    with pytest.raises(ReferenceImageError) as caught:
        check_reference_count(max_total, 1)
    assert caught.value.rule_id == "references-total-max-10"
