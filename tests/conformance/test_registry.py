"""Check ids: each proves an x-rules id or a documented contract line; the list changes on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.registry import CONTRACT_LINE_IDS, NEEDS, all_checks, select_checks
from omni_spec import load_contract

GOLDEN = Path(__file__).with_name("check_ids.golden")

# x-rules lines split off a wider rule in revision 2 of the contract (a decided part of a
# documented line, or a new documented line): no check is named after them; each is asserted
# inside the check named here, which must exist.
HOSTED_RULES: dict[str, str] = {
    "body-error-code-split": "body-json-object",
    "body-json-schema-types": "body-json-object",
    "prompt-length-code-points": "schema-boundaries",
    "prompt-other-markup-plain-text": "prompt-reference-in-range",
    "create-answer-fields": "envelope",
    "create-answer-extra-fields-typed": "envelope",
    "task-lookup-task-id-wins": "task-lookup-by-either-id",
    "user-isolation-not-found-code": "user-isolation",
    "list-order-ties": "list-newest-first",
    "method-checked-before-auth": "method-not-supported",
    "auth-empty-header-is-missing": "auth-codes",
    "auth-other-scheme-is-invalid": "auth-codes",
    "auth-bearer-case-insensitive": "auth-codes",
    "auth-clock-skew": "auth-codes",
    "envelope-error-has-no-data": "envelope",
    "final-balance-deduction-shape": "envelope",
    "task-unknown-fields-ignored": "envelope",
    "callback-documented-body": "callback-body-equals-task",
    "callback-signature-secret-key": "callback-signature",
    "callback-signature-rotation": "callback-signature",
    "callback-timestamp-window": "callback-signature",
}


def test_every_check_id_is_a_rule_or_contract_line() -> None:
    """A registered id is an x-rules id of openapi.yaml or one of CONTRACT_LINE_IDS."""
    rules = set(load_contract().rules)
    unknown = [
        c.name for c in all_checks() if c.name not in rules and c.name not in CONTRACT_LINE_IDS
    ]
    assert unknown == []


def test_every_x_rule_has_a_check() -> None:
    """No x-rule of the spec is left without a conformance check named after it or hosting it."""
    checked = {c.name for c in all_checks()}
    assert sorted(set(load_contract().rules) - checked - set(HOSTED_RULES)) == []
    assert sorted(set(HOSTED_RULES.values()) - checked) == []
    assert sorted(set(HOSTED_RULES) - set(load_contract().rules)) == []


def test_contract_line_ids_are_all_used_and_not_x_rules() -> None:
    """The documented contract-line list holds no dead entries and shadows no x-rule."""
    checked = {c.name for c in all_checks()}
    assert set(CONTRACT_LINE_IDS) <= checked
    assert not set(CONTRACT_LINE_IDS) & set(load_contract().rules)


def test_check_ids_match_golden_file() -> None:
    """The list of checks changes only on purpose (update check_ids.golden with it)."""
    assert [c.name for c in all_checks()] == GOLDEN.read_text(encoding="utf-8").split()


def test_needs_are_known_and_checks_documented() -> None:
    """Each check names known optional inputs and has a one-line description."""
    for check in all_checks():
        assert set(check.needs) <= set(NEEDS), check.name
        assert check.description, check.name


def test_select_only_skip_and_unknown() -> None:
    """--only keeps, --skip drops, and an unknown id is refused with the known list."""
    assert [c.name for c in select_checks(("envelope", "auth-codes"), ())] == [
        "auth-codes",
        "envelope",
    ]
    assert "envelope" not in [c.name for c in select_checks((), ("envelope",))]
    with pytest.raises(ValueError, match="no-such-rule"):
        select_checks(("no-such-rule",), ())
