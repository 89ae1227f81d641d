"""Rich tables for tasks and downloaded results (what the `omni-image` CLI prints)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from omni_image_client.models import Task
from omni_image_client.types import Unset
from rich.table import Table

from omni_client.results import DownloadedImage, result_urls


def format_millis(epoch_millis: int) -> str:
    """Epoch milliseconds (rule `times-in-milliseconds`) as UTC ISO 8601."""
    moment = datetime.fromtimestamp(epoch_millis / 1000, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _external_id(task: Task) -> str:
    value = task.task_info.external_task_id
    return "" if value is None or isinstance(value, Unset) else str(value)


def task_table(task: Task) -> Table:
    """One task: its fields, then one row per result URL."""
    table = Table(title=f"task {task.task_id}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("status", task.task_status.value)
    if task.task_status_msg:
        table.add_row("message", task.task_status_msg)
    table.add_row("external_task_id", _external_id(task))
    table.add_row("result_type", task.task_result.result_type.value)
    table.add_row("watermark", "on" if task.watermark_info.enabled else "off")
    table.add_row("final_unit_deduction", task.final_unit_deduction)
    table.add_row("created_at", format_millis(task.created_at))
    table.add_row("updated_at", format_millis(task.updated_at))
    for kind, item, watermarked, url in result_urls(task):
        label = f"{kind}[{item.index}]" + (" watermarked" if watermarked else "")
        table.add_row(label, url)
    return table


def tasks_table(tasks: Sequence[Task], title: str) -> Table:
    """A page of tasks, one row each."""
    table = Table(title=title)
    for column in ("task_id", "status", "external_task_id", "results", "created_at", "message"):
        table.add_column(column, overflow="fold")
    for task in tasks:
        results = len(task.task_result.images) + len(task.task_result.series_images)
        table.add_row(
            task.task_id,
            task.task_status.value,
            _external_id(task),
            str(results),
            format_millis(task.created_at),
            task.task_status_msg,
        )
    return table


def downloads_table(saved: Sequence[DownloadedImage]) -> Table:
    """The files written by `download_results`."""
    table = Table(title="downloaded results")
    for column in ("list", "index", "watermarked", "file", "type", "bytes"):
        table.add_column(column, overflow="fold")
    for image in saved:
        table.add_row(
            image.kind,
            str(image.index),
            "yes" if image.watermarked else "no",
            str(image.path),
            image.content_type,
            str(image.size_bytes),
        )
    return table
