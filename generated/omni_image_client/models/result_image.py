# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ResultImage")


@_attrs_define
class ResultImage:
    """
    Attributes:
        index (int): 0-based position in its list.
        url (str): Plain GET, no authentication, answers the PNG or JPEG bytes.
        watermark_url (str | Unset): Present if and only if watermarking was enabled (not required in a callback).
    """

    index: int
    url: str
    watermark_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        index = self.index

        url = self.url

        watermark_url = self.watermark_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "index": index,
                "url": url,
            }
        )
        if watermark_url is not UNSET:
            field_dict["watermark_url"] = watermark_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        index = d.pop("index")

        url = d.pop("url")

        watermark_url = d.pop("watermark_url", UNSET)

        result_image = cls(
            index=index,
            url=url,
            watermark_url=watermark_url,
        )

        result_image.additional_properties = d
        return result_image

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
