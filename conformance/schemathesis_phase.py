"""Schemathesis 4.x phases driven from openapi.yaml, configured for our contract, mapped to
Violations.

Plain Schemathesis probes single-field bounds, response schemas and status codes. Configured here:
- auth: a Schemathesis auth provider handing out a freshly signed, full-lifetime HS256 JWT, which
  Schemathesis caches for REFRESH_SECONDS (well under the token's lifetime);
- `unsupported_method` (expects 405) is replaced by `omni_method_not_supported` (status and code
  from rule method-not-supported);
- `allow_header_conformance` (405 + Allow) is off for the same reason;
- `positive_data_acceptance` also accepts 400 (never 401/403: our token is always valid):
  schema-valid bodies can break a cross-field rule (x-rules: references, image content, capability
  map), which the schema cannot express; the added `omni_positive_refused_only_by_rules` narrows
  that back to create_task with code 1201;
- schema-valid create bodies are edited to satisfy the x-rules as well
  (conformance.schemathesis_bodies), so positive creates succeed and the stateful phase reaches
  the tasks they create;
- every create body's http(s) URLs (callback_url, image_list[].image) point at the suite's loopback
  receiver (conformance.schemathesis_bodies.loopback_body), so no third party is ever contacted;
- bounded by --max-examples and seeded by --seed (deterministic generation, no example database).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import schemathesis
from schemathesis.engine import Status, events, from_schema
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario

from conformance.schemathesis_bodies import LoopbackUrls, loopback_body, rule_abiding_body
from conformance.tokens import TokenSource
from omni_spec import load_contract

PHASES = ("examples", "coverage", "fuzzing", "stateful")
# Schemathesis re-asks the provider every 5 minutes and the provider signs a token living
# TOKEN_LIFETIME (30 minutes): a cached token always has more than 20 minutes left, well beyond
# a 60 s clock skew (test_schemathesis_tokens_outlive_their_cache pins this).
REFRESH_SECONDS = 300
IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})


@dataclass(frozen=True)
class PhaseFailure:
    """One distinct failure Schemathesis reported: which check, on what, and how to reproduce it;
    whether the case was negative and the answer it got (to name the contract line it breaks)."""

    check: str
    operation: str
    title: str
    message: str
    curl: str
    negative: bool = False
    status: int | None = None
    body: Any = None


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
            """A newly signed, full-lifetime token (Schemathesis caches it for REFRESH_SECONDS)."""
            return tokens.fresh_token()

        def set(self, case: Any, data: str, context: Any) -> None:
            """Put the token in the Authorization header."""
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {data}"

    return OmniJwtAuth


@schemathesis.check
def omni_method_not_supported(ctx: Any, response: Any, case: Any) -> bool | None:
    """The contract: an unsupported method on a known path is 404 with code 1202, token or not
    [decided] (status and code read from rule method-not-supported)."""
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
    expected = load_contract().rule("method-not-supported").params
    if response.status_code != expected["status"] or code != expected["code"]:
        raise AssertionError(
            f"Unsupported method {method} answered HTTP {response.status_code} code {code!r}; "
            f"the contract says {expected['status']} with code {expected['code']} "
            "(method-not-supported)"
        )
    return True


@schemathesis.check
def omni_positive_refused_only_by_rules(ctx: Any, response: Any, case: Any) -> bool | None:
    """Narrows the 400 that positive_data_acceptance tolerates: a schema-valid request may only
    be refused by an x-rule of create_task, which is code 1201 (the contract's "Errors"); a
    schema-valid list/get request is never 400, and a schema-valid body is never 1200 (not JSON /
    missing field).
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


# Schemathesis check settings (see the module docstring for why each differs from the default).
CHECKS: dict[str, Any] = {
    "unsupported_method": {"enabled": False},
    "allow_header_conformance": {"enabled": False},
    "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "404", "429"]},
}


# Schemathesis' dependency analysis infers a list_tasks -> get_task link, which makes list_tasks a
# "reliable" root of the stateful phase; create_task, whose body has `external_task_id` (read as a
# reference to an "ExternalTask" nobody produces), is then only a fallback root and is never
# called. Without that inference the spec's explicit link (create_task -> get_task) drives the
# phase: create first, then get the task it made. list_tasks is still exercised by the other phases.
STATEFUL_INFERENCE = ["location-headers"]


def phase_config(base_url: str, phase: str, *, seed: int, max_examples: int) -> schemathesis.Config:
    """A Schemathesis config running only `phase` against base_url with our checks."""
    phases: dict[str, dict[str, Any]] = {name: {"enabled": name == phase} for name in PHASES}
    phases["stateful"]["inference"] = {"algorithms": STATEFUL_INFERENCE}
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
            "checks": CHECKS,
            "request-timeout": 30,
            "suppress-health-check": ["all"],
        }
    )


def _answer(event: events.ScenarioFinished, case_id: str) -> tuple[int | None, Any]:
    """The HTTP status and JSON body (None when not JSON) a recorded case got."""
    interaction = event.recorder.interactions.get(case_id)
    response = interaction.response if interaction is not None else None
    if response is None:
        return None, None
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        body = None
    return response.status_code, body


def _is_negative(event: events.ScenarioFinished, case_id: str) -> bool:
    node = event.recorder.cases.get(case_id)
    meta = node.value.meta if node is not None else None
    return bool(meta is not None and meta.generation.mode.is_negative)


def _failures(event: events.ScenarioFinished) -> Iterator[PhaseFailure]:
    for case_id, nodes in event.recorder.checks.items():
        for node in nodes:
            if node.status == Status.FAILURE and node.failure_info is not None:
                failure = node.failure_info.failure
                status, body = _answer(event, case_id)
                yield PhaseFailure(
                    check=node.name,
                    operation=str(failure.operation or event.label or ""),
                    title=str(failure.title),
                    message=str(failure.message),
                    curl=node.failure_info.code_sample,
                    negative=_is_negative(event, case_id),
                    status=status,
                    body=body,
                )


def run_phase(
    spec_path: str,
    base_url: str,
    phase: str,
    *,
    tokens: TokenSource,
    loopback: LoopbackUrls,
    seed: int,
    max_examples: int,
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

    def map_case(context: Any, case: Any) -> Any:
        """Every create body's URLs point at the loopback receiver (registered for this schema)."""
        if case.operation.method.upper() == "POST":
            case.body = loopback_body(contract, case.body, loopback)
        return case

    schema.hook(map_body)
    schema.hook(map_case)
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
