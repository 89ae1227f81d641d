"""The spec is internally sound: refs resolve, examples validate, rule ids are unique and used."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from openapi_spec_validator import validate

from omni_spec import load_contract

KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def walk(node: Any, pointer: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (pointer, node) for every node of the document, depth first."""
    yield pointer, node
    if isinstance(node, dict):
        for key, value in node.items():
            token = str(key).replace("~", "~0").replace("/", "~1")
            yield from walk(value, f"{pointer}/{token}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{pointer}/{index}")


def resolve(pointer: str) -> Any:
    """Follow a local JSON pointer."""
    return load_contract().resolve(pointer)


def example_cases() -> Iterator[tuple[str, str, Any]]:
    """(where, schema pointer, example value) for every example attached to a media type."""
    document = load_contract().document
    for pointer, node in walk(document):
        if not (isinstance(node, dict) and "schema" in node and "examples" in node):
            continue
        schema_ref = node["schema"]["$ref"].lstrip("#")
        for name, example in node["examples"].items():
            body = resolve(example["$ref"].lstrip("#")) if "$ref" in example else example
            yield f"{pointer}/examples/{name}", schema_ref, body["value"]


def test_openapi_spec_validator_accepts_the_spec() -> None:
    """openapi-spec-validator finds no error in openapi.yaml (OpenAPI 3.1)."""
    validate(dict(load_contract().document))


def test_every_ref_resolves() -> None:
    """Every local $ref points at an existing node."""
    refs = [
        n["$ref"] for _, n in walk(load_contract().document) if isinstance(n, dict) and "$ref" in n
    ]
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), ref
        resolve(ref.lstrip("#"))


CASES = list(example_cases())


def test_there_are_examples_for_every_operation() -> None:
    """Each operation has request or response examples, and the element example exists."""
    wheres = " ".join(where for where, _, _ in CASES)
    for operation in ("~1v1~1images~1omni-image/post", "~1v1~1images~1omni-image/get", "{id}/get"):
        assert operation in wheres
    assert "image_generation_with_element" in wheres


@pytest.mark.parametrize(("where", "schema", "value"), CASES, ids=[c[0] for c in CASES])
def test_example_validates_against_its_schema(where: str, schema: str, value: Any) -> None:
    """The example is valid under the schema of its media type."""
    validator = load_contract().validator(schema)
    errors = [e.message for e in validator.iter_errors(value)]
    assert errors == [], where


def test_element_example_uses_image_and_element_references() -> None:
    """The "image generation with element" example names <<<image_1>>> and an element."""
    examples = resolve(
        "/paths/~1v1~1images~1omni-image/post/requestBody/content/application~1json/examples"
    )
    value = examples["image_generation_with_element"]["value"]
    assert "<<<image_1>>>" in value["prompt"] and value["element_list"] and value["image_list"]


def test_rule_ids_are_unique_kebab_case() -> None:
    """x-rules ids are unique and kebab-case, each with a contract text."""
    entries = load_contract().document["x-rules"]
    ids = [entry["id"] for entry in entries]
    assert len(ids) == len(set(ids))
    for entry in entries:
        assert KEBAB.match(entry["id"]), entry["id"]
        assert entry["text"].strip(), entry["id"]


def test_every_x_rule_ids_reference_exists() -> None:
    """Every id listed under an x-rule-ids extension is an x-rules entry."""
    contract = load_contract()
    listed = [
        rule_id
        for _, node in walk(contract.document)
        if isinstance(node, dict) and "x-rule-ids" in node
        for rule_id in node["x-rule-ids"]
    ]
    assert listed
    assert sorted(set(listed) - set(contract.rules)) == []


def test_capability_map_names_only_known_values() -> None:
    """x-capability-map covers every model and names only resolutions of the Resolution enum."""
    contract = load_contract()
    assert set(contract.capabilities) == set(contract.enum("ModelName"))
    for capability in contract.capabilities.values():
        assert set(capability.resolutions) <= set(contract.enum("Resolution"))
