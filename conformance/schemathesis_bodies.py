"""Schema-valid create bodies made to satisfy the x-rules too, so Schemathesis' positive cases get
past validation (2xx) and its stateful phase can follow create_task's link to get_task.

Schemathesis draws bodies from the schema alone: random `image_list` strings are no images, random
`element_id`s are outside any library and `<<<image_N>>>` in a random prompt points nowhere, so
almost every positive create answers 400/1201 and the resource it should create never exists. Only
bodies the schema accepts are touched (negative cases stay as drawn), and every edit keeps them
schema-valid: references and callback_url dropped (no delivery to a random host), `<` in the prompt
replaced one for one (same length), and model/ratio chosen within `x-capability-map`.

`loopback_body` is applied to every create body, valid or not: its http(s) URLs point at the
suite's loopback receiver, never at a third party.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from omni_spec import Contract

CREATE_SCHEMA = "CreateTaskRequest"
DROPPED_FIELDS = ("image_list", "element_list", "callback_url")
# What a server could fetch: a string starting like an http(s) URL (scheme case-insensitive, as the
# spec's callback_url pattern allows), well-formed or not: lead, scheme, authority, the rest.
URL_PARTS = re.compile(
    r"^(?P<lead>\s*)https?://(?P<authority>[^\s/?#]*)(?P<rest>.*)$", re.IGNORECASE | re.DOTALL
)


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


@dataclass(frozen=True)
class LoopbackUrls:
    """The suite's own receiver: its origin and the URLs create bodies are pointed at."""

    origin: str
    callback_url: str
    image_url: str


def _to_loopback(contract: Contract, value: Any, full_url: str, origin: str) -> Any:
    match = URL_PARTS.match(value) if isinstance(value, str) else None
    if match is None or not match.group("authority"):
        return value  # no host a server could contact
    well_formed = contract.schema(CREATE_SCHEMA)["properties"]["callback_url"]["pattern"]
    if re.search(well_formed, value):
        return full_url
    # A malformed URL keeps what makes it malformed; only the host it names becomes ours.
    return f"{match.group('lead')}{origin}{match.group('rest')}"


def loopback_body(contract: Contract, body: Any, urls: LoopbackUrls) -> Any:
    """`body` with `callback_url` and every http(s) `image_list[].image` pointing at the receiver.

    Applied to every create body Schemathesis sends (examples, coverage, fuzzing, stateful;
    positive and negative), so a server under test never contacts a third party on our behalf (the
    spec's examples name https://example.com/..., fuzzing draws arbitrary hosts). A well-formed
    http(s) URL (the spec's callback_url pattern) becomes the receiver's callback or image URL; a
    malformed one only has its host replaced by the receiver's, so it stays malformed and a
    negative case stays negative. Strings naming no host (Base64 images, ...) are kept. A series
    body without references gets the receiver's image (text-only series is a silence).
    """
    if not isinstance(body, dict):
        return body
    edited = dict(body)
    if "callback_url" in edited:
        edited["callback_url"] = _to_loopback(
            contract, edited["callback_url"], urls.callback_url, urls.origin
        )
    if edited.get("result_type") == "series" and "image_list" not in edited:
        # Text-only series is a silence: give series a reference so either reading accepts it.
        edited["image_list"] = [{"image": urls.image_url}]
    images = edited.get("image_list")
    if isinstance(images, list):
        edited["image_list"] = [
            {**item, "image": _to_loopback(contract, item["image"], urls.image_url, urls.origin)}
            if isinstance(item, dict) and "image" in item
            else item
            for item in images
        ]
    return edited
