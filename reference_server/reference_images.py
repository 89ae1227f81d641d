"""Reference-image content rules: Base64, format by content, decoded size, sides and ratio.

Only the image header is read (Pillow's format plugins parse it lazily; no pixel is decoded), so
a small file declaring a huge canvas costs nothing: there is no decompression to bomb. Two server
limits the contract does not state guard what a real decoder would choke on (docs/reliability.md):
a declared canvas above Pillow's decompression-bomb threshold (`Image.MAX_IMAGE_PIXELS`) and a
truncated file (PNG chunks up to IEND with valid CRCs; a JPEG scan that ends with EOI) are 1201.
Both checks walk the bytes once and keep no pixel in memory.
"""

from __future__ import annotations

import binascii
import io
from fractions import Fraction

from PIL import Image, JpegImagePlugin, PngImagePlugin
from PIL.PngImagePlugin import PngImageFile

from omni_spec import load_contract
from reference_server import codes
from reference_server.envelope import ApiError

INVALID = codes.INVALID_FIELD  # rule `body-json-object`
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
    try:
        reference_image_decodable_size(width, height, where)
    except ApiError:
        image.close()
        raise
    reference_image_complete(image, data, where)
    reference_image_min_side(width, height, where)
    reference_image_aspect_ratio(width, height, where)
    return width, height


def reference_image_decodable_size(width: int, height: int, where: str) -> None:
    """Server limit: a canvas Pillow would refuse to decode as a decompression bomb is 1201."""
    limit = Image.MAX_IMAGE_PIXELS
    if limit is not None and width * height > limit:
        raise ApiError(
            INVALID,
            f"{where}: image declares {width}x{height} px ({width * height} pixels); this server "
            f"refuses more than {limit} pixels (decompression-bomb limit)",
        )


def reference_image_complete(image: Image.Image, data: bytes, where: str) -> None:
    """Server limit: a truncated or damaged file is 1201 (header-only checks cannot see it)."""
    try:
        if isinstance(image, PngImageFile):
            image.verify()  # walks every chunk to IEND checking CRCs; decompresses nothing
            complete = True
        else:
            complete = data.endswith(b"\xff\xd9") or _eoi_after_last_scan(data)
    except Exception:  # a truncated chunk, a bad CRC: whatever the plugin raises
        complete = False
    finally:
        image.close()
    if not complete:
        raise ApiError(INVALID, f"{where}: {image.format} data is truncated or damaged")


def _eoi_after_last_scan(data: bytes) -> bool:
    # The last start-of-scan must be followed by end-of-image (trailing bytes allowed). Entropy-
    # coded data stuffs every 0xFF, so neither marker occurs by chance (an EXIF thumbnail's scan
    # comes before the main image's).
    scan = data.rfind(b"\xff\xda")
    return scan != -1 and data.find(b"\xff\xd9", scan) != -1


def _decoded_length(text: str) -> int:
    padding = len(text) - len(text.rstrip("="))
    return len(text) * 3 // 4 - min(padding, 2)
