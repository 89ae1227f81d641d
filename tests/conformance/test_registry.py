"""Check ids: each proves an x-rules id (or is a Schemathesis phase); the list changes on purpose."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.registry import NEEDS, SUITE_PHASE_IDS, all_checks, select_checks
from omni_spec import load_contract

GOLDEN = Path(__file__).with_name("check_ids.golden")


def test_every_check_id_is_a_rule_or_contract_line() -> None:
    """A registered id is an x-rules id of openapi.yaml or one of SUITE_PHASE_IDS."""
    rules = set(load_contract().rules)
    unknown = [
        c.name for c in all_checks() if c.name not in rules and c.name not in SUITE_PHASE_IDS
    ]
    assert unknown == []


def test_every_x_rule_has_a_check() -> None:
    """No x-rule is left without a check named after it or declaring it in `covers` (the rules
    split off a wider line in revision 2 are asserted inside the check that declares them)."""
    hosted = {line for c in all_checks() for line in (c.name, *c.covers)}
    assert sorted(set(load_contract().rules) - hosted) == []


def test_contract_line_ids_are_all_used_and_not_x_rules() -> None:
    """The documented contract-line list holds no dead entries and shadows no x-rule."""
    checked = {c.name for c in all_checks()}
    assert set(SUITE_PHASE_IDS) <= checked
    assert not set(SUITE_PHASE_IDS) & set(load_contract().rules)


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
