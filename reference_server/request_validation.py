"""Schema-level validation of requests, with validators compiled once from openapi.yaml.

Rule `body-json-object` maps failures to codes: body not JSON, not an object, or a required
top-level field missing is 1200; anything else (wrong type, out of range, not in enum, nested
item missing `image`, ...) is 1201 [decided]. Rule `range-applies-without-effect` needs no code of
its own: the schema checks `n` and `series_amount` ranges whatever `result_type` is.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from omni_spec import load_contract
from reference_server import codes
from reference_server.envelope import ApiError

MAX_MESSAGE_VALUE = 80
INTEGER_TEXT = re.compile(r"[+-]?[0-9]{1,18}")
BODY_SLACK_BYTES = 1 << 20
MAX_EXACT_INT_DIGITS = 4000  # below Python's default int_max_str_digits (4300)


def max_body_bytes() -> int:
    """Just above the largest valid request: every reference a max-size Base64 image, plus slack."""
    contract = load_contract()
    max_images = int(contract.rule("references-total-max-10").params["max_total"])
    max_decoded = int(contract.rule("reference-image-max-bytes").params["max_bytes"])
    return max_images * 4 * math.ceil(max_decoded / 3) + BODY_SLACK_BYTES


def parse_json_object(raw: bytes | bytearray) -> dict[str, Any]:
    """The body as a JSON object, or 1200 saying why it is not one."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(
            codes.BODY_MALFORMED, f"body is not valid UTF-8 (byte {exc.start})"
        ) from None
    try:
        body = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except ValueError as exc:
        raise ApiError(codes.BODY_MALFORMED, f"body is not valid JSON: {exc}") from None
    except RecursionError:
        raise ApiError(codes.BODY_MALFORMED, "body is not valid JSON: nested too deeply") from None
    if not isinstance(body, dict):
        raise ApiError(codes.BODY_MALFORMED, f"body must be a JSON object, not {_json_type(body)}")
    return body


def validate_create_body(body: Mapping[str, Any]) -> None:
    """Check the body against CreateTaskRequest; 1200 for a missing required field, else 1201."""
    contract = load_contract()
    try:
        quick_yes = contract.fast_validator("CreateTaskRequest").is_valid(body)
    except ValueError:  # a value the Rust validator cannot take (HugeInt): ask jsonschema
        quick_yes = False
    if quick_yes:
        _reject_lone_surrogates(body)
        return
    errors = list(contract.schema_validator("CreateTaskRequest").iter_errors(body))
    for error in errors:
        if error.validator == "required" and not error.absolute_path:
            missing = _missing_property(error)
            raise ApiError(codes.BODY_MALFORMED, f"{missing}: required field is missing")
    error = best_match(errors)
    if error is not None:
        raise ApiError(codes.INVALID_FIELD, describe(error))
    _reject_lone_surrogates(body)


def describe(error: ValidationError) -> str:
    """`field.path: what is wrong`, with long values shortened."""
    path = field_path(error.absolute_path)
    if error.validator == "required":
        return f"{path + '.' if path else ''}{_missing_property(error)}: required field is missing"
    message = error.message
    if len(repr(error.instance)) > MAX_MESSAGE_VALUE:
        message = message.replace(repr(error.instance), _short(error.instance))
    return f"{path or 'body'}: {message}"


def field_path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class PageQuery:
    """pageNum/pageSize parsing and validation against the list_tasks parameter schemas."""

    NAMES = ("pageNum", "pageSize")

    def __init__(self) -> None:
        contract = load_contract()
        self._schemas = {name: contract.query_parameter("list_tasks", name) for name in self.NAMES}
        self._validators = {
            name: Draft202012Validator(dict(schema)) for name, schema in self._schemas.items()
        }

    def parse(self, query: Mapping[str, str]) -> tuple[int, int]:
        values: list[int] = []
        for name in self.NAMES:
            raw = query.get(name)
            if raw is None:
                values.append(int(self._schemas[name]["default"]))
                continue
            if not INTEGER_TEXT.fullmatch(raw):
                raise ApiError(codes.INVALID_FIELD, f"{name}: {_short(raw)} is not an integer")
            value = int(raw)
            error = best_match(self._validators[name].iter_errors(value))
            if error is not None:
                raise ApiError(codes.INVALID_FIELD, f"{name}: {error.message}")
            values.append(value)
        return values[0], values[1]


class HugeInt(int):
    """A JSON integer with more digits than Python converts from text (3.11's int_max_str_digits).

    Its value is 10**MAX_EXACT_INT_DIGITS with the literal's sign: beyond every range in the
    schema, so the field gets a range error (1201) like any other out-of-range number, and still
    convertible to text; messages show it short.
    """

    digits: int

    def __repr__(self) -> str:
        return f"{'-' if self < 0 else ''}<integer of {self.digits} digits>"

    def __str__(self) -> str:
        return repr(self)

    def __format__(self, spec: str) -> str:
        return repr(self) if not spec else int(self).__format__(spec)


def _parse_int(text: str) -> int:
    digits = len(text.lstrip("+-"))
    if digits <= MAX_EXACT_INT_DIGITS:
        return int(text)
    magnitude = 10**MAX_EXACT_INT_DIGITS
    value = HugeInt(-magnitude if text.startswith("-") else magnitude)
    value.digits = digits
    return value


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def _reject_lone_surrogates(body: Mapping[str, Any]) -> None:
    # JSON allows "\ud800" escapes, but a lone surrogate is no Unicode character: the prompt is
    # counted in code points and stored as UTF-8, so such text is an invalid value (1201).
    known = load_contract().schema("CreateTaskRequest")["properties"]
    for path, text in _strings({k: v for k, v in body.items() if k in known}, ""):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ApiError(
                codes.INVALID_FIELD, f"{path}: contains an unpaired UTF-16 surrogate"
            ) from None


def _strings(value: Any, path: str) -> Iterable[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _missing_property(error: ValidationError) -> str:
    """The first required name the instance lacks (read from the error, not its English text)."""
    present = error.instance if isinstance(error.instance, Mapping) else {}
    required = error.validator_value if isinstance(error.validator_value, list) else []
    missing = [name for name in required if name not in present]
    return str(missing[0]) if missing else error.message


def _short(value: Any) -> str:
    text = repr(value)
    if len(text) <= MAX_MESSAGE_VALUE:
        return text
    return f"{text[: MAX_MESSAGE_VALUE - 20]}... ({len(text)} characters)"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"
