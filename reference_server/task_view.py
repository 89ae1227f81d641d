"""The task object of the contract ("Task object"), built from a stored TaskRecord.

`task_result` is always present and both lists stay empty until `succeed`
(rule `task-result-empty-until-succeed`); `watermark_url` appears iff watermarking is on
(rule `watermark-url-iff-enabled`); `single` fills `images`, `series` fills `series_images`
(rule `task-result-shape`); `final_balance_deduction` is always sent, two decimal strings (rule
`final-balance-deduction-shape`: a server may leave it out, this one never does).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from omni_spec import load_contract
from reference_server.envelope import json_bytes
from reference_server.store import TaskRecord

# Task statuses in lifecycle order, read from the spec (rule `task-status-forward-only`); the
# unpacking fails loudly if the spec's lifecycle ever changes shape.
SUBMITTED, PROCESSING, SUCCEED, FAILED = load_contract().lifecycle.order
if {SUCCEED, FAILED} != load_contract().lifecycle.terminal:
    raise RuntimeError("openapi.yaml's task lifecycle no longer ends in two terminal statuses")


# This server's price list (not the contract's): Kling lists 8 units at $0.028, so one unit is
# $0.0035; nothing is discounted, so the quota charged equals the list price.
PRICE_PER_UNIT = Decimal("0.0035")


def balance_deduction(final_unit_deduction: str) -> dict[str, str]:
    """`final_balance_deduction` for a unit deduction: quota and list_price as decimal strings."""
    price = str(Decimal(final_unit_deduction) * PRICE_PER_UNIT)
    return {"quota": price, "list_price": price}


def result_path(task_id: str, index: int, watermarked: bool) -> str:
    """The stable, unauthenticated path of one result image."""
    suffix = "-wm" if watermarked else ""
    return f"/results/{task_id}/{index}{suffix}.png"


def task_json(task: TaskRecord, public_url: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    if task.status == SUCCEED:
        for index in range(task.result_count):
            item: dict[str, Any] = {
                "index": index,
                "url": public_url + result_path(task.task_id, index, watermarked=False),
            }
            if task.watermark:
                item["watermark_url"] = public_url + result_path(
                    task.task_id, index, watermarked=True
                )
            items.append(item)
    is_series = task.result_type == "series"
    return {
        "task_id": task.task_id,
        "task_status": task.status,
        "task_status_msg": task.status_msg,
        "task_info": {"external_task_id": task.external_task_id},
        "task_result": {
            "result_type": task.result_type,
            "images": [] if is_series else items,
            "series_images": items if is_series else [],
        },
        "watermark_info": {"enabled": task.watermark},
        "final_unit_deduction": task.final_unit_deduction,
        "final_balance_deduction": balance_deduction(task.final_unit_deduction),
        "created_at": task.created_at,
        "updated_at": task.updated_at,
    }


def task_json_bytes(task: TaskRecord, public_url: str) -> bytes:
    return json_bytes(task_json(task, public_url))
