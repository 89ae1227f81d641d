"""The same checks under pytest: one test per check id, parametrized, for people's own CI.

    pytest -p conformance.pytest_plugin --pyargs conformance.pytest_suite \\
        --base-url http://127.0.0.1:8000 --access-key AK --secret-key SK [--second-access-key ...]

Options are the CLI's (and read $OMNI_* and omni-conformance.toml the same way); select checks
with `-k`, e.g. `-k "auth or callback"`. A violation fails the test with the line (rule id and
standing), what was sent, what came back, what the contract says and a curl line; a missing
optional input skips it. Under `--level documented` a ruling broken is a `ConformanceRulingWarning`
(pytest's warnings summary), not a failure; notes go to the test's captured output.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from conformance.config import ConfigError, load_config
from conformance.context import CheckContext
from conformance.levels import RULING_WARNING
from conformance.receiver import Receiver
from conformance.registry import CheckSpec, all_checks
from conformance.runner import (
    CheckOutcome,
    Outcome,
    TargetUnreachable,
    build_context,
    probe,
    run_check,
)
from conformance.violation import Violation

OPTIONS = (
    ("base_url", str),
    ("access_key", str),
    ("secret_key", str),
    ("api_key", str),
    ("second_access_key", str),
    ("second_secret_key", str),
    ("element_ids", str),
    ("webhook_secret", str),
    ("failure_prompt", str),
    ("callback_host", str),
    ("seed", int),
    ("max_examples", int),
    ("task_timeout", float),
    ("level", str),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """The omni-conformance options (flag > $OMNI_* > omni-conformance.toml)."""
    group = parser.getgroup("omni-conformance", "Omni-Image conformance suite")
    for name, kind in OPTIONS:
        group.addoption("--" + name.replace("_", "-"), dest=f"omni_{name}", type=kind, default=None)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize `conformance_check` with every registered check, ids = rule ids."""
    if "conformance_check" in metafunc.fixturenames:
        checks = all_checks()
        metafunc.parametrize("conformance_check", checks, ids=[c.name for c in checks])


@dataclass
class ConformanceSession:
    """The context shared by every check test of the session."""

    context: CheckContext


@pytest.fixture(scope="session")
def conformance_session(pytestconfig: pytest.Config) -> Iterator[ConformanceSession]:
    """Options, the loopback receiver and API clients for the whole session."""
    flags = {name: pytestconfig.getoption(f"omni_{name}") for name, _ in OPTIONS}
    try:
        config = load_config(flags)
        config.validate()
    except ConfigError as exc:
        raise pytest.UsageError(f"omni-conformance: {exc}") from None
    seed = config.seed if config.seed is not None else 0
    with Receiver(config.callback_host) as receiver:
        context = build_context(config, receiver, seed)
        try:
            probe(context.api)
        except TargetUnreachable as exc:
            raise pytest.UsageError(str(exc)) from None
        yield ConformanceSession(context)
        for client in (context.api, context.second, context.api_key_client):
            if client is not None:
                client.close()


class ConformanceRulingWarning(UserWarning):
    """The server differs from one of the contract's rulings (--level documented)."""


def describe_violation(v: Violation) -> str:
    """A violation as text: line (rule, standing), case, contract, sent, received, curl."""
    return (
        f"[{v.rule}, {v.standing}] {v.case}\ncontract says: {v.documented}\n\nsent:\n{v.sent}"
        f"\n\nreceived:\n{v.received}\n\nreproduce:\n{v.curl}"
    )


def describe_failure(outcome: CheckOutcome) -> str:
    """The check's violation as text (its reason when there is none)."""
    return describe_violation(outcome.violation) if outcome.violation else outcome.reason


def run_as_test(session: ConformanceSession, check: CheckSpec) -> None:
    """Run one check and translate its outcome into pytest's vocabulary."""
    outcome = run_check(session.context, check)
    for note in outcome.notes:
        print(f"note [{check.name}]: {note}")
    for warning in outcome.warnings:
        warnings.warn(
            ConformanceRulingWarning(f"{RULING_WARNING}: {describe_violation(warning)}"),
            stacklevel=2,
        )
    if outcome.outcome is Outcome.SKIP:
        pytest.skip(outcome.reason)
    if outcome.outcome is Outcome.FAIL:
        pytest.fail(describe_failure(outcome), pytrace=False)
    if outcome.outcome is Outcome.ERROR:
        raise RuntimeError(f"the suite broke in {check.name}: {outcome.reason}")
