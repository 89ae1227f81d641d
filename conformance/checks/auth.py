"""API-FACTS "Authentication": every broken credential gets its exact 401 code; API keys work."""

from __future__ import annotations

from collections.abc import Callable

from conformance.context import CheckContext
from conformance.expect import expect_error, expect_ok, expect_task
from conformance.http import ApiClient, Exchange
from conformance.registry import conformance_check
from conformance.tokens import unsigned_token, valid_token


def _auth_code(ctx: CheckContext, kind: str) -> int:
    """The business code of one kind of refusal, from rule auth-codes' params."""
    return int(ctx.contract.rule("auth-codes").params[kind])


def _broken_credentials(ctx: CheckContext) -> list[tuple[str, str | None, int]]:
    """(case, Authorization header or None, expected code) for every refusal the contract lists."""
    ak = ctx.config.access_key
    sk = ctx.config.secret_key
    tokens = ctx.api.tokens
    assert tokens is not None
    unknown_key = f"conformance-unknown-{ctx.run_nonce}"
    missing, invalid = _auth_code(ctx, "missing"), _auth_code(ctx, "invalid")
    return [
        ("no Authorization header", None, missing),
        ("empty Authorization header", "", missing),
        ("garbage bearer value", "Bearer garbage", invalid),
        ("token signed with the wrong secret", "Bearer " + valid_token(ak, sk + "-wrong"), invalid),
        ("token for an unknown access key", "Bearer " + valid_token(unknown_key, sk), invalid),
        ("alg none token", "Bearer " + unsigned_token(ak), invalid),
        ("token without exp", "Bearer " + tokens.without_exp(), invalid),
        ("another scheme (Basic)", "Basic " + tokens.token(), invalid),
        (
            "nbf 10 minutes in the future",
            "Bearer " + tokens.not_yet_valid(),
            _auth_code(ctx, "not_yet_valid"),
        ),
        ("expired 10 minutes ago", "Bearer " + tokens.expired(), _auth_code(ctx, "expired")),
    ]


def _endpoints(ctx: CheckContext) -> list[tuple[str, Callable[[str | None], Exchange]]]:
    body = {"prompt": ctx.prompt("auth")}
    return [
        ("list_tasks", lambda auth: ctx.api.list(authorization=auth)),
        ("get_task", lambda auth: ctx.api.get("conformance-no-such-task", authorization=auth)),
        ("create_task", lambda auth: ctx.api.create(body, authorization=auth)),
    ]


@conformance_check("auth-codes")
def check_auth_codes(ctx: CheckContext) -> None:
    """Missing, garbage, bad signature, unknown key, alg none, no exp, other scheme, nbf,
    expired."""
    for endpoint, send in _endpoints(ctx):
        for case, header, code in _broken_credentials(ctx):
            expect_error(ctx, send(header), code, f"{endpoint}: {case}")
    # The scheme word is case-insensitive [decided]; one space separates it from the token.
    for word in ("bearer", "BEARER"):
        exchange = ctx.api.list(
            authorization=f"{word} {ctx.api.tokens.token() if ctx.api.tokens else ''}"
        )
        expect_ok(
            ctx, exchange, f"scheme word spelt {word!r}", "the word Bearer is case-insensitive"
        )


@conformance_check("auth-api-key", needs=("api_key",))
def check_api_key(ctx: CheckContext) -> None:
    """A plain API key as the bearer value lists and creates tasks."""
    keyed: ApiClient | None = ctx.api_key_client
    assert keyed is not None
    expect_ok(ctx, keyed.list(), "list_tasks with the API key")
    task = expect_task(
        ctx, keyed.create({"prompt": ctx.prompt("api key")}), "create_task with the API key"
    )
    expect_task(ctx, keyed.get(task["task_id"]), "get_task with the API key")
    wrong = ctx.api.list(authorization=f"Bearer {ctx.config.api_key}-not-a-key")
    expect_error(ctx, wrong, _auth_code(ctx, "invalid"), "an unknown API key")
