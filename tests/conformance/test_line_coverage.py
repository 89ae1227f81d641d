"""Line coverage: every documented or decided line has a case on each side of its boundary, the
committed table is current, and the declared sides are what a real run exercises."""

from __future__ import annotations

import dataclasses

from conformance.coverage import (
    TABLE_PATH,
    coverage_gaps,
    declared_coverage,
    main,
    render_table,
    repository_root,
)
from conformance.lines import REQUEST_AREAS, REQUEST_LINE_SIDES, UNREACHABLE, contract_lines
from conformance.registry import all_checks
from omni_spec import load_contract


def test_no_line_without_a_case() -> None:
    """Each reachable line has cases on every side it needs (the check CI fails on)."""
    contract = load_contract()
    assert coverage_gaps(contract_lines(contract), declared_coverage(contract, all_checks())) == []


def test_a_missing_side_is_reported() -> None:
    """Without the check testing n's range, that line is reported as having no case."""
    contract = load_contract()
    checks = [c for c in all_checks() if c.name != "schema-boundaries"]
    gaps = coverage_gaps(contract_lines(contract), declared_coverage(contract, checks))
    assert "range:CreateTaskRequest.n: no case on the accepted and refused side" in gaps
    one_sided = [
        dataclasses.replace(c, covers={**c.covers, "range:CreateTaskRequest.n": ("accepted",)})
        if c.name == "schema-boundaries"
        else c
        for c in all_checks()
    ]
    gaps = coverage_gaps(contract_lines(contract), declared_coverage(contract, one_sided))
    assert gaps == ["range:CreateTaskRequest.n: no case on the refused side"]


def test_committed_table_is_current() -> None:
    """docs/line-coverage.md is what the spec and the checks render (make check-coverage)."""
    committed = (repository_root() / TABLE_PATH).read_text(encoding="utf-8")
    assert committed == render_table(load_contract(), all_checks())
    assert main(["--check"]) == 0


def test_every_request_line_has_its_sides_decided() -> None:
    """Each request/auth x-rule has its sides listed (a new rule forces a decision)."""
    contract = load_contract()
    request_rules = {r.id for r in contract.rules.values() if r.area in REQUEST_AREAS}
    assert sorted(request_rules - set(REQUEST_LINE_SIDES)) == []
    assert sorted(set(REQUEST_LINE_SIDES) - set(contract.rules)) == []


def test_unreachable_lines_exist_and_say_why() -> None:
    """Every unreachable entry names a real line and a reason; error codes a request provokes
    are reachable."""
    lines = contract_lines(load_contract())
    assert sorted(set(UNREACHABLE) - set(lines)) == []
    assert all(reason.strip() for reason in UNREACHABLE.values())
    for code in (1001, 1002, 1003, 1004, 1200, 1201, 1202, 1203):
        assert not lines[f"error:{code}"].unreachable


def test_schema_lines_come_from_the_spec() -> None:
    """Ranges, enums, patterns and the auth header are enumerated from openapi.yaml."""
    lines = contract_lines(load_contract())
    for line in (
        "range:Prompt",
        "range:ImageReference.image",
        "enum:AspectRatio",
        "range:list_tasks.pageSize",
        "pattern:CreateTaskRequest.callback_url",
        "auth-header",
    ):
        assert lines[line].sides == ("accepted", "refused"), line
