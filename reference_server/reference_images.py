"""Reference-image content rules: Base64, format by content, decoded size, sides and ratio.

Only the image header is read (Pillow's format plugins parse it lazily; no pixel is decoded), so
a small file declaring a huge canvas costs nothing: there is no decompression to bomb.
"""

from __future__ import annotations

import binascii
import io
from fractions import Fraction

from PIL import Image, JpegImagePlugin, PngImagePlugin

from omni_spec import load_contract
from reference_server.envelope import ApiError

INVALID = 1201
# Format by content: magic bytes -> (format name in the rule's params, Pillow header parser).
MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG", PngImagePlugin.PngImageFile),
    (b"\xff\xd8\xff", "JPEG", JpegImagePlugin.JpegImageFile),
)


def max_image_bytes() -> int:
    return int(load_contract().rule("reference-image-max-bytes").params["max_bytes"])


def reference_image_base64(text: str, where: str) -> bytes:
    """Strict RFC 4648 standard-alphabet decode (padding required, no whitespace)."""
    reference_image_max_bytes(_decoded_length(text), where)
    try:
        return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise ApiError(
            INVALID,
            f"{where}: neither an http(s) URL nor valid Base64 (RFC 4648 standard alphabet, "
            "padded, no data: prefix)",
        ) from None


def reference_image_max_bytes(size: int, where: str) -> None:
    limit = max_image_bytes()
    if size > limit:
        raise ApiError(INVALID, f"{where}: image is {size} bytes; at most {limit}")


def reference_image_format(data: bytes, where: str) -> Image.Image:
    """The header-only Pillow image of a PNG or JPEG, recognised by its content."""
    formats = set(load_contract().rule("reference-image-format").params["formats"])
    for magic, name, parser in MAGIC:
        if name in formats and data.startswith(magic):
            try:
                image: Image.Image = parser(io.BytesIO(data))
            except Exception:  # any header a plugin cannot parse is simply not a valid image
                raise ApiError(INVALID, f"{where}: {name} header is damaged") from None
            return image
    raise ApiError(INVALID, f"{where}: not a {' or '.join(sorted(formats))} image")


def reference_image_min_side(width: int, height: int, where: str) -> None:
    minimum = int(load_contract().rule("reference-image-min-side").params["min_side"])
    if width < minimum or height < minimum:
        raise ApiError(
            INVALID, f"{where}: image is {width}x{height} px; both sides must be >= {minimum}"
        )


def reference_image_aspect_ratio(width: int, height: int, where: str) -> None:
    # Exact arithmetic: 750x300 passes, 751x300 fails (no float rounding at the boundary).
    limit = Fraction(str(load_contract().rule("reference-image-aspect-ratio").params["max_ratio"]))
    if Fraction(width, height) > limit or Fraction(height, width) > limit:
        raise ApiError(
            INVALID,
            f"{where}: image is {width}x{height} px; width/height must be between "
            f"1:{limit} and {limit}:1",
        )


def inspect_reference_image(data: bytes, where: str) -> tuple[int, int]:
    """(width, height) of a reference image that passes every content rule."""
    reference_image_max_bytes(len(data), where)
    image = reference_image_format(data, where)
    width, height = image.size
    image.close()
    reference_image_min_side(width, height, where)
    reference_image_aspect_ratio(width, height, where)
    return width, height


def _decoded_length(text: str) -> int:
    padding = len(text) - len(text.rstrip("="))
    return len(text) * 3 // 4 - min(padding, 2)
