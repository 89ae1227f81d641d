"""Reference image strategies: real decodable JPEG/PNG of the asked size, exact padding, determinism."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from conformance.strategies import (
    ReferenceImage,
    corrupt_images,
    draw_examples,
    pad_png,
    reference_image_strategy,
    render_image,
    valid_dimensions_strategy,
)


@settings(max_examples=10, deadline=None)
@given(reference_image_strategy(st.integers(299, 420), st.integers(299, 420)))
def test_images_decode_to_their_declared_size_and_format(image: ReferenceImage) -> None:
    """Every drawn image is real: Pillow decodes it to the stated width, height and format."""
    with Image.open(io.BytesIO(image.data)) as picture:
        picture.load()
        assert picture.size == (image.width, image.height)
        assert picture.format == image.format


@settings(max_examples=20, deadline=None)
@given(valid_dimensions_strategy(300, 2.5))
def test_valid_dimensions_stay_inside_the_rules(size: tuple[int, int]) -> None:
    """Drawn sizes respect the minimum side and the 2.5 ratio limit."""
    width, height = size
    assert min(width, height) >= 300
    assert max(width / height, height / width) <= 2.5


def test_pad_png_hits_the_exact_size_and_still_decodes() -> None:
    """Padding with a private ancillary chunk gives exactly the size asked, still a valid PNG."""
    base = render_image(300, 300, "PNG", 1).data
    padded = pad_png(base, 1_000_003)
    assert len(padded) == 1_000_003
    with Image.open(io.BytesIO(padded)) as picture:
        picture.load()
        assert picture.size == (300, 300)


def test_draw_examples_is_deterministic_per_seed() -> None:
    """The same seed draws the same images; another seed draws different ones."""
    strategy = reference_image_strategy(300, 300)
    first = [img.data for img in draw_examples(strategy, 7, 3)]
    assert first == [img.data for img in draw_examples(strategy, 7, 3)]
    assert first != [img.data for img in draw_examples(strategy, 8, 3)]


def test_corrupt_images_do_not_decode() -> None:
    """Every corrupt sample is refused by Pillow (so a server must refuse it too)."""
    for label, data in corrupt_images(3).items():
        try:
            with Image.open(io.BytesIO(data)) as picture:
                picture.load()
        except Exception:
            continue
        raise AssertionError(f"{label} decoded")
