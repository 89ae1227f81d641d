"""Result images (rules `result-image-geometry`, `result-image-download`): real PNGs, lazily made.

Each image is rendered with Pillow at the task's stored geometry on its first GET, written to a
cache folder next to the database (atomic rename) and served from disk afterwards, so a 4k task
holds no memory between requests. The watermarked copy is the same picture with a visible mark.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

import anyio
from PIL import Image, ImageDraw, ImageFont

from reference_server.store import TaskRecord

RESULT_NAME = re.compile(r"(?P<index>[0-9]{1,2})(?P<wm>-wm)?\.png")
WATERMARK_TEXT = "OMNI REFERENCE - WATERMARK"
# Rendering a 4k image takes ~60 MB of memory: render one at a time.
_render_limiter = anyio.CapacityLimiter(1)


def parse_result_name(name: str) -> tuple[int, bool] | None:
    match = RESULT_NAME.fullmatch(name)
    if match is None:
        return None
    return int(match.group("index")), match.group("wm") is not None


async def result_file(task: TaskRecord, index: int, watermarked: bool, cache_dir: Path) -> Path:
    """The cached PNG of one result, rendered first if needed."""
    path = cache_dir / task.task_id / f"{index}{'-wm' if watermarked else ''}.png"
    if path.is_file():
        return path
    async with _render_limiter:
        if not path.is_file():  # another request may have rendered it while we waited
            await anyio.to_thread.run_sync(_render_to, task, index, watermarked, path)
    return path


def render(task: TaskRecord, index: int, watermarked: bool) -> Image.Image:
    """A deterministic picture for (task, index): gradient, shapes and a caption."""
    width, height = task.width, task.height
    seed = hashlib.sha256(f"{task.task_id}/{index}".encode()).digest()
    start, end = seed[0:3], seed[3:6]
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.composite(
        Image.new("RGB", (width, height), tuple(end)),
        Image.new("RGB", (width, height), tuple(start)),
        gradient,
    )
    draw = ImageDraw.Draw(image)
    unit = min(width, height)
    for shape in range(4):
        x = seed[6 + shape] * width // 256
        y = seed[10 + shape] * height // 256
        radius = unit // 8 + seed[14 + shape] * unit // 2048
        color = tuple(seed[18 + shape * 3 : 21 + shape * 3])
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=color)
    font = ImageFont.load_default(size=max(12, unit // 24))
    caption = f"omni-image reference  task {task.task_id}  #{index}  {width}x{height}"
    draw.text((unit // 40, unit // 40), caption, fill=(255, 255, 255), font=font)
    if watermarked:
        _watermark(image)
    return image


def _watermark(image: Image.Image) -> None:
    width, height = image.size
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    font = ImageFont.load_default(size=max(16, min(width, height) // 12))
    step = max(1, height // 5)
    for row, y in enumerate(range(step // 2, height, step)):
        draw.text(
            (((row % 2) * width) // 6, y), WATERMARK_TEXT, fill=(255, 255, 255, 150), font=font
        )
    image.paste(overlay, (0, 0), overlay)


def _render_to(task: TaskRecord, index: int, watermarked: bool, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = render(task, index, watermarked)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            image.save(stream, format="PNG", compress_level=1)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    finally:
        image.close()
