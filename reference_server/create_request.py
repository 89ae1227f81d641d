"""A schema-valid create body, normalised: defaults from the spec filled in, numbers made int."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from omni_spec import load_contract

SCHEMA = "CreateTaskRequest"


@dataclass(frozen=True)
class CreateTaskInput:
    """What the caller asked for, after schema validation (`1.0` is the integer 1)."""

    model_name: str
    prompt: str
    images: tuple[str, ...]
    element_ids: tuple[int, ...]
    resolution: str
    result_type: str
    n: int
    series_amount: int | str
    aspect_ratio: str
    watermark: bool
    callback_url: str | None
    external_task_id: str | None

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> CreateTaskInput:
        contract = load_contract()

        def value(name: str) -> Any:
            return body[name] if name in body else contract.property_default(SCHEMA, name)

        series_amount = value("series_amount")
        return cls(
            model_name=value("model_name"),
            prompt=body["prompt"],
            images=tuple(item["image"] for item in body.get("image_list", [])),
            element_ids=tuple(
                _integer(item["element_id"]) for item in body.get("element_list", [])
            ),
            resolution=value("resolution"),
            result_type=value("result_type"),
            n=int(value("n")),
            series_amount=series_amount if isinstance(series_amount, str) else int(series_amount),
            aspect_ratio=value("aspect_ratio"),
            watermark=bool(body.get("watermark_info", {}).get("enabled", False)),
            callback_url=body.get("callback_url"),
            external_task_id=body.get("external_task_id"),
        )


def _integer(value: Any) -> int:
    """A schema-valid JSON integer as int (1.0 -> 1); ints, HugeInt included, stay as they are."""
    return value if isinstance(value, int) else int(value)
