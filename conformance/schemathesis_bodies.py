"""Schema-valid create bodies made to satisfy the x-rules too, so Schemathesis' positive cases get
past validation (2xx) and its stateful phase can follow create_task's link to get_task.

Schemathesis draws bodies from the schema alone: random `image_list` strings are no images, random
`element_id`s are outside any library and `<<<image_N>>>` in a random prompt points nowhere, so
almost every positive create answers 400/1201 and the resource it should create never exists. Only
bodies the schema accepts are touched (negative cases stay as drawn), and every edit keeps them
schema-valid: references and callback_url dropped (no delivery to a random host), `<` in the prompt
replaced one for one (same length), and model/ratio chosen within `x-capability-map`.
"""

from __future__ import annotations

from typing import Any

from omni_spec import Contract

CREATE_SCHEMA = "CreateTaskRequest"
DROPPED_FIELDS = ("image_list", "element_list", "callback_url")


def rule_abiding_body(contract: Contract, body: Any) -> Any:
    """`body` edited to pass the cross-field rules when it is schema-valid, else unchanged."""
    if not isinstance(body, dict) or not contract.schema_validator(CREATE_SCHEMA).is_valid(body):
        return body
    edited = {key: value for key, value in body.items() if key not in DROPPED_FIELDS}
    # Rule prompt-reference-in-range: without lists, no <<<image_N>>> may remain.
    edited["prompt"] = str(body["prompt"]).replace("<", "(")
    _fit_capabilities(contract, edited)
    return edited if contract.schema_validator(CREATE_SCHEMA).is_valid(edited) else body


def _fit_capabilities(contract: Contract, body: dict[str, Any]) -> None:
    """Pick a model that takes the body's resolution/result_type; pin `auto` when it needs a
    reference (rules capability-*)."""

    def default(name: str) -> Any:
        return body.get(name, contract.property_default(CREATE_SCHEMA, name))

    resolution, series = default("resolution"), default("result_type") == "series"
    fitting = [
        name
        for name, capability in contract.capabilities.items()
        if resolution in capability.resolutions and (capability.series or not series)
    ]
    if not fitting:
        return
    model = default("model_name")
    if model not in fitting:
        model = body["model_name"] = fitting[0]
    needs_reference = not contract.capabilities[model].auto_aspect_ratio_without_reference
    if default("aspect_ratio") == "auto" and needs_reference:
        body["aspect_ratio"] = next(r for r in contract.enum("AspectRatio") if r != "auto")
