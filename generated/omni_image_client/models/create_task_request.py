# Generated from openapi.yaml by openapi-python-client (make generate) — do not edit.
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.aspect_ratio import AspectRatio
from ..models.model_name import ModelName
from ..models.resolution import Resolution
from ..models.result_type import ResultType
from ..models.series_amount_type_1 import SeriesAmountType1
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.element_reference import ElementReference
    from ..models.image_reference import ImageReference
    from ..models.watermark_info import WatermarkInfo


T = TypeVar("T", bound="CreateTaskRequest")


@_attrs_define
class CreateTaskRequest:
    """Body of `create_task`. Unknown fields are ignored. `null` is a wrong type for every field.
    Range rules apply even where a field has no effect (`n: 10` with `series` is rejected).

        Attributes:
            prompt (str): 1..2,500 characters, counted in Unicode code points. `<<<image_N>>>` names the N-th entry
                of `image_list` and `<<<element_N>>>` the N-th of `element_list` (1-based); N beyond its
                list is an error (rule `prompt-reference-in-range`). Other `<<<...>>>` text is plain text.
            model_name (ModelName | Unset): The model. The capability map (`x-capability-map`) says what each accepts.
            image_list (list[ImageReference] | Unset): Reference images; with `element_list`, at most 10 references in
                total.
            element_list (list[ElementReference] | Unset): Reference elements; with `image_list`, at most 10 references in
                total.
            resolution (Resolution | Unset): `1k` standard definition, `2k` and `4k` high resolution.
            result_type (ResultType | Unset): A single set of `n` images, or a series of `series_amount` images.
            n (int | Unset): Number of images for `single` (no effect for `series`, but still range-checked). Default: 1.
            series_amount (int | SeriesAmountType1 | Unset): 2..9 images in a series, or `auto` to let the server decide
                (2..9).
            aspect_ratio (AspectRatio | Unset): Width:height of the results; `auto` follows the first reference image.
            watermark_info (WatermarkInfo | Unset): `enabled: true` gives every result a `watermark_url` too. Whether `{}`
                (no `enabled`) is
                accepted is a silence (`watermark-info-without-enabled`): the schema allows it.
            callback_url (str | Unset): Absolute http(s) URL notified on status changes (see the `taskStatus` callback). It
                need not be a strict RFC 3986 URI (a non-ASCII host or path, unescaped characters):
                that is a silence (`callback-url-not-strict-uri`), so the schema allows it.
            external_task_id (str | Unset): Caller's own task id, unique per user; never replaces `task_id`, but `get_task`
                accepts it.
    """

    prompt: str
    model_name: ModelName | Unset = UNSET
    image_list: list[ImageReference] | Unset = UNSET
    element_list: list[ElementReference] | Unset = UNSET
    resolution: Resolution | Unset = UNSET
    result_type: ResultType | Unset = UNSET
    n: int | Unset = 1
    series_amount: int | SeriesAmountType1 | Unset = UNSET
    aspect_ratio: AspectRatio | Unset = UNSET
    watermark_info: WatermarkInfo | Unset = UNSET
    callback_url: str | Unset = UNSET
    external_task_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        prompt = self.prompt

        model_name: str | Unset = UNSET
        if not isinstance(self.model_name, Unset):
            model_name = self.model_name.value

        image_list: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.image_list, Unset):
            image_list = []
            for image_list_item_data in self.image_list:
                image_list_item = image_list_item_data.to_dict()
                image_list.append(image_list_item)

        element_list: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.element_list, Unset):
            element_list = []
            for element_list_item_data in self.element_list:
                element_list_item = element_list_item_data.to_dict()
                element_list.append(element_list_item)

        resolution: str | Unset = UNSET
        if not isinstance(self.resolution, Unset):
            resolution = self.resolution.value

        result_type: str | Unset = UNSET
        if not isinstance(self.result_type, Unset):
            result_type = self.result_type.value

        n = self.n

        series_amount: int | str | Unset
        if isinstance(self.series_amount, Unset):
            series_amount = UNSET
        elif isinstance(self.series_amount, SeriesAmountType1):
            series_amount = self.series_amount.value
        else:
            series_amount = self.series_amount

        aspect_ratio: str | Unset = UNSET
        if not isinstance(self.aspect_ratio, Unset):
            aspect_ratio = self.aspect_ratio.value

        watermark_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.watermark_info, Unset):
            watermark_info = self.watermark_info.to_dict()

        callback_url = self.callback_url

        external_task_id = self.external_task_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "prompt": prompt,
            }
        )
        if model_name is not UNSET:
            field_dict["model_name"] = model_name
        if image_list is not UNSET:
            field_dict["image_list"] = image_list
        if element_list is not UNSET:
            field_dict["element_list"] = element_list
        if resolution is not UNSET:
            field_dict["resolution"] = resolution
        if result_type is not UNSET:
            field_dict["result_type"] = result_type
        if n is not UNSET:
            field_dict["n"] = n
        if series_amount is not UNSET:
            field_dict["series_amount"] = series_amount
        if aspect_ratio is not UNSET:
            field_dict["aspect_ratio"] = aspect_ratio
        if watermark_info is not UNSET:
            field_dict["watermark_info"] = watermark_info
        if callback_url is not UNSET:
            field_dict["callback_url"] = callback_url
        if external_task_id is not UNSET:
            field_dict["external_task_id"] = external_task_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.element_reference import ElementReference  # noqa: PLC0415
        from ..models.image_reference import ImageReference  # noqa: PLC0415
        from ..models.watermark_info import WatermarkInfo  # noqa: PLC0415

        d = dict(src_dict)
        prompt = d.pop("prompt")

        _model_name = d.pop("model_name", UNSET)
        model_name: ModelName | Unset
        if isinstance(_model_name, Unset):
            model_name = UNSET
        else:
            model_name = ModelName(_model_name)

        _image_list = d.pop("image_list", UNSET)
        image_list: list[ImageReference] | Unset = UNSET
        if _image_list is not UNSET:
            image_list = []
            for image_list_item_data in _image_list:
                image_list_item = ImageReference.from_dict(image_list_item_data)

                image_list.append(image_list_item)

        _element_list = d.pop("element_list", UNSET)
        element_list: list[ElementReference] | Unset = UNSET
        if _element_list is not UNSET:
            element_list = []
            for element_list_item_data in _element_list:
                element_list_item = ElementReference.from_dict(element_list_item_data)

                element_list.append(element_list_item)

        _resolution = d.pop("resolution", UNSET)
        resolution: Resolution | Unset
        if isinstance(_resolution, Unset):
            resolution = UNSET
        else:
            resolution = Resolution(_resolution)

        _result_type = d.pop("result_type", UNSET)
        result_type: ResultType | Unset
        if isinstance(_result_type, Unset):
            result_type = UNSET
        else:
            result_type = ResultType(_result_type)

        n = d.pop("n", UNSET)

        def _parse_series_amount(data: object) -> int | SeriesAmountType1 | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_series_amount_type_1 = SeriesAmountType1(data)

                return componentsschemas_series_amount_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(int | SeriesAmountType1 | Unset, data)

        series_amount = _parse_series_amount(d.pop("series_amount", UNSET))

        _aspect_ratio = d.pop("aspect_ratio", UNSET)
        aspect_ratio: AspectRatio | Unset
        if isinstance(_aspect_ratio, Unset):
            aspect_ratio = UNSET
        else:
            aspect_ratio = AspectRatio(_aspect_ratio)

        _watermark_info = d.pop("watermark_info", UNSET)
        watermark_info: WatermarkInfo | Unset
        if isinstance(_watermark_info, Unset):
            watermark_info = UNSET
        else:
            watermark_info = WatermarkInfo.from_dict(_watermark_info)

        callback_url = d.pop("callback_url", UNSET)

        external_task_id = d.pop("external_task_id", UNSET)

        create_task_request = cls(
            prompt=prompt,
            model_name=model_name,
            image_list=image_list,
            element_list=element_list,
            resolution=resolution,
            result_type=result_type,
            n=n,
            series_amount=series_amount,
            aspect_ratio=aspect_ratio,
            watermark_info=watermark_info,
            callback_url=callback_url,
            external_task_id=external_task_id,
        )

        create_task_request.additional_properties = d
        return create_task_request

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
