"""Checks registered by name: the `x-rules` id they prove (or a Schemathesis phase of the suite).

A check also declares the other contract lines (conformance.lines) its cases test, and on which
side: the line coverage table (docs/line-coverage.md) is rendered from these declarations, and a
full run against the reference server proves each declared side is really exercised.

>>> @conformance_check(  # doctest: +SKIP
...     "references-total-max-10", covers={"range:CreateTaskRequest.n": BOTH}
... )
... def check_reference_total(ctx: CheckContext) -> None: ...
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.context import CheckContext

CheckFunction = Callable[["CheckContext"], None]

# Check ids that are no `x-rules` entry: the phases of the suite itself, whose every finding names
# the x-rules id it breaks (conformance.schemathesis_lines). A unit test asserts every registered id
# is here or in x-rules, and none is an x-silences id.
SUITE_PHASE_IDS: dict[str, str] = {
    "schemathesis-examples": "Schemathesis examples phase: the spec's examples against the server.",
    "schemathesis-coverage": "Schemathesis coverage phase: boundary and negative values.",
    "schemathesis-fuzzing": "Schemathesis fuzzing phase: random valid and invalid requests.",
    "schemathesis-stateful": "Schemathesis stateful phase: create_task -> get_task via links.",
}

# Optional inputs a check may need, and the option that provides each (for skip reasons).
NEEDS: dict[str, str] = {
    "api_key": "--api-key",
    "second_user": "--second-access-key and --second-secret-key",
    "element_ids": "--element-ids",
    "webhook_secret": "--webhook-secret",
    "failure_prompt": "--failure-prompt",
}


@dataclass(frozen=True)
class CheckSpec:
    """One registered check: its rule id, the function, its topic and the optional inputs it
    needs."""

    name: str
    function: CheckFunction
    topic: str
    needs: tuple[str, ...]
    description: str
    covers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


_REGISTRY: dict[str, CheckSpec] = {}


def conformance_check(
    name: str,
    *,
    needs: tuple[str, ...] = (),
    covers: Mapping[str, tuple[str, ...]] | None = None,
) -> Callable[[CheckFunction], CheckFunction]:
    """Register `function` as the check proving rule `name` (unique across the suite); `covers`
    maps the other lines its cases test to the sides they take (conformance.lines)."""
    unknown = set(needs) - set(NEEDS)
    if unknown:
        raise ValueError(f"{name}: unknown needs {sorted(unknown)}")

    def register(function: CheckFunction) -> CheckFunction:
        if name in _REGISTRY:
            raise ValueError(f"check {name!r} registered twice")
        topic = function.__module__.rsplit(".", 1)[-1]
        summary = inspect.cleandoc(function.__doc__ or "").split("\n\n")[0]
        _REGISTRY[name] = CheckSpec(
            name, function, topic, needs, " ".join(summary.split()), dict(covers or {})
        )
        return function

    return register


def all_checks() -> list[CheckSpec]:
    """Every registered check, in the suite's run order (conformance.checks.TOPIC_ORDER)."""
    from conformance.checks import TOPIC_ORDER  # importing the package registers the checks

    rank = {topic: index for index, topic in enumerate(TOPIC_ORDER)}
    return sorted(_REGISTRY.values(), key=lambda check: rank.get(check.topic, len(rank)))


def select_checks(only: tuple[str, ...], skip: tuple[str, ...]) -> list[CheckSpec]:
    """The checks `--only`/`--skip` keep; ValueError names any id that is not registered."""
    checks = all_checks()
    known = {check.name for check in checks}
    unknown = sorted((set(only) | set(skip)) - known)
    if unknown:
        raise ValueError(
            f"unknown check id(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return [c for c in checks if (not only or c.name in only) and c.name not in skip]
