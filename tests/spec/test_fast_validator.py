"""The Rust fast-path validator answers exactly as the jsonschema validator does."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from omni_spec import load_contract

FIELDS = [*load_contract().schema("CreateTaskRequest")["properties"], "unknown_field"]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["", "auto", "1k", "4k", "series", "16:9", "data:x", "http://127.0.0.1/a"]),
    st.text(max_size=30),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["image", "element_id", "enabled", "x"]), inner, max_size=3
        ),
    ),
    max_leaves=8,
)
bodies = st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6)


@settings(max_examples=400, deadline=None)
@given(body=bodies)
def test_fast_validator_agrees_with_jsonschema(body: dict[str, Any]) -> None:
    """fast_validator(...).is_valid matches an empty iter_errors for any JSON body."""
    contract = load_contract()
    slow_says_valid = not list(contract.schema_validator("CreateTaskRequest").iter_errors(body))
    assert contract.fast_validator("CreateTaskRequest").is_valid(body) == slow_says_valid


@settings(max_examples=200, deadline=None)
@given(prompt=st.text(min_size=0, max_size=2600), n=st.integers(-2, 12))
def test_fast_validator_agrees_on_lengths_and_ranges(prompt: str, n: int) -> None:
    """Both validators count prompt length in code points and share the n bounds."""
    contract = load_contract()
    body: dict[str, Any] = {"prompt": prompt, "n": n}
    slow_says_valid = not list(contract.schema_validator("CreateTaskRequest").iter_errors(body))
    assert contract.fast_validator("CreateTaskRequest").is_valid(body) == slow_says_valid
