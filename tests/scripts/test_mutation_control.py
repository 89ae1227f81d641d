"""The unmutated control passes only when no check failed and none ended in an error."""

from __future__ import annotations

import pytest

from scripts.run_mutation_catalogue import MutantRun


@pytest.mark.parametrize(
    ("caught_by", "errors", "passes"),
    [([], [], True), (["auth-codes"], [], False), ([], ["stateful"], False)],
)
def test_control_fails_on_any_failed_or_errored_check(
    caught_by: list[str], errors: list[str], passes: bool
) -> None:
    """A check ending in Outcome.ERROR fails the control just as a failed check does."""
    control = MutantRun("control", "", "", "unmutated", caught_by=caught_by, errors=errors)
    assert control.passed_as_control is passes


def test_problems_name_failed_and_errored_checks() -> None:
    """The report line names failed checks and marks errored ones."""
    control = MutantRun("control", "", "", "unmutated", caught_by=["a"], errors=["b"])
    assert control.problems() == "a, b (error)"
