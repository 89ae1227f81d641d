"""Turn a path, bytes or a Pillow image into an `ImageReference`, checked before it is sent.

The checks are the spec's content rules for reference images, with their numbers read from the
`x-rules` params through omni_spec: `reference-image-format` (JPEG or PNG by content, not by file
name), `reference-image-max-bytes` (decoded size), `reference-image-min-side` and
`reference-image-aspect-ratio` (inclusive). Dimensions come from the image header only (Pillow
opens lazily), so a big file is not decoded to be checked. The payload is raw Base64 with no
`data:` prefix (rule `reference-image-base64`); http(s) URLs pass through unchanged (rule
`reference-image-url`: the server fetches them).
"""

from __future__ import annotations

import base64
import io
import os
import re
import warnings
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

from omni_image_client.models import ImageReference
from PIL import Image, UnidentifiedImageError

from omni_spec import load_contract

ImageSource = str | os.PathLike[str] | bytes | Image.Image
_URL = re.compile(r"^https?://", re.IGNORECASE)


class ReferenceImageError(ValueError):
    """A reference image breaks a rule of the contract; `rule_id` names it."""

    def __init__(self, rule_id: str, detail: str, source: str = "") -> None:
        self.rule_id = rule_id
        self.detail = detail
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{detail} (rule {rule_id})")


@dataclass(frozen=True)
class ImageFacts:
    """What the checks looked at: format by content, pixel size and byte size."""

    format: str
    width: int
    height: int
    size_bytes: int


def is_url(value: str) -> bool:
    """True for an http(s) URL, which is sent as-is."""
    return bool(_URL.match(value))


def _param(rule_id: str, name: str) -> Any:
    return load_contract().rule(rule_id).params[name]


def check_size(size_bytes: int, source: str = "") -> None:
    """Rule `reference-image-max-bytes`: decoded size at most `max_bytes`."""
    max_bytes = int(_param("reference-image-max-bytes", "max_bytes"))
    if size_bytes > max_bytes:
        raise ReferenceImageError(
            "reference-image-max-bytes", f"{size_bytes} bytes is over {max_bytes}", source
        )


def check_geometry(width: int, height: int, source: str = "") -> None:
    """Rules `reference-image-min-side` and `reference-image-aspect-ratio` (both inclusive)."""
    min_side = int(_param("reference-image-min-side", "min_side"))
    if min(width, height) < min_side:
        raise ReferenceImageError(
            "reference-image-min-side", f"{width}x{height} has a side under {min_side} px", source
        )
    # Exact arithmetic: 750x300 is exactly 2.5 and passes, 751x300 fails.
    max_ratio = Fraction(str(_param("reference-image-aspect-ratio", "max_ratio")))
    if Fraction(max(width, height), min(width, height)) > max_ratio:
        raise ReferenceImageError(
            "reference-image-aspect-ratio",
            f"{width}x{height} is outside 1:{max_ratio} .. {max_ratio}:1",
            source,
        )


def _inspect(stream: IO[bytes], size_bytes: int, source: str) -> ImageFacts:
    """Format and dimensions from the header, then every rule in the spec's order."""
    check_size(size_bytes, source)
    formats = [str(name).upper() for name in _param("reference-image-format", "formats")]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(stream) as image:  # lazy: reads the header, not the pixels
                found, (width, height) = (image.format or "unknown"), image.size
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise ReferenceImageError(
            "reference-image-format", f"not a readable {' or '.join(formats)} image ({exc})", source
        ) from exc
    if found.upper() not in formats:
        raise ReferenceImageError(
            "reference-image-format", f"{found} is not one of {', '.join(formats)}", source
        )
    check_geometry(width, height, source)
    return ImageFacts(found.upper(), width, height, size_bytes)


def inspect_bytes(data: bytes, source: str = "bytes") -> ImageFacts:
    """Check encoded image bytes against the reference image rules."""
    return _inspect(io.BytesIO(data), len(data), source)


def inspect_file(path: str | os.PathLike[str]) -> ImageFacts:
    """Check an image file; its size comes from the file system, its dimensions from the header."""
    file = Path(path)
    try:
        size_bytes = file.stat().st_size
        with file.open("rb") as stream:
            return _inspect(stream, size_bytes, str(file))
    except FileNotFoundError as exc:
        raise ReferenceImageError("reference-image-base64", "no such file", str(file)) from exc
    except IsADirectoryError as exc:
        raise ReferenceImageError("reference-image-base64", "is a directory", str(file)) from exc


def encode_pillow_image(image: Image.Image) -> bytes:
    """JPEG bytes for an image that came from a JPEG (and can be one), PNG bytes otherwise."""
    buffer = io.BytesIO()
    if image.format == "JPEG" and image.mode in ("RGB", "L", "CMYK"):
        image.save(buffer, format="JPEG", quality=95)
    else:
        image.save(buffer, format="PNG")
    return buffer.getvalue()


def image_reference(source: ImageSource) -> ImageReference:
    """An `ImageReference` for a URL (as-is), a file path, encoded bytes or a Pillow image.

    >>> from PIL import Image
    >>> reference = image_reference(Image.new("RGB", (400, 300)))
    >>> reference.image.startswith("iVBORw0KGgo")  # raw Base64 of a PNG, no data: prefix
    True
    >>> image_reference("https://example.com/a.png").image
    'https://example.com/a.png'
    """
    if isinstance(source, str) and is_url(source):
        return ImageReference(image=source)
    if isinstance(source, Image.Image):
        data = encode_pillow_image(source)
        inspect_bytes(data, "Pillow image")
    elif isinstance(source, bytes):
        data = source
        inspect_bytes(data)
    else:
        inspect_file(source)
        data = Path(source).read_bytes()
    return ImageReference(image=base64.b64encode(data).decode("ascii"))


def image_list(*sources: ImageSource) -> list[ImageReference]:
    """`image_reference` for each source, in order (`<<<image_N>>>` is the N-th, 1-based)."""
    return [image_reference(source) for source in sources]


def check_reference_count(images: int, elements: int) -> None:
    """Rule `references-total-max-10`: images plus elements at most `max_total`."""
    max_total = int(_param("references-total-max-10", "max_total"))
    if images + elements > max_total:
        raise ReferenceImageError(
            "references-total-max-10",
            f"{images} images + {elements} elements is over {max_total} references",
        )
