"""Test the tester: against the reference server, zero failures and every check executed."""

from __future__ import annotations

import pytest

from conformance.coverage import declared_coverage
from conformance.lines import OBSERVED
from conformance.registry import all_checks
from conformance.runner import Outcome, run_suite
from omni_spec import load_contract
from reference_server.launcher import RunningServer
from tests.conformance.conftest import full_config


@pytest.mark.slow
def test_reference_server_conforms_with_every_check_executed(
    reference_server: RunningServer,
) -> None:
    """All inputs given: every registered check runs and passes (no fail, error or skip)."""
    result = run_suite(full_config(reference_server.base_url))
    problems = {
        o.name: (o.outcome.value, o.reason[:500])
        for o in result.outcomes
        if o.outcome is not Outcome.PASS
    }
    assert problems == {}
    assert [o.name for o in result.outcomes] == [c.name for c in all_checks()]
    assert result.exit_code == 0
    # Line coverage is real: every accepted/refused side a check declares was taken by a case.
    exercised = {o.name: o.exercised for o in result.outcomes}
    declared = declared_coverage(load_contract(), all_checks())
    unexercised = [
        (line, side, check)
        for line, by_check in declared.items()
        for check, sides in by_check.items()
        for side in sides
        if side != OBSERVED and (line, side) not in exercised[check]
    ]
    assert unexercised == []
    # No silence is ever a finding, only a note naming it.
    assert result.warning_count == 0
    assert any(n.startswith("silence ") for o in result.outcomes for n in o.notes)


def test_missing_optional_inputs_skip_with_reasons(reference_server: RunningServer) -> None:
    """Without the optional inputs, the checks that need them are skipped and say which flag."""
    config = full_config(
        reference_server.base_url,
        api_key=None,
        second_access_key=None,
        second_secret_key=None,
        element_ids=(),
        webhook_secret=None,
        failure_prompt=None,
        only=(
            "auth-api-key",
            "user-isolation",
            "element-id-in-library",
            "callback-signature",
            "failed-has-message",
        ),
    )
    result = run_suite(config)
    reasons = {o.name: o.reason for o in result.outcomes}
    assert all(o.outcome is Outcome.SKIP for o in result.outcomes)
    assert reasons == {
        "auth-api-key": "needs --api-key",
        "failed-has-message": "needs --failure-prompt",
        "element-id-in-library": "needs --element-ids",
        "user-isolation": "needs --second-access-key and --second-secret-key",
        "callback-signature": "needs --webhook-secret",
    }
    assert result.exit_code == 0


def test_same_seed_sends_the_same_requests(reference_server: RunningServer) -> None:
    """Two runs with one seed send identical create bodies (per-run nonce and port masked)."""
    only = (
        "schema-boundaries",
        "reference-image-min-side",
        "reference-image-url",
        "result-image-geometry",
        "external-task-id-unique",
    )
    first = run_suite(full_config(reference_server.base_url, only=only, seed=11))
    second = run_suite(full_config(reference_server.base_url, only=only, seed=11))
    other = run_suite(full_config(reference_server.base_url, only=only, seed=12))
    assert first.exit_code == second.exit_code == other.exit_code == 0
    assert first.run_nonce != second.run_nonce
    assert first.bodies_digest == second.bodies_digest
    assert first.bodies_digest != other.bodies_digest
