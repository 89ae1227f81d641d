"""The typed outcomes a check raises: a contract violation (fail) or a reason to skip."""

from __future__ import annotations

from conformance.levels import DOCUMENTED


class Violation(Exception):
    """The server broke a contract line: which line (rule id and standing), what was sent, what
    came back, what the contract says.

    >>> raise Violation("envelope", sent="GET /v1/images/omni-image", received="200 text/html",
    ...                 documented="every response is application/json", curl="curl ...")
    Traceback (most recent call last):
    conformance.violation.Violation: [envelope, documented] 200 text/html
    """

    def __init__(
        self,
        rule: str,
        *,
        sent: str,
        received: str,
        documented: str,
        curl: str = "",
        case: str = "",
        standing: str = DOCUMENTED,
        check: str = "",
    ) -> None:
        first = received.splitlines()[0] if received else documented
        super().__init__(f"[{rule}, {standing}] {first}")
        self.rule = rule
        self.standing = standing
        self.check = check or rule
        self.sent = sent
        self.received = received
        self.documented = documented
        self.curl = curl
        self.case = case

    @property
    def line(self) -> str:
        """`rule-id (standing)`, the way reports name the contract line."""
        return f"{self.rule} ({self.standing})"


class SkipCheck(Exception):
    """The check cannot run against this target (e.g. an optional input is missing)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SpecInconsistency(Exception):
    """openapi.yaml contradicts itself where a check relies on it: a suite error (outcome error),
    never a finding against the server."""
