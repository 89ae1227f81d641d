"""Load openapi.yaml once and expose its rules, error table, capability map and validators."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import jsonschema_rs
import yaml
from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from omni_spec._extensions import validate_extensions

SPEC_ENV_VAR = "OMNI_SPEC_PATH"
SPEC_URI = "urn:omni-image-kit:openapi"

Standing = Literal["documented", "decided"]


def spec_path() -> Path:
    """Where openapi.yaml is: $OMNI_SPEC_PATH, the repository root, or the copy in the wheel."""
    override = os.environ.get(SPEC_ENV_VAR)
    if override:
        return Path(override)
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir.parent / "openapi.yaml", package_dir / "openapi.yaml"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"openapi.yaml not found next to {package_dir}; set {SPEC_ENV_VAR}")


@dataclass(frozen=True)
class Rule:
    """One `x-rules` entry: a contract line with a stable id, its standing and its source."""

    id: str
    area: str
    text: str
    params: Mapping[str, Any] = field(default_factory=dict)
    standing: Standing = "documented"
    source: str = ""

    @property
    def decided(self) -> bool:
        """Whether the line is our ruling rather than something Kling's pages document."""
        return self.standing == "decided"


@dataclass(frozen=True)
class Silence:
    """One `x-silences` entry: a point nobody rules on, and the side the reference server takes."""

    id: str
    text: str
    reference_server: str


@dataclass(frozen=True)
class ErrorCode:
    """One row of `x-error-codes`: business code, HTTP status and meaning."""

    code: int
    status: int
    meaning: str
    retryable: bool = False


@dataclass(frozen=True)
class Lifecycle:
    """Task statuses in lifecycle order and the terminal ones (rule `task-status-forward-only`)."""

    order: tuple[str, ...]
    terminal: frozenset[str]

    def rank(self, status: str) -> int:
        """Position in the lifecycle; every terminal status shares the first terminal's rank."""
        first_terminal = min(self.order.index(name) for name in self.terminal)
        return min(self.order.index(status), first_terminal)

    def is_forward(self, before: str, after: str) -> bool:
        """Whether a task may be seen in `after` once it was seen in `before` (never back)."""
        if before == after:
            return True
        if before in self.terminal:
            return False
        return self.rank(after) > self.rank(before)


@dataclass(frozen=True)
class Capability:
    """One model's row of `x-capability-map`."""

    model_name: str
    resolutions: tuple[str, ...]
    series: bool
    auto_aspect_ratio_without_reference: bool


class Contract:
    """The parsed spec plus typed views of its extensions and compiled schema validators."""

    def __init__(self, document: Mapping[str, Any], source: Path | None = None) -> None:
        validate_extensions(document, str(source) if source else "openapi.yaml")
        self.document = document
        self.source = source
        self.rules: dict[str, Rule] = {
            entry["id"]: Rule(
                id=entry["id"],
                area=entry["area"],
                text=entry["text"],
                params=entry.get("params", {}),
                standing=cast(Standing, entry["standing"]),
                source=entry["source"],
            )
            for entry in document.get("x-rules", [])
        }
        self.silences: dict[str, Silence] = {
            entry["id"]: Silence(
                id=entry["id"], text=entry["text"], reference_server=entry["reference_server"]
            )
            for entry in document.get("x-silences", [])
        }
        self.error_codes: dict[int, ErrorCode] = {
            int(code): ErrorCode(
                code=int(code),
                status=row["status"],
                meaning=row["meaning"],
                retryable=bool(row.get("retryable", False)),
            )
            for code, row in document.get("x-error-codes", {}).items()
        }
        self.capabilities: dict[str, Capability] = {
            name: Capability(
                model_name=name,
                resolutions=tuple(row["resolutions"]),
                series=bool(row["series"]),
                auto_aspect_ratio_without_reference=bool(
                    row["auto_aspect_ratio_without_reference"]
                ),
            )
            for name, row in document.get("x-capability-map", {}).items()
        }
        resource = Resource.from_contents(dict(document), default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)

    @property
    def lifecycle(self) -> Lifecycle:
        """The task lifecycle, from the `task-status-forward-only` rule's params."""
        params = self.rule("task-status-forward-only").params
        return Lifecycle(order=tuple(params["order"]), terminal=frozenset(params["terminal"]))

    def schema_problems(self, name: str, instance: Any) -> list[str]:
        """`path: message` per way instance breaks `components/schemas/<name>` (empty: valid)."""
        problems = []
        for error in self.schema_validator(name).iter_errors(instance):
            path = "/".join(str(part) for part in error.absolute_path) or "(root)"
            problems.append(f"{path}: {error.message}")
        return sorted(problems)

    def rule(self, rule_id: str) -> Rule:
        """The rule with this id; KeyError names the id when the spec lacks it."""
        try:
            return self.rules[rule_id]
        except KeyError:
            raise KeyError(f"openapi.yaml has no x-rules entry {rule_id!r}") from None

    def silence(self, silence_id: str) -> Silence:
        """The silence with this id; KeyError names the id when the spec lacks it."""
        try:
            return self.silences[silence_id]
        except KeyError:
            raise KeyError(f"openapi.yaml has no x-silences entry {silence_id!r}") from None

    def rules_with_standing(self, standing: Standing) -> tuple[Rule, ...]:
        """The rules of one standing, in spec order."""
        return tuple(rule for rule in self.rules.values() if rule.standing == standing)

    def error_code(self, code: int) -> ErrorCode:
        """The x-error-codes row of a business code; KeyError names the code when it is absent."""
        try:
            return self.error_codes[code]
        except KeyError:
            raise KeyError(f"openapi.yaml has no x-error-codes row {code}") from None

    def resolve(self, pointer: str) -> Any:
        """The node at a local JSON pointer (RFC 6901), e.g. `/components/schemas/Task`."""
        node: Any = self.document
        for token in pointer.lstrip("#").lstrip("/").split("/"):
            key = token.replace("~1", "/").replace("~0", "~")
            node = node[int(key)] if isinstance(node, list) else node[key]
        return node

    def schema(self, name: str) -> Mapping[str, Any]:
        """The raw `components/schemas/<name>` object."""
        schema: Mapping[str, Any] = self.document["components"]["schemas"][name]
        return schema

    def property_default(self, schema_name: str, prop: str) -> Any:
        """The `default` of a property, following one `$ref` if the property is a reference."""
        prop_schema = self.schema(schema_name)["properties"][prop]
        if "$ref" in prop_schema:
            prop_schema = self.schema(prop_schema["$ref"].rsplit("/", 1)[-1])
        return prop_schema.get("default")

    def enum(self, schema_name: str) -> tuple[str, ...]:
        """The `enum` values of a named schema, in spec order."""
        return tuple(self.schema(schema_name)["enum"])

    @functools.cache  # noqa: B019 - one Contract per process, validators are meant to live as long
    def validator(self, pointer: str) -> Validator:
        """A compiled validator for the schema at a JSON pointer (`/components/schemas/Task`)."""
        schema = {"$ref": f"{SPEC_URI}#{pointer}"}
        # No format checker: formats are annotations in Draft 2020-12, and fast_validator must
        # answer the same question (what a format means is stated by a pattern where it matters).
        validator: Validator = Draft202012Validator(schema, registry=self._registry)
        return validator

    @functools.cache  # noqa: B019 - see validator()
    def fast_validator(self, name: str) -> jsonschema_rs.Draft202012Validator:
        """A compiled Rust validator for `components/schemas/<name>`: a quick yes/no on hot paths.

        It answers the same question as `schema_validator(name)` (formats are annotations in both,
        as Draft 2020-12 says); use `schema_validator` for the error details once it says no.
        """
        root = {"$ref": f"#/components/schemas/{name}", "components": self.document["components"]}
        return jsonschema_rs.Draft202012Validator(root, validate_formats=False)

    def schema_validator(self, name: str) -> Validator:
        """A compiled validator for `components/schemas/<name>`."""
        return self.validator(f"/components/schemas/{name}")

    def operation(self, operation_id: str) -> tuple[str, str, Mapping[str, Any]]:
        """(method, path, operation object) of the operation with this operationId."""
        for path, item in self.document["paths"].items():
            for method, operation in item.items():
                if isinstance(operation, Mapping) and operation.get("operationId") == operation_id:
                    return method.upper(), path, operation
        raise KeyError(f"openapi.yaml has no operation {operation_id!r}")

    def query_parameter(self, operation_id: str, name: str) -> Mapping[str, Any]:
        """The schema of one query parameter of an operation."""
        _, _, operation = self.operation(operation_id)
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] == name:
                schema: Mapping[str, Any] = parameter["schema"]
                return schema
        raise KeyError(f"{operation_id} has no query parameter {name!r}")


@functools.cache
def load_contract(path: str | None = None) -> Contract:
    """Parse openapi.yaml (or the file at path) once per process."""
    source = Path(path) if path else spec_path()
    with source.open(encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    return Contract(document, source)
