"""The contract's lines, as the suite's line coverage counts them, read from the spec.

A line is one of:
- an `x-rules` entry (its id, standing and text come from the spec);
- a line the schema states for a request: every range (`minimum`/`maximum`/`minLength`/
  `maxLength`), every `enum` and every `pattern` reachable from `CreateTaskRequest` or an
  operation's parameters (`range:Prompt`, `enum:AspectRatio`, `range:ImageReference.image` which is
  "each image non-empty", `range:list_tasks.pageSize`), and the auth header's form (`auth-header`);
  its standing is that of the `x-rules` entry the schema line belongs to;
- a row of the error table (`error:1201`), documented.

Each line has the *sides* a case can take: `accepted` (a request the line allows), `refused` (one
it forbids) or `observed` (a behaviour with no request boundary, e.g. list order). A line with a
boundary needs a case on both sides. Lines no black-box check can reach carry the reason.

>>> lines = contract_lines(load_contract())
>>> lines["range:CreateTaskRequest.n"].sides
('accepted', 'refused')
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from omni_spec import Contract, load_contract

ACCEPTED = "accepted"
REFUSED = "refused"
OBSERVED = "observed"
SIDES = (ACCEPTED, REFUSED, OBSERVED)
BOTH = (ACCEPTED, REFUSED)

CREATE_BODY = "CreateTaskRequest"
AUTH_HEADER = "auth-header"
# The x-rules entry each kind of schema line belongs to (its standing is the line's).
SCHEMA_LINE_RULES = {
    CREATE_BODY: "schema-boundaries",
    "list_tasks": "list-paging-parameters",
    "get_task": "task-lookup-by-either-id",
    AUTH_HEADER: "auth-codes",
}
RANGE_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
LENGTH_KEYWORDS = ("minLength", "maxLength", "minItems", "maxItems")

# The sides of the request and auth lines (a request is accepted or refused); every `x-rules` id of
# those areas must be listed here (tests/conformance/test_line_coverage.py), other areas are
# observed behaviour. One side only where the line has no boundary to cross: which code a refusal
# carries, what is ignored, what is accepted.
REQUEST_LINE_SIDES: dict[str, tuple[str, ...]] = {
    "body-json-object": BOTH,
    "body-error-code-split": (REFUSED,),
    "body-json-schema-types": BOTH,
    "schema-boundaries": BOTH,
    "prompt-length-code-points": BOTH,
    "schema-defaults": (OBSERVED,),
    "unknown-fields-ignored": (ACCEPTED,),
    "range-applies-without-effect": BOTH,
    "references-total-max-10": BOTH,
    "reference-image-base64": BOTH,
    "reference-image-url": BOTH,
    "reference-image-format": BOTH,
    "reference-image-max-bytes": BOTH,
    "reference-image-min-side": BOTH,
    "reference-image-aspect-ratio": BOTH,
    "prompt-reference-in-range": BOTH,
    "prompt-other-markup-plain-text": (ACCEPTED,),
    "element-id-in-library": BOTH,
    "capability-model-resolution": BOTH,
    "capability-model-series": BOTH,
    "capability-auto-ratio-needs-reference": BOTH,
    "external-task-id-unique": BOTH,
    "create-answer-fields": (OBSERVED,),
    "create-answer-extra-fields-typed": (OBSERVED,),
    "auth-codes": BOTH,
    "auth-empty-header-is-missing": (REFUSED,),
    "auth-other-scheme-is-invalid": (REFUSED,),
    "auth-bearer-case-insensitive": (ACCEPTED,),
    "auth-clock-skew": (OBSERVED,),
    "auth-api-key": BOTH,
}
REQUEST_AREAS = frozenset({"request", "auth"})

# Why no black-box case can reach a line (shown in the coverage table instead of a case).
UNREACHABLE: dict[str, str] = {
    "error:1000": "'other authentication failure' is whatever a server counts as other: no "
    "request is sure to provoke it",
    "error:1100": "account state (not usable) is set by the provider, not by a request",
    "error:1101": "account state (arrears) is set by billing, not by a request",
    "error:1102": "an exhausted resource pack is account state, not a request",
    "error:1103": "permissions are account configuration, not a request",
    "error:1300": "content policy is the provider's own; no request is known to trip it on every "
    "server",
    "error:1301": "content policy on results is the provider's own and depends on the result",
    "error:1302": "provoking a rate limit means flooding a server that bills per image",
    "error:1303": "provoking the concurrency limit means many paid tasks at once",
    "error:1304": "the IP whitelist is account configuration",
    "error:5000": "a server error is the server's own failure, not something a request causes",
    "error:5001": "maintenance is the provider's state",
    "error:5002": "a backlog timeout depends on the provider's load",
    "range:get_task.id": "an empty id turns the path into the list path, so only non-empty ids "
    "can be sent",
}


@dataclass(frozen=True)
class ContractLine:
    """One line of the contract the coverage table counts."""

    id: str
    kind: str  # rule, schema or error
    standing: str
    text: str
    sides: tuple[str, ...]
    rule: str  # the x-rules id a failure on this line names
    unreachable: str = ""


def _schema_lines(contract: Contract) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
    """(line id, owner, text, sides) for every range, enum and pattern a request can break."""
    seen: set[str] = set()

    def walk(node: Mapping[str, Any], name: str, owner: str) -> Iterator[tuple[str, str, str]]:
        if "$ref" in node:
            target = node["$ref"].rsplit("/", 1)[-1]
            if target not in seen:
                seen.add(target)
                yield from walk(contract.schema(target), target, owner)
            return
        bounds = {k: node[k] for k in (*RANGE_KEYWORDS, *LENGTH_KEYWORDS) if k in node}
        if bounds:
            yield f"range:{name}", owner, ", ".join(f"{k} {v}" for k, v in bounds.items())
        if "enum" in node:
            yield f"enum:{name}", owner, "one of " + ", ".join(str(v) for v in node["enum"])
        if "pattern" in node:
            yield f"pattern:{name}", owner, f"matches {node['pattern']}"
        for branch in node.get("oneOf", []):
            yield from walk(branch, name, owner)
        for prop, sub in node.get("properties", {}).items():
            yield from walk(sub, f"{name}.{prop}", owner)
        if isinstance(node.get("items"), Mapping):
            yield from walk(node["items"], name, owner)

    found: dict[str, tuple[str, list[str]]] = {}
    for line, owner, text in walk(contract.schema(CREATE_BODY), CREATE_BODY, CREATE_BODY):
        found.setdefault(line, (owner, []))[1].append(text)
    for operation_id in ("list_tasks", "get_task"):
        _, _, operation = contract.operation(operation_id)
        for parameter in operation.get("parameters", []):
            name = f"{operation_id}.{parameter['name']}"
            for line, owner, text in walk(parameter["schema"], name, operation_id):
                found.setdefault(line, (owner, []))[1].append(text)
    for line, (owner, texts) in found.items():
        yield line, owner, "; ".join(texts), BOTH


def _auth_header_text(contract: Contract) -> str:
    schemes = contract.document["components"]["securitySchemes"]
    scheme = next(iter(schemes.values()))
    return f"Authorization: {scheme['scheme'].capitalize()} <token> ({scheme['type']} scheme)"


def contract_lines(contract: Contract) -> dict[str, ContractLine]:
    """Every line of the contract the coverage table counts, in spec order."""
    lines: dict[str, ContractLine] = {}
    for rule in contract.rules.values():
        sides = REQUEST_LINE_SIDES.get(rule.id, (OBSERVED,))
        lines[rule.id] = ContractLine(rule.id, "rule", rule.standing, rule.text, sides, rule.id)
    owners = [*_schema_lines(contract)]
    owners.append((AUTH_HEADER, AUTH_HEADER, _auth_header_text(contract), BOTH))
    for line_id, owner, text, sides in owners:
        owning_rule = SCHEMA_LINE_RULES[owner]
        lines[line_id] = ContractLine(
            line_id,
            "schema",
            contract.rule(owning_rule).standing,
            text,
            sides,
            owning_rule,
            UNREACHABLE.get(line_id, ""),
        )
    for code, row in contract.error_codes.items():
        line_id = f"error:{code}"
        lines[line_id] = ContractLine(
            line_id,
            "error",
            "documented",
            f"HTTP {row.status}, code {code}: {row.meaning}",
            (OBSERVED,),
            "",
            UNREACHABLE.get(line_id, ""),
        )
    return lines


def error_line(code: int) -> str:
    """The line id of an error-table row."""
    return f"error:{code}"


if __name__ == "__main__":  # pragma: no cover - a quick listing
    for entry in contract_lines(load_contract()).values():
        print(entry.id, entry.standing, entry.sides, entry.unreachable or entry.text[:60])
