# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.
from __future__ import annotations

from collections.abc import Mapping
from typing import (
    TYPE_CHECKING,
    Any,
    Literal,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.created_task import CreatedTask


T = TypeVar("T", bound="CreateTaskEnvelope")


@_attrs_define
class CreateTaskEnvelope:
    """Success envelope of `create_task`, carrying the created task.

    Attributes:
        code (Literal[0]):
        message (str):
        request_id (str):
        data (CreatedTask): `data` of the create answer: the five documented fields, and any other task field the
            server sends (with the task schema's type).
    """

    code: Literal[0]
    message: str
    request_id: str
    data: CreatedTask
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        request_id = self.request_id

        data = self.data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
                "request_id": request_id,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.created_task import CreatedTask  # noqa: PLC0415

        d = dict(src_dict)
        code = cast(Literal[0], d.pop("code"))
        if code != 0:
            raise ValueError(f"code must match const 0, got '{code}'")

        message = d.pop("message")

        request_id = d.pop("request_id")

        data = CreatedTask.from_dict(d.pop("data"))

        create_task_envelope = cls(
            code=code,
            message=message,
            request_id=request_id,
            data=data,
        )

        create_task_envelope.additional_properties = d
        return create_task_envelope

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
