"""Download a finished task's result images into a folder.

Result URLs are outside the API (rule `result-image-download`): plain GETs without authentication,
answered with image bytes and an `image/png` or `image/jpeg` content type. They are fetched with a
client of their own so the API credentials are never sent to the image host.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

import httpx
from omni_image_client.models import ResultImage, Task
from omni_image_client.types import Unset

from omni_client.errors import OmniClientError
from omni_spec import load_contract

DEFAULT_DOWNLOAD_TIMEOUT_SECONDS = 60.0
_UNSAFE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]")


class ResultDownloadError(OmniClientError):
    """A result image could not be fetched or is not one of the documented content types."""


@dataclass(frozen=True)
class DownloadedImage:
    """One saved result image."""

    kind: str  # "images" or "series_images"
    index: int
    watermarked: bool
    url: str
    path: Path
    content_type: str
    size_bytes: int


def result_urls(task: Task) -> list[tuple[str, ResultImage, bool, str]]:
    """(list name, item, watermarked, url) for every URL of a task's results."""
    entries: list[tuple[str, ResultImage, bool, str]] = []
    for kind, items in (
        ("images", task.task_result.images),
        ("series_images", task.task_result.series_images),
    ):
        for item in items:
            entries.append((kind, item, False, item.url))
            if not isinstance(item.watermark_url, Unset):
                entries.append((kind, item, True, item.watermark_url))
    return entries


def _content_type(response: httpx.Response) -> str:
    content_type = str(response.headers.get("content-type", "")).split(";")[0].strip().lower()
    allowed = [
        str(name) for name in load_contract().rule("result-image-download").params["content_types"]
    ]
    if content_type not in allowed:
        raise ResultDownloadError(
            f"{response.request.url} answered content type {content_type!r}, not one of {allowed}"
        )
    return content_type


def file_name(task_id: str, kind: str, index: int, watermarked: bool, content_type: str) -> str:
    """`<task_id>_<kind>_<index>[_wm].<ext>`; the server's task id cannot escape the folder."""
    safe_id = _UNSAFE_NAME_CHARACTERS.sub("_", task_id).lstrip(".") or "task"
    extension = mimetypes.guess_extension(content_type) or ".img"
    return f"{safe_id}_{kind}_{index}{'_wm' if watermarked else ''}{extension}"


def download_results(
    task: Task,
    folder: Path,
    *,
    timeout: float = DEFAULT_DOWNLOAD_TIMEOUT_SECONDS,
    transport: httpx.BaseTransport | None = None,
) -> list[DownloadedImage]:
    """Save every result (and watermarked) image as `<task_id>_<kind>_<index>[_wm].<ext>`."""
    folder.mkdir(parents=True, exist_ok=True)
    saved: list[DownloadedImage] = []
    with httpx.Client(timeout=timeout, follow_redirects=True, transport=transport) as http:
        for kind, item, watermarked, url in result_urls(task):
            try:
                response = http.get(url)
            except httpx.HTTPError as exc:
                raise ResultDownloadError(f"cannot fetch {url}: {exc}") from exc
            if response.status_code != httpx.codes.OK:
                raise ResultDownloadError(f"{url} answered HTTP {response.status_code}")
            content_type = _content_type(response)
            path = folder / file_name(task.task_id, kind, item.index, watermarked, content_type)
            path.write_bytes(response.content)
            saved.append(
                DownloadedImage(
                    kind, item.index, watermarked, url, path, content_type, len(response.content)
                )
            )
    return saved
