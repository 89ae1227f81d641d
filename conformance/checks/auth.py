"""The contract's "Authentication": every broken credential gets its exact 401 code; API keys
work. The documented codes are rule auth-codes; the empty header, another scheme and the
case-insensitive scheme word are rulings of their own; exp far ahead and extra claims are
silences (noted only)."""

from __future__ import annotations

from collections.abc import Callable

from conformance.context import CheckContext
from conformance.expect import (
    expect_created,
    expect_error,
    expect_ok,
    expect_task,
    tolerating_rulings,
)
from conformance.http import ApiClient, Exchange
from conformance.lines import ACCEPTED, AUTH_HEADER, BOTH, OBSERVED, REFUSED
from conformance.registry import conformance_check
from conformance.tokens import token_with_claims, unsigned_token, valid_token

AUTH = "auth-codes"
EMPTY_HEADER = "auth-empty-header-is-missing"
OTHER_SCHEME = "auth-other-scheme-is-invalid"
CASE_INSENSITIVE = "auth-bearer-case-insensitive"
CLOCK_SKEW = "auth-clock-skew"
FAR_FUTURE_DAYS = 30


def _auth_code(ctx: CheckContext, kind: str) -> int:
    """The business code of one kind of refusal, from rule auth-codes' params."""
    return int(ctx.contract.rule(AUTH).params[kind])


def _broken_credentials(ctx: CheckContext) -> list[tuple[str, str | None, int, str]]:
    """(case, Authorization header or None, expected code, the rule it tests) for every refusal
    the contract lists."""
    ak = ctx.config.access_key
    sk = ctx.config.secret_key
    tokens = ctx.api.tokens
    assert tokens is not None
    unknown_key = f"conformance-unknown-{ctx.run_nonce}"
    invalid = _auth_code(ctx, "invalid")
    empty = int(ctx.contract.rule(EMPTY_HEADER).params["code"])
    other_scheme = int(ctx.contract.rule(OTHER_SCHEME).params["code"])
    return [
        ("no Authorization header", None, _auth_code(ctx, "missing"), AUTH),
        ("empty Authorization header", "", empty, EMPTY_HEADER),
        ("garbage bearer value", "Bearer garbage", invalid, AUTH),
        (
            "token signed with the wrong secret",
            "Bearer " + valid_token(ak, sk + "-wrong"),
            invalid,
            AUTH,
        ),
        (
            "token for an unknown access key",
            "Bearer " + valid_token(unknown_key, sk),
            invalid,
            AUTH,
        ),
        ("alg none token", "Bearer " + unsigned_token(ak), invalid, AUTH),
        ("token without exp", "Bearer " + tokens.without_exp(), invalid, AUTH),
        ("another scheme (Basic)", "Basic " + tokens.token(), other_scheme, OTHER_SCHEME),
        (
            "nbf 10 minutes in the future",
            "Bearer " + tokens.not_yet_valid(),
            _auth_code(ctx, "not_yet_valid"),
            AUTH,
        ),
        ("expired 10 minutes ago", "Bearer " + tokens.expired(), _auth_code(ctx, "expired"), AUTH),
    ]


def _endpoints(ctx: CheckContext) -> list[tuple[str, Callable[[str | None], Exchange]]]:
    body = {"prompt": ctx.prompt("auth")}
    return [
        ("list_tasks", lambda auth: ctx.api.list(authorization=auth)),
        ("get_task", lambda auth: ctx.api.get("conformance-no-such-task", authorization=auth)),
        ("create_task", lambda auth: ctx.api.create(body, authorization=auth)),
    ]


def _note_token_silences(ctx: CheckContext) -> None:
    """Which side the server takes on a far-future exp and on iat/aud claims (never a finding)."""
    ak, sk = ctx.config.access_key, ctx.config.secret_key
    probes = [
        (
            "jwt-exp-far-future",
            f"a token expiring in {FAR_FUTURE_DAYS} days",
            token_with_claims(ak, sk, lifetime=FAR_FUTURE_DAYS * 86_400),
        ),
        (
            "jwt-extra-claims",
            "a token carrying iat and aud",
            token_with_claims(ak, sk, extra={"aud": "omni-image"}, issued_at=True),
        ),
    ]
    for silence, label, token in probes:
        exchange = ctx.api.list(authorization=f"Bearer {token}")
        taken = (
            "accepted"
            if exchange.status == 200 and exchange.code == 0
            else f"refused (HTTP {exchange.status}, code {exchange.code})"
        )
        ctx.note_silence(silence, f"{label}: {taken}")


@conformance_check(
    AUTH,
    covers={
        EMPTY_HEADER: (REFUSED,),
        OTHER_SCHEME: (REFUSED,),
        CASE_INSENSITIVE: (ACCEPTED,),
        CLOCK_SKEW: (OBSERVED,),
        AUTH_HEADER: BOTH,
        "error:1001": (OBSERVED,),
        "error:1002": (OBSERVED,),
        "error:1003": (OBSERVED,),
        "error:1004": (OBSERVED,),
    },
)
def check_auth_codes(ctx: CheckContext) -> None:
    """Missing, empty, garbage, bad signature, unknown key, alg none, no exp, other scheme, nbf,
    expired; a valid token and the scheme word in any case are accepted."""
    token = ctx.api.tokens.token() if ctx.api.tokens else ""
    ctx.exercise(AUTH_HEADER, ACCEPTED)
    expect_ok(ctx, ctx.api.list(authorization=f"Bearer {token}"), "a valid token", rule=AUTH)
    for endpoint, send in _endpoints(ctx):
        for case, header, code, rule in _broken_credentials(ctx):
            ctx.exercise(AUTH_HEADER, REFUSED)
            with tolerating_rulings(ctx):
                expect_error(ctx, send(header), code, f"{endpoint}: {case}", rule=rule)
    # Offsets of 10 minutes stay clear of the clock skew a server may allow [decided].
    ctx.exercise(CLOCK_SKEW, OBSERVED)
    for word in ("bearer", "BEARER"):
        with tolerating_rulings(ctx):
            expect_ok(
                ctx,
                ctx.api.list(authorization=f"{word} {token}"),
                f"scheme word spelt {word!r}",
                "the word Bearer is case-insensitive",
                rule=CASE_INSENSITIVE,
            )
    _note_token_silences(ctx)


@conformance_check("auth-api-key", needs=("api_key",))
def check_api_key(ctx: CheckContext) -> None:
    """A plain API key as the bearer value lists, creates and reads tasks; an unknown one is
    refused."""
    keyed: ApiClient | None = ctx.api_key_client
    assert keyed is not None
    expect_ok(ctx, keyed.list(), "list_tasks with the API key")
    task = expect_created(
        ctx, keyed.create({"prompt": ctx.prompt("api key")}), "create_task with the API key"
    )
    expect_task(ctx, keyed.get(task["task_id"]), "get_task with the API key", rule="auth-api-key")
    wrong = ctx.api.list(authorization=f"Bearer {ctx.config.api_key}-not-a-key")
    expect_error(ctx, wrong, _auth_code(ctx, "invalid"), "an unknown API key")
