"""The shape of openapi.yaml's `x-` extensions, checked when the spec is loaded.

A misspelt key, an unknown standing, a params key a rule does not take or an `x-rule-ids` entry
naming no rule fails at start-up with a `SpecExtensionError` that names the offending entry,
never later as a KeyError (or a 500) at request time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator

STANDINGS = ("documented", "decided")
AREAS = ("request", "query", "protocol", "auth", "task", "result", "callback")
KEBAB_CASE = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

_INTEGER: dict[str, Any] = {"type": "integer"}
_NUMBER: dict[str, Any] = {"type": "number"}
_STRING: dict[str, Any] = {"type": "string", "minLength": 1}
_STRINGS: dict[str, Any] = {"type": "array", "items": _STRING, "minItems": 1}
# An integer that must also be a business code of x-error-codes (checked after the schema).
ERROR_CODE: dict[str, Any] = {"type": "integer", "x-error-code": True}
_HTTP_STATUS: dict[str, Any] = {"type": "integer", "minimum": 100, "maximum": 599}

# The params each rule takes: every key is required and no other key is allowed. A rule missing
# here takes no params. The values live in openapi.yaml; only their names and types live here.
PARAM_SHAPES: dict[str, dict[str, dict[str, Any]]] = {
    "body-json-object": {"missing_or_malformed_code": ERROR_CODE, "invalid_field_code": ERROR_CODE},
    "body-error-code-split": {
        "missing_or_malformed_code": ERROR_CODE,
        "invalid_field_code": ERROR_CODE,
    },
    "body-json-schema-types": {"invalid_field_code": ERROR_CODE},
    "references-total-max-10": {"max_total": _INTEGER},
    "reference-image-format": {"formats": _STRINGS},
    "reference-image-max-bytes": {"max_bytes": _INTEGER},
    "reference-image-min-side": {"min_side": _INTEGER},
    "reference-image-aspect-ratio": {"max_ratio": _NUMBER},
    "prompt-reference-in-range": {"pattern": _STRING},
    "create-answer-fields": {"fields": _STRINGS, "status": _STRING},
    "user-isolation": {"not_found_code": ERROR_CODE, "status": _HTTP_STATUS},
    "user-isolation-not-found-code": {"not_found_code": ERROR_CODE, "status": _HTTP_STATUS},
    "method-not-supported": {"status": _HTTP_STATUS, "code": ERROR_CODE},
    "method-checked-before-auth": {"status": _HTTP_STATUS, "code": ERROR_CODE},
    "auth-codes": {
        "missing": ERROR_CODE,
        "invalid": ERROR_CODE,
        "not_yet_valid": ERROR_CODE,
        "expired": ERROR_CODE,
        "other": ERROR_CODE,
        "status": _HTTP_STATUS,
    },
    "auth-empty-header-is-missing": {"code": ERROR_CODE, "status": _HTTP_STATUS},
    "auth-other-scheme-is-invalid": {"code": ERROR_CODE, "status": _HTTP_STATUS},
    "auth-clock-skew": {"max_skew_seconds": _INTEGER, "check_offset_seconds": _INTEGER},
    "task-status-forward-only": {"order": _STRINGS, "terminal": _STRINGS},
    "task-result-shape": {"auto_series_min": _INTEGER, "auto_series_max": _INTEGER},
    "final-balance-deduction-shape": {"fields": _STRINGS},
    "result-image-download": {"content_types": _STRINGS},
    "result-image-geometry": {
        "ratio_tolerance": _NUMBER,
        "pixel_tolerance": _NUMBER,
        "pixels": {
            "type": "object",
            "required": ["1k", "2k", "4k"],
            "additionalProperties": False,
            "properties": {"1k": _INTEGER, "2k": _INTEGER, "4k": _INTEGER},
        },
        "auto_without_reference": _STRING,
    },
    "callback-documented-body": {"fields": _STRINGS},
    "callback-signature-secret-key": {"secret_prefix": _STRING},
    "callback-timestamp-window": {"tolerance_seconds": _INTEGER},
}

RULE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "area", "standing", "source", "text"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": KEBAB_CASE},
        "area": {"enum": list(AREAS)},
        "standing": {"enum": list(STANDINGS)},
        "source": _STRING,
        "text": _STRING,
        "params": {"type": "object"},
    },
    "allOf": [
        {
            "if": {"properties": {"standing": {"const": "documented"}}},
            "then": {"properties": {"source": {"pattern": "^Kling API: "}}},
        },
        {
            "if": {"properties": {"standing": {"const": "decided"}}},
            "then": {"properties": {"source": {"pattern": r"^contract: .+ \[decided\]$"}}},
        },
    ],
}

SILENCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "text", "reference_server"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "pattern": KEBAB_CASE},
        "text": _STRING,
        "reference_server": _STRING,
    },
}

ERROR_CODES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "propertyNames": {"pattern": "^[1-9][0-9]*$"},
    "additionalProperties": {
        "type": "object",
        "required": ["status", "meaning"],
        "additionalProperties": False,
        "properties": {
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "meaning": _STRING,
            "retryable": {"type": "boolean"},
        },
    },
}

CAPABILITY_MAP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": {
        "type": "object",
        "required": ["resolutions", "series", "auto_aspect_ratio_without_reference"],
        "additionalProperties": False,
        "properties": {
            "resolutions": _STRINGS,
            "series": {"type": "boolean"},
            "auto_aspect_ratio_without_reference": {"type": "boolean"},
        },
    },
}

RULE_IDS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "minItems": 1,
    "items": {"type": "string", "pattern": KEBAB_CASE},
}


class SpecExtensionError(ValueError):
    """openapi.yaml's `x-` extensions do not have the shape omni_spec reads."""


def params_schema(rule_id: str) -> dict[str, Any]:
    """JSON Schema of one rule's `params`: exactly the keys PARAM_SHAPES names for it."""
    shape = PARAM_SHAPES.get(rule_id, {})
    return {
        "type": "object",
        "required": sorted(shape),
        "additionalProperties": False,
        "properties": shape,
    }


def _schema_problems(schema: Mapping[str, Any], instance: Any, where: str) -> Iterator[str]:
    """`where/path: message` for each way instance breaks schema."""
    for error in sorted(Draft202012Validator(schema).iter_errors(instance), key=str):
        path = "".join(f"[{part!r}]" for part in error.absolute_path)
        yield f"{where}{path}: {error.message}"


def _walk(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """(JSON pointer, node) for every node of the document, depth first."""
    yield pointer, node
    if isinstance(node, Mapping):
        for key, value in node.items():
            token = str(key).replace("~", "~0").replace("/", "~1")
            yield from _walk(value, f"{pointer}/{token}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{index}")


def _rule_problems(entries: Any, error_codes: set[int]) -> Iterator[str]:
    """Problems of the `x-rules` list: entry shape, unique ids, params per rule."""
    if not isinstance(entries, list) or not entries:
        yield "x-rules: must be a non-empty list"
        return
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        rule_id = entry.get("id") if isinstance(entry, Mapping) else None
        where = f"x-rules[{index}] ({rule_id!r})"
        yield from _schema_problems(RULE_SCHEMA, entry, where)
        if not isinstance(rule_id, str):
            continue
        if rule_id in seen:
            yield f"{where}: id used twice"
        seen.add(rule_id)
        params = entry.get("params", {})
        found = list(_schema_problems(params_schema(rule_id), params, f"{where}.params"))
        yield from found
        if found or not isinstance(params, Mapping):
            continue
        for key, shape in PARAM_SHAPES.get(rule_id, {}).items():
            if shape.get("x-error-code") and params[key] not in error_codes:
                yield f"{where}.params[{key!r}]: {params[key]} is not a code of x-error-codes"


def _silence_problems(entries: Any, rule_ids: set[str]) -> Iterator[str]:
    """Problems of the `x-silences` list: entry shape, unique ids, no id shared with a rule."""
    if not isinstance(entries, list) or not entries:
        yield "x-silences: must be a non-empty list"
        return
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        silence_id = entry.get("id") if isinstance(entry, Mapping) else None
        where = f"x-silences[{index}] ({silence_id!r})"
        yield from _schema_problems(SILENCE_SCHEMA, entry, where)
        if not isinstance(silence_id, str):
            continue
        if silence_id in seen:
            yield f"{where}: id used twice"
        if silence_id in rule_ids:
            yield f"{where}: id is also an x-rules id (a silence is never a rule)"
        seen.add(silence_id)


def _rule_id_reference_problems(document: Mapping[str, Any], rule_ids: set[str]) -> Iterator[str]:
    """Problems of every `x-rule-ids` list: its shape, and ids that name no `x-rules` entry."""
    for pointer, node in _walk(document):
        if not (isinstance(node, Mapping) and "x-rule-ids" in node):
            continue
        where = f"{pointer or '/'}/x-rule-ids"
        listed = node["x-rule-ids"]
        found = list(_schema_problems(RULE_IDS_SCHEMA, listed, where))
        yield from found
        if found:
            continue
        for rule_id in listed:
            if rule_id not in rule_ids:
                yield f"{where}: {rule_id!r} is not an x-rules id"


def extension_problems(document: Mapping[str, Any]) -> list[str]:
    """Every way the document's `x-` extensions break their shape (empty: all well-formed)."""
    problems: list[str] = []
    raw_codes = document.get("x-error-codes")
    problems += _schema_problems(ERROR_CODES_SCHEMA, raw_codes, "x-error-codes")
    error_codes = {int(code) for code in raw_codes or {} if str(code).isdigit()}
    problems += _schema_problems(
        CAPABILITY_MAP_SCHEMA, document.get("x-capability-map"), "x-capability-map"
    )
    rules = document.get("x-rules")
    problems += _rule_problems(rules, error_codes)
    rule_ids = {
        entry["id"]
        for entry in rules or []
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str)
    }
    problems += _silence_problems(document.get("x-silences"), rule_ids)
    problems += _rule_id_reference_problems(document, rule_ids)
    return problems


def validate_extensions(document: Mapping[str, Any], source: str = "openapi.yaml") -> None:
    """Raise SpecExtensionError listing every malformed `x-` extension entry of the document."""
    problems = extension_problems(document)
    if problems:
        listed = "\n  ".join(problems)
        raise SpecExtensionError(f"{source}: malformed x- extensions:\n  {listed}")
