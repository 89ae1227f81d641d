"""Run the selected checks in-process: `run_suite(config) -> SuiteResult`.

Outcomes follow the OCI conformance kit: pass, fail (the server broke a line that fails at the
run's --level), warn (it broke only rulings, under --level documented: "differs from the contract's
ruling"; the exit code ignores it), error (the suite itself broke while checking), skip (an
optional input is missing or the check cannot apply). Notes (e.g. which side of a silence the
server took) never change an outcome.
"""

from __future__ import annotations

import enum
import secrets
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.config import ConfigError, SuiteConfig
from conformance.context import CheckContext
from conformance.http import ApiClient
from conformance.levels import DEFAULT_LEVEL, RULING_WARNING
from conformance.receiver import Receiver
from conformance.registry import NEEDS, CheckSpec, select_checks
from conformance.tokens import TokenSource
from conformance.violation import SkipCheck, SpecInconsistency, Violation
from omni_spec import load_contract


class Outcome(enum.StrEnum):
    """What happened to one check."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    ERROR = "error"
    SKIP = "skip"


class TargetUnreachable(RuntimeError):
    """The base URL does not answer HTTP at all (exit 2)."""


@dataclass
class CheckOutcome:
    """One check's result with its evidence."""

    name: str
    topic: str
    description: str
    outcome: Outcome
    reason: str = ""
    violation: Violation | None = None
    duration: float = 0.0
    notes: list[str] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)
    exercised: set[tuple[str, str]] = field(default_factory=set)


@dataclass
class SuiteResult:
    """All outcomes of one run, the seed that makes it reproducible, and the redacted options."""

    outcomes: list[CheckOutcome]
    seed: int
    run_nonce: str
    config: dict[str, Any]
    started_at: float
    duration: float
    bodies_digest: str = ""
    level: str = DEFAULT_LEVEL

    def count(self, outcome: Outcome) -> int:
        """How many checks ended with `outcome`."""
        return sum(1 for o in self.outcomes if o.outcome is outcome)

    @property
    def warning_count(self) -> int:
        """How many deviations from a ruling were reported as warnings (--level documented)."""
        return sum(len(o.warnings) for o in self.outcomes)

    @property
    def note_count(self) -> int:
        """How many notes the checks left (silence sides, partial runs, statistics)."""
        return sum(len(o.notes) for o in self.outcomes)

    def summary(self) -> str:
        """`42 checks: 1 fail, 1 warning, 6 notes, 0 errors, 1 skip, 39 pass`."""

        def plural(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        return (
            f"{len(self.outcomes)} checks at level {self.level}: "
            f"{plural(self.count(Outcome.FAIL), 'fail')}, "
            f"{plural(self.warning_count, 'warning')}, {plural(self.note_count, 'note')}, "
            f"{plural(self.count(Outcome.ERROR), 'error')}, "
            f"{plural(self.count(Outcome.SKIP), 'skip')}, {self.count(Outcome.PASS)} pass"
        )

    @property
    def failures(self) -> list[CheckOutcome]:
        """The checks that found a violation."""
        return [o for o in self.outcomes if o.outcome is Outcome.FAIL]

    @property
    def exit_code(self) -> int:
        """0 no violation and no error, 1 at least one violation, 2 the suite itself broke."""
        if self.count(Outcome.FAIL):
            return 1
        if self.count(Outcome.ERROR):
            return 2
        return 0

    def outcome(self, name: str) -> CheckOutcome:
        """The outcome of check `name`."""
        return next(o for o in self.outcomes if o.name == name)


ProgressCallback = Callable[[str, CheckOutcome | None], None]


def missing_inputs(config: SuiteConfig, needs: tuple[str, ...]) -> list[str]:
    """The options (flag names) a check needs that the config lacks."""
    present = {
        "api_key": bool(config.api_key),
        "second_user": config.has_second_user,
        "element_ids": bool(config.element_ids),
        "webhook_secret": bool(config.webhook_secret),
        "failure_prompt": bool(config.failure_prompt),
    }
    return [NEEDS[need] for need in needs if not present[need]]


def probe(api: ApiClient) -> None:
    """Raise TargetUnreachable unless the base URL answers HTTP."""
    exchange = api.list()
    if exchange.transport_error:
        raise TargetUnreachable(f"{api.base_url} does not answer: {exchange.transport_error}")


def run_check(ctx: CheckContext, check: CheckSpec) -> CheckOutcome:
    """Run one check and classify what happened."""
    outcome = CheckOutcome(check.name, check.topic, check.description, Outcome.PASS)
    missing = missing_inputs(ctx.config, check.needs)
    if missing:
        outcome.outcome = Outcome.SKIP
        outcome.reason = f"needs {', '.join(missing)}"
        return outcome
    ctx.start_check(check.name)
    started = time.monotonic()
    try:
        check.function(ctx)
    except Violation as violation:
        if ctx.tolerates(violation):
            ctx.warn(violation)
            ctx.note("the check stopped at a deviation from a ruling: its later cases did not run")
        else:
            outcome.outcome = Outcome.FAIL
            outcome.violation = violation
            outcome.reason = f"{violation.line}: {violation.case or violation}"
    except SkipCheck as skip:
        outcome.outcome = Outcome.SKIP
        outcome.reason = skip.reason
    except SpecInconsistency as exc:
        outcome.outcome = Outcome.ERROR
        outcome.reason = f"openapi.yaml is inconsistent: {exc}"
    except Exception as exc:  # the suite broke, not the server: report it as an error
        outcome.outcome = Outcome.ERROR
        outcome.reason = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}"
    outcome.duration = time.monotonic() - started
    outcome.notes = list(ctx.notes)
    outcome.warnings = list(ctx.warnings)
    outcome.exercised = set(ctx.exercised)
    if outcome.warnings and outcome.outcome is Outcome.PASS:
        outcome.outcome = Outcome.WARN
        first = outcome.warnings[0]
        outcome.reason = f"{RULING_WARNING}: {first.line}: {first.case}"
    return outcome


def build_context(config: SuiteConfig, receiver: Receiver, seed: int) -> CheckContext:
    """API clients for the configured users plus the shared state of one run."""
    timeout = config.request_timeout
    api = ApiClient(
        config.base_url, TokenSource(config.access_key, config.secret_key), timeout=timeout
    )
    second = None
    if config.second_access_key and config.second_secret_key:
        tokens = TokenSource(config.second_access_key, config.second_secret_key)
        second = ApiClient(config.base_url, tokens, timeout=timeout)
    keyed = (
        ApiClient(config.base_url, None, timeout=timeout, api_key=config.api_key)
        if config.api_key
        else None
    )
    nonce = secrets.token_hex(4)
    api.volatile = (nonce, receiver.origin)
    return CheckContext(
        config=config,
        contract=load_contract(),
        api=api,
        second=second,
        api_key_client=keyed,
        receiver=receiver,
        run_nonce=nonce,
        seed=seed,
    )


def run_suite(config: SuiteConfig, *, progress: ProgressCallback | None = None) -> SuiteResult:
    """Validate options, probe the target, run the selected checks; never raises for a server bug.

    Raises ConfigError (bad options or unknown check ids) and TargetUnreachable: both mean exit 2.
    """
    config.validate()
    try:
        checks = select_checks(config.only, config.skip)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    seed = config.seed if config.seed is not None else secrets.randbelow(2**31)
    started_at = time.time()
    started = time.monotonic()
    outcomes: list[CheckOutcome] = []
    try:
        receiver = Receiver(config.callback_host).start()
    except OSError as exc:
        raise ConfigError(
            f"--callback-host {config.callback_host}: cannot listen there: {exc}"
        ) from None
    with receiver:
        ctx = build_context(config, receiver, seed)
        try:
            probe(ctx.api)
            for check in checks:
                if progress:
                    progress(check.name, None)
                outcome = run_check(ctx, check)
                outcomes.append(outcome)
                if progress:
                    progress(check.name, outcome)
        finally:
            for client in (ctx.api, ctx.second, ctx.api_key_client):
                if client is not None:
                    client.close()
    return SuiteResult(
        outcomes=outcomes,
        seed=seed,
        run_nonce=ctx.run_nonce,
        config=config.redacted() | {"seed": seed},
        started_at=started_at,
        duration=time.monotonic() - started,
        bodies_digest=ctx.api.bodies_digest,
        level=config.level,
    )
