"""No check rests on a silence: check ids, declared lines and every rule an assertion names are
x-rules ids, never x-silences ids; every silence a case notes exists; Schemathesis findings map to
x-rules ids."""

from __future__ import annotations

import ast
from pathlib import Path

import conformance
from conformance.registry import SUITE_PHASE_IDS, all_checks
from conformance.schemathesis_lines import (
    FIXED_RULES,
    INVALID_REQUEST_RULES,
    REFUSED_ONLY_BY_RULES,
    VALID_REQUEST_RULES,
    line_of,
)
from omni_spec import load_contract

PACKAGE = Path(conformance.__file__).parent
SILENCE_CALLS = {"silent_case", "note_silence", "observe_silence"}


def _string_arguments() -> tuple[set[str], set[str]]:
    """(every `rule=` string literal, every silence id literal of a silence call) in the suite."""
    rules: set[str] = set()
    silences: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg == "rule" and isinstance(keyword.value, ast.Constant):
                    rules.add(str(keyword.value.value))
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in SILENCE_CALLS:
                literals = [a.value for a in node.args if isinstance(a, ast.Constant)]
                silences.update(str(v) for v in literals if str(v) in _all_ids())
    return rules, silences


def _all_ids() -> set[str]:
    contract = load_contract()
    return set(contract.rules) | set(contract.silences)


def test_check_ids_are_x_rules_ids_and_never_silences() -> None:
    """Every check id is an x-rules id (or a Schemathesis phase) and no x-silences id."""
    contract = load_contract()
    names = {c.name for c in all_checks()}
    assert names & set(contract.silences) == set()
    assert sorted(names - set(contract.rules) - set(SUITE_PHASE_IDS)) == []


def test_declared_lines_never_target_a_silence() -> None:
    """No check declares a silence among the lines it covers."""
    silences = set(load_contract().silences)
    assert [(c.name, line) for c in all_checks() for line in c.covers if line in silences] == []


def test_every_rule_an_assertion_names_is_an_x_rule() -> None:
    """Each `rule=` literal in the suite is an x-rules id, none a silence (found by AST)."""
    contract = load_contract()
    rules, _ = _string_arguments()
    assert rules, "the scan found no rule= arguments"
    assert sorted(rules - set(contract.rules)) == []
    assert rules & set(contract.silences) == set()


def test_silence_notes_name_known_silences_and_cover_the_table() -> None:
    """The suite notes the server's side of silences by their x-silences ids only."""
    contract = load_contract()
    _, noted = _string_arguments()
    assert noted <= set(contract.silences)
    expected = {
        "whitespace-only-prompt",
        "text-only-series",
        "watermark-info-without-enabled",
        "prompt-reference-two-brackets",
        "prompt-reference-index-zero",
        "reference-image-truncated-or-bomb",
        "lone-surrogates-and-nul",
        "task-times-monotonic",
    }
    assert expected <= noted


def test_schemathesis_findings_map_to_x_rules() -> None:
    """Every line a Schemathesis finding can name is an x-rules id; unknown checks are refused."""
    rules = set(load_contract().rules)
    tables = [FIXED_RULES, VALID_REQUEST_RULES, INVALID_REQUEST_RULES, REFUSED_ONLY_BY_RULES]
    assert {line for table in tables for line in table.values()} <= rules
    assert line_of("negative_data_rejection", "GET /v1/images/omni-image", negative=True) == (
        "list-paging-parameters"
    )
    body = {"code": 0, "message": "m", "request_id": "r", "data": {"task_id": "t"}}
    schema_line = line_of(
        "response_schema_conformance",
        "POST /v1/images/omni-image",
        negative=False,
        contract=load_contract(),
        status=200,
        body=body,
    )
    assert schema_line == "create-answer-fields"
    try:
        line_of("brand_new_check", "GET /v1/images/omni-image", negative=False)
    except LookupError:
        return
    raise AssertionError("an unknown Schemathesis check must not be mapped to a line")
