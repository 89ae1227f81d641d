"""Verdicts: each assertion names its line and standing, levels decide fail or warning, silences
are only noted. A stub API answers exactly what each test needs (no server)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks._cases import ACCEPTED, RequestCase, run_cases, silent_case
from conformance.config import SuiteConfig
from conformance.context import CheckContext
from conformance.http import Exchange, OperationPaths
from conformance.registry import CheckSpec
from conformance.runner import Outcome, run_check
from conformance.violation import Violation
from omni_spec import load_contract

Answer = Callable[[Any], tuple[int, dict[str, Any]]]
CREATED = {
    "task_id": "t1",
    "task_status": "submitted",
    "task_info": {"external_task_id": None},
    "created_at": 1_795_700_000_000,
    "updated_at": 1_795_700_000_000,
}


class StubApi:
    """Answers every create with `answer(body)`; records the bodies."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.paths = OperationPaths.from_contract(load_contract())
        self.sent: list[Any] = []

    def create(self, body: Any, **_: Any) -> Exchange:
        """One create exchange with the stubbed answer."""
        self.sent.append(body)
        status, payload = self.answer(body)
        return Exchange(
            "POST",
            "http://127.0.0.1:1/v1/images/omni-image",
            {},
            json.dumps(body).encode(),
            status=status,
            response_headers={"content-type": "application/json"},
            response_body=json.dumps(payload).encode(),
        )


def ok(_: Any) -> tuple[int, dict[str, Any]]:
    """A create answer with only the five documented fields."""
    return 200, {"code": 0, "message": "ok", "request_id": "r", "data": CREATED}


def refused(code: int) -> Answer:
    """Every create refused with HTTP 400 and `code`."""
    return lambda _: (400, {"code": code, "message": "no", "request_id": "r"})


def context(
    answer: Answer, level: str = "decided", rule: str = "schema-boundaries"
) -> CheckContext:
    """A check context whose API is a stub, at `level`, running check `rule`."""
    config = SuiteConfig(base_url="http://127.0.0.1:1", access_key="a", secret_key="s", level=level)
    ctx = CheckContext(
        config=config,
        contract=load_contract(),
        api=StubApi(answer),  # type: ignore[arg-type]
        second=None,
        api_key_client=None,
        receiver=None,  # type: ignore[arg-type]
        run_nonce="n",
        seed=1,
    )
    ctx.start_check(rule)
    return ctx


def test_violation_names_the_case_rule_and_its_standing_from_the_spec() -> None:
    """A refused valid case fails on the case's rule, with the standing openapi.yaml gives it."""
    ctx = context(refused(1201))
    case = RequestCase("n 1.0", {"prompt": "p", "n": 1.0}, ACCEPTED, rule="body-json-schema-types")
    with pytest.raises(Violation) as caught:
        run_cases(ctx, [case])
    assert caught.value.rule == "body-json-schema-types"
    assert caught.value.standing == load_contract().rule("body-json-schema-types").standing
    assert caught.value.check == "schema-boundaries"


def test_wrong_one_of_1200_and_1201_breaks_only_the_ruling() -> None:
    """Refused with 1200 where 1201 is due: body-error-code-split (decided), not the range line."""
    ctx = context(refused(1200))
    with pytest.raises(Violation) as caught:
        run_cases(ctx, [RequestCase("n 10", {"prompt": "p", "n": 10}, 1201)])
    assert (caught.value.rule, caught.value.standing) == ("body-error-code-split", "decided")


def test_accepting_a_forbidden_body_breaks_the_documented_line() -> None:
    """n 10 accepted fails schema-boundaries (documented) at either level."""
    for level in ("decided", "documented"):
        ctx = context(ok, level)
        with pytest.raises(Violation) as caught:
            run_cases(ctx, [RequestCase("n 10", {"prompt": "p", "n": 10}, 1201)])
        assert (caught.value.rule, caught.value.standing) == ("schema-boundaries", "documented")


def test_documented_level_turns_a_ruling_into_a_warning_and_goes_on() -> None:
    """Under --level documented a broken ruling is recorded as a warning; later cases still run."""
    ctx = context(refused(1200), "documented")
    cases = [
        RequestCase("n 10", {"prompt": "p", "n": 10}, 1201),
        RequestCase("n 0", {"prompt": "p", "n": 0}, 1201),
    ]
    run_cases(ctx, cases)
    assert [w.rule for w in ctx.warnings] == ["body-error-code-split"] * 2
    assert len(ctx.api.sent) == 2  # type: ignore[attr-defined]


def test_a_silence_is_noted_with_the_side_taken_never_failed() -> None:
    """Either answer to a case on a silence passes; the note names the silence and the side."""
    for answer, side in ((ok, "accepted"), (refused(1201), "refused (HTTP 400, code 1201)")):
        ctx = context(answer)
        run_cases(ctx, [silent_case("blank prompt", {"prompt": "  "}, "whitespace-only-prompt")])
        assert ctx.warnings == []
        assert len(ctx.notes) == 1
        assert ctx.notes[0].startswith(f"silence whitespace-only-prompt: blank prompt: {side}")


def test_create_answer_needs_only_the_five_documented_fields() -> None:
    """Five fields pass; a sixth of the wrong type breaks the ruling on extra fields only."""
    run_cases(context(ok), [RequestCase("plain", {"prompt": "p"}, ACCEPTED)])

    def extra(_: Any) -> tuple[int, dict[str, Any]]:
        data = CREATED | {"final_unit_deduction": 8, "x_vendor": {"any": "thing"}}
        return 200, {"code": 0, "message": "ok", "request_id": "r", "data": data}

    with pytest.raises(Violation) as caught:
        run_cases(context(extra), [RequestCase("plain", {"prompt": "p"}, ACCEPTED)])
    assert caught.value.rule == "create-answer-extra-fields-typed"
    assert "final_unit_deduction" in caught.value.documented


def _check(function: Callable[[CheckContext], None]) -> CheckSpec:
    return CheckSpec("schema-boundaries", function, "request_boundaries", (), "d")


@pytest.mark.parametrize(
    ("level", "outcome"), [("decided", Outcome.FAIL), ("documented", Outcome.WARN)]
)
def test_run_check_outcome_by_level(level: str, outcome: Outcome) -> None:
    """A check breaking only a ruling fails at level decided and warns at level documented."""
    ctx = context(refused(1200), level)

    def one_case(ctx: CheckContext) -> None:
        run_cases(ctx, [RequestCase("n 10", {"prompt": "p", "n": 10}, 1201)])

    result = run_check(ctx, _check(one_case))
    assert result.outcome is outcome
    line = (result.violation or result.warnings[0]).line
    assert line == "body-error-code-split (decided)"


def test_documented_deviation_still_fails_at_documented_level() -> None:
    """At level documented a documented line broken is a failure, with earlier warnings kept."""
    ctx = context(
        lambda body: ok(body) if body.get("n") == 10 else refused(1200)(body), "documented"
    )

    def two_cases(ctx: CheckContext) -> None:
        run_cases(
            ctx,
            [
                RequestCase("n 0", {"prompt": "p", "n": 0}, 1201),
                RequestCase("n 10", {"prompt": "p", "n": 10}, 1201),
            ],
        )

    result = run_check(ctx, _check(two_cases))
    assert result.outcome is Outcome.FAIL
    assert result.violation is not None and result.violation.rule == "schema-boundaries"
    assert [w.rule for w in result.warnings] == ["body-error-code-split"]
