"""The create-body rules OpenAPI cannot state, one function per `x-rules` id (named after it).

Each raises ApiError(1201, message) when its rule is broken and reads its numbers from the spec
(`contract.rule(id).params`, `contract.capabilities`). Reference-image content rules live in
`reference_images.py`, the URL rule in `url_fetch.py`.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from omni_spec import load_contract
from reference_server import codes
from reference_server.create_request import CreateTaskInput
from reference_server.envelope import ApiError
from reference_server.geometry import AUTO

INVALID = codes.INVALID_FIELD  # rule `body-json-object`


def references_total_max_10(request: CreateTaskInput) -> None:
    limit = int(load_contract().rule("references-total-max-10").params["max_total"])
    total = len(request.images) + len(request.element_ids)
    if total > limit:
        raise ApiError(
            INVALID,
            f"image_list and element_list hold {total} references together; at most {limit}",
        )


def prompt_reference_in_range(request: CreateTaskInput) -> None:
    pattern = re.compile(load_contract().rule("prompt-reference-in-range").params["pattern"])
    sizes = {"image": len(request.images), "element": len(request.element_ids)}
    for match in pattern.finditer(request.prompt):
        kind, number = match.group(1), int(match.group(2))
        if not 1 <= number <= sizes[kind]:
            raise ApiError(
                INVALID,
                f"prompt: {match.group(0)} names {kind} {number}, but {kind}_list has "
                f"{sizes[kind]} entries",
            )


def capability_model_resolution(request: CreateTaskInput) -> None:
    capability = load_contract().capabilities[request.model_name]
    if request.resolution not in capability.resolutions:
        raise ApiError(
            INVALID,
            f"resolution: {request.model_name} takes {', '.join(capability.resolutions)}, "
            f"not {request.resolution}",
        )


def capability_model_series(request: CreateTaskInput) -> None:
    capability = load_contract().capabilities[request.model_name]
    if request.result_type == "series" and not capability.series:
        raise ApiError(INVALID, f"result_type: {request.model_name} does not take series")


def capability_auto_ratio_needs_reference(request: CreateTaskInput) -> None:
    capability = load_contract().capabilities[request.model_name]
    has_reference = bool(request.images or request.element_ids)
    if (
        request.aspect_ratio == AUTO
        and not has_reference
        and not capability.auto_aspect_ratio_without_reference
    ):
        raise ApiError(
            INVALID,
            f"aspect_ratio: {request.model_name} takes auto only with a reference image or element",
        )


def element_id_in_library(request: CreateTaskInput, library: Collection[int]) -> None:
    for index, element_id in enumerate(request.element_ids):
        if element_id not in library:
            raise ApiError(
                INVALID,
                f"element_list[{index}].element_id: {element_id} is not in your element library",
            )


def external_task_id_unique(request: CreateTaskInput, already_used: bool) -> None:
    if request.external_task_id is not None and already_used:
        raise ApiError(
            INVALID, f"external_task_id: {request.external_task_id!r} is already used by a task"
        )


def check_body_rules(request: CreateTaskInput, library: Collection[int]) -> None:
    """The cheap rules, in the order a caller would fix them."""
    references_total_max_10(request)
    prompt_reference_in_range(request)
    capability_model_resolution(request)
    capability_model_series(request)
    capability_auto_ratio_needs_reference(request)
    element_id_in_library(request, library)
