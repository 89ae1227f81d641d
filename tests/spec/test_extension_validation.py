"""Loading a spec whose x- extensions are malformed fails at once, naming the offending entry."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from omni_spec import Contract, SpecExtensionError, load_contract


def small_spec() -> dict[str, Any]:
    """A minimal well-formed document: one rule with params, one silence, one code, one model."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {"x-rule-ids": ["references-total-max-10"], "responses": {}}}},
        "components": {"schemas": {}},
        "x-error-codes": {"1201": {"status": 400, "meaning": "invalid parameter"}},
        "x-capability-map": {
            "m": {
                "resolutions": ["1k"],
                "series": False,
                "auto_aspect_ratio_without_reference": True,
            }
        },
        "x-rules": [
            {
                "id": "references-total-max-10",
                "area": "request",
                "standing": "documented",
                "source": "Kling API: Omni-Image",
                "text": "at most 10",
                "params": {"max_total": 10},
            },
            {
                "id": "body-json-schema-types",
                "area": "request",
                "standing": "decided",
                "source": "contract: Create body [decided]",
                "text": "null is a wrong type",
                "params": {"invalid_field_code": 1201},
            },
        ],
        "x-silences": [{"id": "some-silence", "text": "open point", "reference_server": "accepts"}],
    }


def load_error(document: dict[str, Any]) -> str:
    """The SpecExtensionError message raised when the document is loaded."""
    with pytest.raises(SpecExtensionError) as caught:
        Contract(document)
    return str(caught.value)


def test_the_small_spec_loads_with_typed_rules_and_silences() -> None:
    """A well-formed document loads; standing, source and silences are typed."""
    contract = Contract(small_spec())
    assert contract.rule("references-total-max-10").source == "Kling API: Omni-Image"
    assert contract.rule("body-json-schema-types").decided
    assert contract.silence("some-silence").reference_server == "accepts"


def test_the_repository_spec_is_well_formed() -> None:
    """openapi.yaml itself passes the extension validation (load_contract did not raise)."""
    assert load_contract().rules and load_contract().silences


def _misspell_param(doc: dict[str, Any]) -> None:
    doc["x-rules"][0]["params"] = {"max_totl": 10}


def _drop_param(doc: dict[str, Any]) -> None:
    doc["x-rules"][0]["params"] = {}


def _params_on_a_rule_without_any(doc: dict[str, Any]) -> None:
    doc["x-rules"].append({**doc["x-rules"][0], "id": "auth-api-key", "area": "auth"})


def _bad_standing(doc: dict[str, Any]) -> None:
    doc["x-rules"][0]["standing"] = "silent"


def _documented_from_the_contract(doc: dict[str, Any]) -> None:
    doc["x-rules"][0]["source"] = "contract: Create body [decided]"


def _decided_from_a_kling_page(doc: dict[str, Any]) -> None:
    doc["x-rules"][1]["source"] = "Kling API: Omni-Image"


def _missing_source(doc: dict[str, Any]) -> None:
    del doc["x-rules"][0]["source"]


def _unknown_rule_id(doc: dict[str, Any]) -> None:
    doc["paths"]["/x"]["get"]["x-rule-ids"] = ["references-total-max-11"]


def _unknown_code_in_params(doc: dict[str, Any]) -> None:
    doc["x-rules"][1]["params"] = {"invalid_field_code": 1299}


def _duplicate_rule(doc: dict[str, Any]) -> None:
    doc["x-rules"].append(copy.deepcopy(doc["x-rules"][0]))


def _silence_without_side(doc: dict[str, Any]) -> None:
    del doc["x-silences"][0]["reference_server"]


def _silence_named_like_a_rule(doc: dict[str, Any]) -> None:
    doc["x-silences"][0]["id"] = "references-total-max-10"


def _error_code_typo(doc: dict[str, Any]) -> None:
    doc["x-error-codes"]["1201"] = {"status": 400, "meaning": "m", "retriable": True}


def _capability_typo(doc: dict[str, Any]) -> None:
    doc["x-capability-map"]["m"]["resolution"] = ["1k"]


BREAKAGES: list[tuple[Callable[[dict[str, Any]], None], list[str]]] = [
    (_misspell_param, ["x-rules[0] ('references-total-max-10').params", "'max_totl'"]),
    (_drop_param, ["x-rules[0] ('references-total-max-10').params", "'max_total'"]),
    (_params_on_a_rule_without_any, ["('auth-api-key').params", "'max_total'"]),
    (_bad_standing, ["x-rules[0] ('references-total-max-10')['standing']", "'silent'"]),
    (_documented_from_the_contract, ["x-rules[0]", "['source']", "Kling API"]),
    (_decided_from_a_kling_page, ["x-rules[1] ('body-json-schema-types')['source']"]),
    (_missing_source, ["x-rules[0]", "'source' is a required property"]),
    (_unknown_rule_id, ["/paths/~1x/get/x-rule-ids", "'references-total-max-11'"]),
    (_unknown_code_in_params, ["['invalid_field_code']", "1299 is not a code of x-error-codes"]),
    (_duplicate_rule, ["x-rules[2] ('references-total-max-10'): id used twice"]),
    (_silence_without_side, ["x-silences[0] ('some-silence')", "'reference_server'"]),
    (_silence_named_like_a_rule, ["x-silences[0]", "also an x-rules id"]),
    (_error_code_typo, ["x-error-codes['1201']", "'retriable'"]),
    (_capability_typo, ["x-capability-map['m']", "'resolution'"]),
]


@pytest.mark.parametrize(
    ("breakage", "expected"), BREAKAGES, ids=[b.__name__.lstrip("_") for b, _ in BREAKAGES]
)
def test_malformed_extension_fails_naming_the_entry(
    breakage: Callable[[dict[str, Any]], None], expected: list[str]
) -> None:
    """The load error names the entry (list index and id) and the offending key or value."""
    document = small_spec()
    breakage(document)
    message = load_error(document)
    for fragment in expected:
        assert fragment in message, message
