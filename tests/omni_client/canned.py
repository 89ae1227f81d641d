"""Canned API bodies shaped like the spec's examples, for MockTransport-based unit tests."""

from __future__ import annotations

from typing import Any

import httpx


def task_dict(
    task_id: str = "860912345678901234",
    status: str = "submitted",
    results: int = 0,
    message: str = "",
) -> dict[str, Any]:
    """A task object; `results` items in `images` (only meaningful for `succeed`)."""
    images = [
        {"index": i, "url": f"http://127.0.0.1:9/results/{task_id}/{i}.png"} for i in range(results)
    ]
    return {
        "task_id": task_id,
        "task_status": status,
        "task_status_msg": message,
        "task_info": {"external_task_id": None},
        "task_result": {"result_type": "single", "images": images, "series_images": []},
        "watermark_info": {"enabled": False},
        "final_unit_deduction": "0",
        "created_at": 1795700000000,
        "updated_at": 1795700000000,
    }


def envelope(data: Any) -> dict[str, Any]:
    """A success envelope around `data`."""
    return {"code": 0, "message": "SUCCEED", "request_id": "req-1", "data": data}


def error_body(code: int, message: str = "boom") -> dict[str, Any]:
    """An error envelope."""
    return {"code": code, "message": message, "request_id": f"req-{code}"}


def json_response(status: int, body: Any) -> httpx.Response:
    """An httpx response with a JSON body."""
    return httpx.Response(status, json=body)
