# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.result_type import ResultType

if TYPE_CHECKING:
    from ..models.result_image import ResultImage


T = TypeVar("T", bound="TaskResult")


@_attrs_define
class TaskResult:
    """Always present. Before `succeed`, and when `failed`, both lists are empty. `single`: `n`
    items in `images` (index 0..n-1), `series_images` empty; `series`: `series_amount` items in
    `series_images`, `images` empty.

        Attributes:
            result_type (ResultType): A single set of `n` images, or a series of `series_amount` images.
            images (list[ResultImage]):
            series_images (list[ResultImage]):
    """

    result_type: ResultType
    images: list[ResultImage]
    series_images: list[ResultImage]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        result_type = self.result_type.value

        images = []
        for images_item_data in self.images:
            images_item = images_item_data.to_dict()
            images.append(images_item)

        series_images = []
        for series_images_item_data in self.series_images:
            series_images_item = series_images_item_data.to_dict()
            series_images.append(series_images_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "result_type": result_type,
                "images": images,
                "series_images": series_images,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.result_image import ResultImage  # noqa: PLC0415

        d = dict(src_dict)
        result_type = ResultType(d.pop("result_type"))

        images = []
        _images = d.pop("images")
        for images_item_data in _images:
            images_item = ResultImage.from_dict(images_item_data)

            images.append(images_item)

        series_images = []
        _series_images = d.pop("series_images")
        for series_images_item_data in _series_images:
            series_images_item = ResultImage.from_dict(series_images_item_data)

            series_images.append(series_images_item)

        task_result = cls(
            result_type=result_type,
            images=images,
            series_images=series_images,
        )

        task_result.additional_properties = d
        return task_result

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
