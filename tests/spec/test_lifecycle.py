"""omni_spec.Lifecycle says which status changes are forward (rule task-status-forward-only)."""

from __future__ import annotations

import pytest

from omni_spec import load_contract

FORWARD = [
    ("submitted", "submitted"),
    ("submitted", "processing"),
    ("submitted", "succeed"),
    ("submitted", "failed"),
    ("processing", "succeed"),
    ("processing", "failed"),
    ("succeed", "succeed"),
]
BACKWARD = [
    ("processing", "submitted"),
    ("succeed", "processing"),
    ("succeed", "failed"),
    ("failed", "succeed"),
    ("failed", "submitted"),
]


@pytest.mark.parametrize(("before", "after"), FORWARD)
def test_forward_change_is_allowed(before: str, after: str) -> None:
    """Moving along the lifecycle (or staying) is forward."""
    assert load_contract().lifecycle.is_forward(before, after)


@pytest.mark.parametrize(("before", "after"), BACKWARD)
def test_backward_or_terminal_to_terminal_change_is_refused(before: str, after: str) -> None:
    """Going back, or from one terminal status to another, is not forward."""
    assert not load_contract().lifecycle.is_forward(before, after)


def test_schema_problems_names_each_broken_field() -> None:
    """schema_problems gives one `path: message` line per broken field, empty when valid."""
    contract = load_contract()
    assert contract.schema_problems("CreateTaskRequest", {"prompt": "x"}) == []
    problems = contract.schema_problems("CreateTaskRequest", {"prompt": None, "n": 0})
    assert [line.split(":")[0] for line in problems] == ["n", "prompt"]
