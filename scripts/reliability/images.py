"""Hostile images for the reliability drivers (the soak's decompression bombs)."""

from __future__ import annotations

import base64
import json
import struct
import zlib


def png_declaring(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header declares width x height."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 4096)) + chunk(b"IEND", b""))  # fmt: skip


def create_body_with_image(data: bytes) -> bytes:
    """A create_task JSON body whose one reference image is `data` (Base64)."""
    return json.dumps(
        {"prompt": "x", "image_list": [{"image": base64.b64encode(data).decode()}]}
    ).encode()
