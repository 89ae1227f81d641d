"""Levels: which standings of the contract make a deviation a failure.

`decided` (the default): a deviation from a documented line or from one of our rulings fails.
`documented`: only documented lines fail; a deviation from a ruling is a *warning* ("differs from
the contract's ruling") that leaves the exit code alone. A silence never fails at any level: the
suite can only note which side the server took.

>>> is_failure("documented", "decided"), is_failure("decided", "decided")
(False, True)
"""

from __future__ import annotations

# The two standings a contract line can have (a silence has none: it is no line).
DOCUMENTED = "documented"
DECIDED = "decided"

LEVEL_DECIDED = "decided"
LEVEL_DOCUMENTED = "documented"
LEVELS = (LEVEL_DECIDED, LEVEL_DOCUMENTED)
DEFAULT_LEVEL = LEVEL_DECIDED
RULING_WARNING = "differs from the contract's ruling"
# The standings each level fails on.
FAILING_STANDINGS = {LEVEL_DECIDED: {DOCUMENTED, DECIDED}, LEVEL_DOCUMENTED: {DOCUMENTED}}


def is_failure(level: str, standing: str) -> bool:
    """Whether a deviation from a line of this standing fails the server at this level."""
    return standing in FAILING_STANDINGS[level]
