"""Mutants of request validation: schema boundaries, body shape, cross-field rules, capability map,
reference images. Limits come from the spec (omni_spec), as the server's own do."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from PIL import Image

from omni_spec import load_contract
from reference_server import reference_images, rules, task_creation
from reference_server.create_request import CreateTaskInput
from reference_server.envelope import ApiError
from tests.mutants.asgi import Answer, Sent, error_answer
from tests.mutants.mutant import Mutant, edit_create_body, edit_envelopes, patching, wrapping

INVALID = 1201


def _refuse(message: str) -> Answer:
    return error_answer(400, INVALID, message)


def _prompt_max() -> int:
    return int(load_contract().schema("Prompt")["maxLength"])


def _n_max() -> int:
    return int(load_contract().schema("CreateTaskRequest")["properties"]["n"]["maximum"])


def _prompt_in_utf16_units(body: dict[str, Any]) -> dict[str, Any] | Answer:
    prompt = body.get("prompt")
    if isinstance(prompt, str) and len(prompt.encode("utf-16-le")) // 2 > _prompt_max():
        return _refuse("prompt: too long (counted in UTF-16 units)")
    return body


def _prompt_max_exclusive(body: dict[str, Any]) -> dict[str, Any] | Answer:
    prompt = body.get("prompt")
    if isinstance(prompt, str) and len(prompt) == _prompt_max():
        return _refuse("prompt: too long")
    return body


def _n_one_over_max(body: dict[str, Any]) -> dict[str, Any] | Answer:
    if body.get("n") == _n_max() + 1 and body.get("result_type") != "series":
        body["n"] = _n_max()
    return body


def _n_true_as_one(body: dict[str, Any]) -> dict[str, Any] | Answer:
    if body.get("n") is True:
        body["n"] = 1
    return body


def _n_ignored_for_series(body: dict[str, Any]) -> dict[str, Any] | Answer:
    if body.get("result_type") == "series":
        body.pop("n", None)
    return body


def _nulls_dropped(body: dict[str, Any]) -> dict[str, Any] | Answer:
    return {key: value for key, value in body.items() if value is not None}


def _missing_field_as_invalid(sent: Sent, status: int, body: dict[str, Any]) -> int:
    if body.get("code") == 1200:
        body["code"] = INVALID
    return status


def _unknown_fields_refused(body: dict[str, Any]) -> dict[str, Any] | Answer:
    known = load_contract().schema("CreateTaskRequest")["properties"]
    unknown = sorted(set(body) - set(known))
    return _refuse(f"{unknown[0]}: unknown field") if unknown else body


def _plain_text_markers_refused(body: dict[str, Any]) -> dict[str, Any] | Answer:
    prompt = body.get("prompt")
    pattern = load_contract().rule("prompt-reference-in-range").params["pattern"]
    if isinstance(prompt, str) and "<<<" in re.sub(pattern, "", prompt):
        return _refuse("prompt: unknown <<<...>>> marker")
    return body


def _data_prefix_stripped(body: dict[str, Any]) -> dict[str, Any] | Answer:
    for item in body.get("image_list") or []:
        image = item.get("image") if isinstance(item, dict) else None
        if isinstance(image, str) and image[:5].lower() == "data:" and "," in image:
            item["image"] = image.split(",", 1)[1]
    return body


def _allow_one_more_reference(original: Callable[[CreateTaskInput], None]) -> Any:
    def references_total(request: CreateTaskInput) -> None:
        if request.images:  # one image more than the limit slips through
            request = CreateTaskInput(**{**vars(request), "images": request.images[1:]})
        original(request)

    return references_total


def _ignore(_: object) -> Callable[..., None]:
    def no_check(*args: object, **kwargs: object) -> None:
        return None

    return no_check


def _min_side_one_less(original: Callable[[int, int, str], None]) -> Any:
    return lambda width, height, where: original(width + 1, height + 1, where)


def _ratio_exclusive(original: Callable[[int, int, str], None]) -> Any:
    limit = float(load_contract().rule("reference-image-aspect-ratio").params["max_ratio"])

    def aspect_ratio(width: int, height: int, where: str) -> None:
        if max(width, height) >= limit * min(width, height):
            raise ApiError(INVALID, f"{where}: ratio must be below {limit}")
        original(width, height, where)

    return aspect_ratio


def _one_byte_more(original: Callable[[int, str], None]) -> Any:
    return lambda size, where: original(size - 1, where)


def _gif_accepted(original: Callable[[bytes, str], tuple[int, int]]) -> Any:
    def inspect(data: bytes, where: str) -> tuple[int, int]:
        if data.startswith(b"GIF8"):
            with Image.open(io.BytesIO(data)) as picture:
                return picture.size
        return original(data, where)

    return inspect


def _unreachable_url_accepted(original: Callable[..., Any]) -> Any:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400), (90, 120, 150)).save(buffer, format="PNG")
    stand_in = buffer.getvalue()

    async def fetch(*args: Any, **kwargs: Any) -> bytes:
        try:
            data: bytes = await original(*args, **kwargs)
        except ApiError as error:
            if "HTTP" not in error.message:
                raise
            return stand_in  # a URL answering 404 is treated as if it served an image
        return data

    return fetch


REQUEST_MUTANTS = [
    Mutant(
        "prompt-counted-in-utf16-units",
        "schema-boundaries",
        "request-boundaries",
        "prompt length counted in UTF-16 units: 2500 emoji refused",
        wrapping(requests=edit_create_body(_prompt_in_utf16_units)),
    ),
    Mutant(
        "prompt-max-exclusive",
        "schema-boundaries",
        "request-boundaries",
        "a prompt of exactly maxLength code points refused (off by one)",
        wrapping(requests=edit_create_body(_prompt_max_exclusive)),
    ),
    Mutant(
        "n-one-over-max-accepted",
        "schema-boundaries",
        "request-boundaries",
        "n = maximum + 1 accepted (clamped)",
        wrapping(requests=edit_create_body(_n_one_over_max)),
    ),
    Mutant(
        "n-true-accepted",
        "schema-boundaries",
        "request-boundaries",
        "n: true accepted as 1 (a boolean is not an integer)",
        wrapping(requests=edit_create_body(_n_true_as_one)),
    ),
    Mutant(
        "range-unchecked-without-effect",
        "range-applies-without-effect",
        "request-boundaries",
        "n is not range-checked when result_type is series",
        wrapping(requests=edit_create_body(_n_ignored_for_series)),
    ),
    Mutant(
        "null-fields-ignored",
        "body-json-object",
        "request-boundaries",
        "null fields are treated as absent instead of 1201",
        wrapping(requests=edit_create_body(_nulls_dropped)),
    ),
    Mutant(
        "malformed-body-reported-invalid",
        "body-json-object",
        "request-boundaries",
        "not JSON / not an object / missing prompt is 1201 instead of 1200",
        wrapping(answers=edit_envelopes(_missing_field_as_invalid)),
    ),
    Mutant(
        "unknown-fields-refused",
        "unknown-fields-ignored",
        "request-boundaries",
        "an unknown top-level field is refused with 1201",
        wrapping(requests=edit_create_body(_unknown_fields_refused)),
    ),
    Mutant(
        "references-total-max-11",
        "references-total-max-10",
        "cross-field",
        "image_list + element_list of 11 accepted",
        patching(rules, "references_total_max_10", _allow_one_more_reference),
    ),
    Mutant(
        "prompt-reference-unchecked",
        "prompt-reference-in-range",
        "cross-field",
        "<<<image_N>>> beyond image_list accepted",
        patching(rules, "prompt_reference_in_range", _ignore),
    ),
    Mutant(
        "prompt-plain-markers-refused",
        "prompt-reference-in-range",
        "cross-field",
        "other <<<...>>> text refused instead of being plain text",
        wrapping(requests=edit_create_body(_plain_text_markers_refused)),
    ),
    Mutant(
        "element-library-unchecked",
        "element-id-in-library",
        "cross-field",
        "element ids outside the caller's library accepted",
        patching(rules, "element_id_in_library", _ignore),
    ),
    Mutant(
        "capability-o1-takes-4k",
        "capability-model-resolution",
        "capability",
        "every model takes every resolution (kling-image-o1 takes 4k)",
        patching(rules, "capability_model_resolution", _ignore),
    ),
    Mutant(
        "capability-o1-takes-series",
        "capability-model-series",
        "capability",
        "every model takes result_type series",
        patching(rules, "capability_model_series", _ignore),
    ),
    Mutant(
        "capability-v3-auto-without-reference",
        "capability-auto-ratio-needs-reference",
        "capability",
        "kling-v3-omni takes aspect_ratio auto without any reference",
        patching(rules, "capability_auto_ratio_needs_reference", _ignore),
    ),
    Mutant(
        "reference-min-side-one-less",
        "reference-image-min-side",
        "reference-images",
        "a side of min_side - 1 px accepted",
        patching(reference_images, "reference_image_min_side", _min_side_one_less),
    ),
    Mutant(
        "reference-ratio-exclusive",
        "reference-image-aspect-ratio",
        "reference-images",
        "exactly 2.5:1 refused (the bound treated as exclusive)",
        patching(reference_images, "reference_image_aspect_ratio", _ratio_exclusive),
    ),
    Mutant(
        "reference-gif-accepted",
        "reference-image-format",
        "reference-images",
        "GIF reference images accepted",
        patching(task_creation, "inspect_reference_image", _gif_accepted),
    ),
    Mutant(
        "reference-max-bytes-plus-one",
        "reference-image-max-bytes",
        "reference-images",
        "a reference image of max_bytes + 1 accepted",
        patching(reference_images, "reference_image_max_bytes", _one_byte_more),
    ),
    Mutant(
        "reference-data-prefix-accepted",
        "reference-image-base64",
        "reference-images",
        "a data:image/...;base64, prefix is stripped and accepted",
        wrapping(requests=edit_create_body(_data_prefix_stripped)),
    ),
    Mutant(
        "reference-url-404-accepted",
        "reference-image-url",
        "reference-images",
        "a reference URL answering 404 is accepted",
        patching(task_creation, "fetch_reference_image", _unreachable_url_accepted),
    ),
]
