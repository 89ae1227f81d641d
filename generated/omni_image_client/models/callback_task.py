# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.task_status import TaskStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.final_balance_deduction import FinalBalanceDeduction
    from ..models.task_info import TaskInfo
    from ..models.task_result import TaskResult
    from ..models.task_watermark_info import TaskWatermarkInfo


T = TypeVar("T", bound="CallbackTask")


@_attrs_define
class CallbackTask:
    """Body of a callback delivery: the documented fields (result items `{index, url}`);
    `final_balance_deduction` and `watermark_info` may be absent. Every field present has the
    task schema's type.

        Attributes:
            task_id (str):
            task_status (TaskStatus): `submitted` -> `processing` -> `succeed` | `failed`; never goes back.
            task_status_msg (str):
            task_info (TaskInfo):
            task_result (TaskResult): Always present. Before `succeed`, and when `failed`, both lists are empty. `single`:
                `n`
                items in `images` (index 0..n-1), `series_images` empty; `series`: `series_amount` items in
                `series_images`, `images` empty.
            final_unit_deduction (str):
            created_at (int): Unix epoch time in milliseconds.
            updated_at (int): Unix epoch time in milliseconds.
            watermark_info (TaskWatermarkInfo | Unset): The task's watermark setting.
            final_balance_deduction (FinalBalanceDeduction | Unset): The balance charged: `quota` (the discounted price
                charged) and `list_price`, both strings.
                Absent for accounts billed in units only.
    """

    task_id: str
    task_status: TaskStatus
    task_status_msg: str
    task_info: TaskInfo
    task_result: TaskResult
    final_unit_deduction: str
    created_at: int
    updated_at: int
    watermark_info: TaskWatermarkInfo | Unset = UNSET
    final_balance_deduction: FinalBalanceDeduction | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        task_id = self.task_id

        task_status = self.task_status.value

        task_status_msg = self.task_status_msg

        task_info = self.task_info.to_dict()

        task_result = self.task_result.to_dict()

        final_unit_deduction = self.final_unit_deduction

        created_at = self.created_at

        updated_at = self.updated_at

        watermark_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.watermark_info, Unset):
            watermark_info = self.watermark_info.to_dict()

        final_balance_deduction: dict[str, Any] | Unset = UNSET
        if not isinstance(self.final_balance_deduction, Unset):
            final_balance_deduction = self.final_balance_deduction.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "task_id": task_id,
                "task_status": task_status,
                "task_status_msg": task_status_msg,
                "task_info": task_info,
                "task_result": task_result,
                "final_unit_deduction": final_unit_deduction,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if watermark_info is not UNSET:
            field_dict["watermark_info"] = watermark_info
        if final_balance_deduction is not UNSET:
            field_dict["final_balance_deduction"] = final_balance_deduction

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.final_balance_deduction import FinalBalanceDeduction  # noqa: PLC0415
        from ..models.task_info import TaskInfo  # noqa: PLC0415
        from ..models.task_result import TaskResult  # noqa: PLC0415
        from ..models.task_watermark_info import TaskWatermarkInfo  # noqa: PLC0415

        d = dict(src_dict)
        task_id = d.pop("task_id")

        task_status = TaskStatus(d.pop("task_status"))

        task_status_msg = d.pop("task_status_msg")

        task_info = TaskInfo.from_dict(d.pop("task_info"))

        task_result = TaskResult.from_dict(d.pop("task_result"))

        final_unit_deduction = d.pop("final_unit_deduction")

        created_at = d.pop("created_at")

        updated_at = d.pop("updated_at")

        _watermark_info = d.pop("watermark_info", UNSET)
        watermark_info: TaskWatermarkInfo | Unset
        if isinstance(_watermark_info, Unset):
            watermark_info = UNSET
        else:
            watermark_info = TaskWatermarkInfo.from_dict(_watermark_info)

        _final_balance_deduction = d.pop("final_balance_deduction", UNSET)
        final_balance_deduction: FinalBalanceDeduction | Unset
        if isinstance(_final_balance_deduction, Unset):
            final_balance_deduction = UNSET
        else:
            final_balance_deduction = FinalBalanceDeduction.from_dict(_final_balance_deduction)

        callback_task = cls(
            task_id=task_id,
            task_status=task_status,
            task_status_msg=task_status_msg,
            task_info=task_info,
            task_result=task_result,
            final_unit_deduction=final_unit_deduction,
            created_at=created_at,
            updated_at=updated_at,
            watermark_info=watermark_info,
            final_balance_deduction=final_balance_deduction,
        )

        callback_task.additional_properties = d
        return callback_task

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
