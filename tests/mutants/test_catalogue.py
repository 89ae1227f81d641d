"""Each planted deviation is caught by the check named after the contract line it breaks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.registry import all_checks
from conformance.runner import Outcome, SuiteResult, run_suite
from reference_server.launcher import RunningServer
from tests.mutants.catalogue import CATALOGUE, CONTROL, MUTANTS
from tests.mutants.launch import start_mutant_server, suite_config
from tests.mutants.mutant import AREAS, Mutant

# Small budgets keep the catalogue within a few minutes on 2 cores (pytest -n 2).
FAST = {"seed": 20261126, "max_examples": 5, "task_timeout": 10.0}
CALLBACK_RULES = {
    "callback-terminal-delivered",
    "callback-lifecycle-order",
    "callback-retry-non-2xx",
    "callback-signature",
    "callback-body-equals-task",
}


def run_targeted(server: RunningServer, rules: tuple[str, ...]) -> SuiteResult:
    """The suite restricted to `rules`, with the test budgets."""
    return run_suite(suite_config(server.base_url, only=rules, **FAST))


@pytest.fixture(scope="module")
def control_server() -> Iterator[RunningServer]:
    """The unmutated reference server, started through the mutant runner."""
    with start_mutant_server(CONTROL) as server:
        yield server


def test_catalogue_size_and_ids() -> None:
    """At least 40 mutants with unique ids, each targeting a registered check id."""
    registered = {check.name for check in all_checks()}
    assert len(CATALOGUE) >= 40
    assert len(MUTANTS) == len(CATALOGUE)
    assert CONTROL not in MUTANTS
    unknown = sorted({m.rule_id for m in CATALOGUE} - registered)
    assert not unknown, f"rule ids that are no check: {unknown}"


def test_catalogue_covers_every_area() -> None:
    """Every contract area has a mutant, and every callback rule (order, retry, ...) has one."""
    assert {m.area for m in CATALOGUE} == set(AREAS)
    assert {m.rule_id for m in CATALOGUE} >= CALLBACK_RULES


def test_control_passes_every_targeted_check(control_server: RunningServer) -> None:
    """Unmutated, every check the catalogue targets passes (no check fails for another reason)."""
    rules = tuple(sorted({m.rule_id for m in CATALOGUE}))
    result = run_targeted(control_server, rules)
    bad = {o.name: f"{o.outcome}: {o.reason[:300]}" for o in result.outcomes if o.outcome != "pass"}
    assert not bad
    assert {o.name for o in result.outcomes} == set(rules)


@pytest.mark.parametrize("mutant", CATALOGUE, ids=[m.id for m in CATALOGUE])
def test_mutant_is_detected_by_its_rule(mutant: Mutant) -> None:
    """The check named after the broken rule fails (not errors, not skips) against the mutant."""
    with start_mutant_server(mutant.id) as server:
        result = run_targeted(server, (mutant.rule_id,))
    outcome = result.outcome(mutant.rule_id)
    assert outcome.outcome is Outcome.FAIL, f"{outcome.outcome}: {outcome.reason}"
    assert outcome.violation is not None and outcome.violation.check == mutant.rule_id
