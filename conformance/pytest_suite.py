"""The test module collected by
`pytest -p conformance.pytest_plugin --pyargs conformance.pytest_suite`."""

from __future__ import annotations

from conformance.pytest_plugin import ConformanceSession, run_as_test
from conformance.registry import CheckSpec


def test_conformance(conformance_session: ConformanceSession, conformance_check: CheckSpec) -> None:
    """The server conforms to the rule this check proves."""
    run_as_test(conformance_session, conformance_check)
