"""Schemathesis 4.x phases driven from openapi.yaml, configured for our contract, mapped to
Violations.

Plain Schemathesis probes single-field bounds, response schemas and status codes. Configured here:
- auth: a Schemathesis auth provider signing our HS256 JWT (re-signed well before it expires);
- `unsupported_method` (expects 405) is replaced by `omni_method_not_supported` (404/1202);
- `allow_header_conformance` (405 + Allow) is off for the same reason;
- `positive_data_acceptance` also accepts 400: schema-valid bodies can break a cross-field rule
  (x-rules: references, image content, capability map), which the schema cannot express; the
  added `omni_positive_refused_only_by_rules` narrows that back to create_task with code 1201;
- schema-valid create bodies are edited to satisfy the x-rules as well
  (conformance.schemathesis_bodies), so positive creates succeed and the stateful phase reaches
  the tasks they create;
- bounded by --max-examples and seeded by --seed (deterministic generation, no example database).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import schemathesis
from schemathesis.engine import Status, events, from_schema
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario

from conformance.schemathesis_bodies import rule_abiding_body
from conformance.tokens import TokenSource
from omni_spec import load_contract

PHASES = ("examples", "coverage", "fuzzing", "stateful")
# Re-sign every 5 minutes: our tokens live 30 minutes, so a cached one never expires mid-run.
REFRESH_SECONDS = 300
IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})


@dataclass(frozen=True)
class PhaseFailure:
    """One distinct failure Schemathesis reported: which check, on what, and how to reproduce it."""

    check: str
    operation: str
    title: str
    message: str
    curl: str


@dataclass(frozen=True)
class PhaseRun:
    """What one phase did: scenarios run, distinct failures, and engine-level errors."""

    phase: str
    scenarios: int
    failures: list[PhaseFailure]
    errors: list[str]
    skipped_reason: str | None
    checks_run: frozenset[str] = frozenset()
    statuses: tuple[tuple[int, int], ...] = ()

    @property
    def requests(self) -> int:
        """How many HTTP answers the phase got."""
        return sum(count for _, count in self.statuses)

    @property
    def successes(self) -> int:
        """How many of them were 2xx (proof that auth worked and bodies were accepted)."""
        return sum(count for status, count in self.statuses if 200 <= status < 300)


def jwt_auth_provider(tokens: TokenSource) -> type:
    """A Schemathesis auth provider class: `Authorization: Bearer <HS256 JWT>` for one user.

    Registered per schema (`schema.auth(...)`), not globally, so other Schemathesis runs in the
    same process keep their own auth.
    """

    class OmniJwtAuth:
        def get(self, case: Any, context: Any) -> str:
            """Sign a fresh token (Schemathesis caches it for REFRESH_SECONDS)."""
            return tokens.token()

        def set(self, case: Any, data: str, context: Any) -> None:
            """Put the token in the Authorization header."""
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {data}"

    return OmniJwtAuth


@schemathesis.check
def omni_method_not_supported(ctx: Any, response: Any, case: Any) -> bool | None:
    """API-FACTS: an unsupported method on a known path is 404 with code 1202, token or not
    [decided]."""
    meta = case.meta
    if meta is None or not isinstance(meta.phase.data, CoveragePhaseData):
        return None
    if meta.phase.data.scenario != CoverageScenario.UNSPECIFIED_HTTP_METHOD:
        return None
    method = str(response.request.method).upper()
    if method in IMPLICIT_METHODS:
        return None
    try:
        code = response.json().get("code")
    except Exception:  # a non-JSON answer is itself the failure reported below
        code = None
    if response.status_code != 404 or code != 1202:
        raise AssertionError(
            f"Unsupported method {method} answered HTTP {response.status_code} code {code!r}; "
            "the contract says 404 with code 1202 (method-not-supported)"
        )
    return True


@schemathesis.check
def omni_positive_refused_only_by_rules(ctx: Any, response: Any, case: Any) -> bool | None:
    """Narrows the 400 that positive_data_acceptance tolerates: a schema-valid request may only
    be refused by an x-rule of create_task, which is code 1201 (API-FACTS "Errors"); a schema-valid
    list/get request is never 400, and a schema-valid body is never 1200 (not JSON / missing field).
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 400:
        return None
    try:
        code = response.json().get("code")
    except Exception:  # a non-JSON 400 is reported by content_type_conformance
        return None
    if str(response.request.method).upper() == "POST" and code == 1201:
        return True
    raise AssertionError(
        f"A schema-valid {response.request.method} request was refused with HTTP 400 code "
        f"{code!r}; only a create_task body breaking a cross-field rule (x-rules) may be, with 1201"
    )


def phase_config(base_url: str, phase: str, *, seed: int, max_examples: int) -> schemathesis.Config:
    """A Schemathesis config running only `phase` against base_url with our checks."""
    phases = {name: {"enabled": name == phase} for name in PHASES}
    return schemathesis.Config.from_dict(
        {
            "seed": seed,
            "base-url": base_url,
            "generation": {
                "max-examples": max_examples,
                "database": "none",
                "deterministic": True,
                "mode": "all",
            },
            "phases": phases,
            "checks": {
                "unsupported_method": {"enabled": False},
                "allow_header_conformance": {"enabled": False},
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "400", "401", "403", "404", "429"]
                },
            },
            "request-timeout": 30,
            "suppress-health-check": ["all"],
        }
    )


def _failures(event: events.ScenarioFinished) -> Iterator[PhaseFailure]:
    for nodes in event.recorder.checks.values():
        for node in nodes:
            if node.status == Status.FAILURE and node.failure_info is not None:
                failure = node.failure_info.failure
                yield PhaseFailure(
                    check=node.name,
                    operation=str(failure.operation or event.label or ""),
                    title=str(failure.title),
                    message=str(failure.message),
                    curl=node.failure_info.code_sample,
                )


def run_phase(
    spec_path: str, base_url: str, phase: str, *, tokens: TokenSource, seed: int, max_examples: int
) -> PhaseRun:
    """Run one Schemathesis phase and collect its distinct failures (by check + operation +
    title)."""
    config = phase_config(base_url, phase, seed=seed, max_examples=max_examples)
    schema = schemathesis.openapi.from_path(spec_path, config=config)
    schema.auth(refresh_interval=REFRESH_SECONDS)(jwt_auth_provider(tokens))
    contract = load_contract()

    def map_body(context: Any, body: Any) -> Any:
        """Positive create bodies obey the x-rules too (registered for this schema only)."""
        operation = context.operation
        if operation is not None and operation.method.upper() == "POST":
            return rule_abiding_body(contract, body)
        return body

    schema.hook(map_body)
    seen: dict[tuple[str, str, str], PhaseFailure] = {}
    errors: list[str] = []
    scenarios = 0
    checks_run: set[str] = set()
    statuses: Counter[int] = Counter()
    skipped: str | None = None
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            if event.status != Status.SKIP:
                scenarios += 1
            checks_run.update(
                node.name for nodes in event.recorder.checks.values() for node in nodes
            )
            statuses.update(
                i.response.status_code
                for i in event.recorder.interactions.values()
                if i.response is not None
            )
            for failure in _failures(event):
                seen.setdefault((failure.check, failure.operation, failure.title), failure)
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.value}")
        elif isinstance(event, events.FatalError):
            errors.append(f"fatal: {event.exception}")
        elif (
            isinstance(event, events.PhaseFinished)
            and event.phase.name.value == phase
            and event.phase.skip_reason
        ):
            skipped = str(event.phase.skip_reason)
    return PhaseRun(
        phase,
        scenarios,
        list(seen.values()),
        errors,
        skipped,
        frozenset(checks_run),
        tuple(sorted(statuses.items())),
    )
