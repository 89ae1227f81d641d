"""Hostile tokens (rule `auth-codes`, server policy in docs/reliability.md): each as documented."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reference_server.launcher import RunningServer, start_reference_server
from tests.reference_server.helpers import DEV_AK, DEV_SK, OTHER_AK, OTHER_SK, PATH, make_jwt


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: dict[str, Any], claims: dict[str, Any], key: bytes | None) -> str:
    """A JWT built by hand (PyJWT refuses empty keys and alg none signatures)."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    if key is None:
        return signing_input + "."
    mac = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


def call(server: RunningServer, token: str, task_id: str | None = None) -> tuple[int, int]:
    url = server.base_url + PATH + (f"/{task_id}" if task_id else "")
    response = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.json()["code"]


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {"iss": DEV_AK, "exp": now + 1800, "nbf": now - 5}
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


@pytest.fixture(scope="module")
def short_lived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server whose maximum token lifetime is configured down to 600 s."""
    database = Path(tmp_path_factory.mktemp("tokens")) / "db.sqlite3"
    with start_reference_server(database=database, extra_args=["--jwt-max-lifetime", "600"]) as s:
        yield s


@pytest.mark.parametrize(
    "header",
    [{"alg": "none", "typ": "JWT"}, {"alg": "None"}, {"alg": "NONE"}, {"alg": "HS512"},
     {"alg": "RS256"}, {"typ": "JWT"}],
)  # fmt: skip
def test_other_algorithms_and_unsigned_tokens_are_1002(
    server: RunningServer, header: dict[str, Any]
) -> None:
    """alg none (any case, signed or not), another algorithm, or no alg -> 401/1002."""
    for key in (None, DEV_SK.encode()):
        assert call(server, hand_made(header, claims(), key)) == (401, 1002)


def test_hs256_with_an_empty_key_is_1002(server: RunningServer) -> None:
    """HS256 signed with an empty key (and with an empty signature) -> 401/1002."""
    assert call(server, hand_made({"alg": "HS256", "typ": "JWT"}, claims(), b"")) == (401, 1002)
    token = hand_made({"alg": "HS256", "typ": "JWT"}, claims(), DEV_SK.encode())
    assert call(server, token.rsplit(".", 1)[0] + ".") == (401, 1002)


def test_token_replayed_as_another_user_is_refused(server: RunningServer) -> None:
    """One user's signature with another's iss -> 1002; a user's own token never sees another's task."""
    forged = make_jwt(ak=OTHER_AK, sk=DEV_SK)  # claims to be OTHER, signed with DEV's secret
    assert call(server, forged) == (401, 1002)
    other_token = make_jwt(ak=OTHER_AK, sk=OTHER_SK)
    created = httpx.post(server.base_url + PATH, json={"prompt": "mine"},
                         headers={"Authorization": f"Bearer {other_token}"}).json()  # fmt: skip
    assert call(server, make_jwt(), created["data"]["task_id"]) == (404, 1203)
    assert call(server, other_token, created["data"]["task_id"]) == (200, 0)


@pytest.mark.parametrize("missing", ["iss", "exp"])
def test_missing_iss_or_exp_is_1002(server: RunningServer, missing: str) -> None:
    """A token without iss or without exp -> 401/1002."""
    payload = {key: value for key, value in claims().items() if key != missing}
    token = hand_made({"alg": "HS256", "typ": "JWT"}, payload, DEV_SK.encode())
    assert call(server, token) == (401, 1002)


def test_far_future_exp_is_refused_by_the_default_maximum_lifetime(server: RunningServer) -> None:
    """exp 10 years ahead -> 401/1000 (default maximum lifetime 86,400 s); 1 day - 1 h passes."""
    now = int(time.time())
    assert call(server, make_jwt(exp=now + 10 * 365 * 86400)) == (401, 1000)
    assert call(server, make_jwt(exp=now + 86400 - 3600)) == (200, 0)


def test_maximum_lifetime_is_configurable(short_lived: RunningServer) -> None:
    """--jwt-max-lifetime 600: a 1,800 s token -> 1000 with a message; a 300 s token passes."""
    now = int(time.time())
    url = short_lived.base_url + PATH
    answer = httpx.get(url, headers={"Authorization": f"Bearer {make_jwt(exp=now + 1800)}"}).json()
    assert answer["code"] == 1000 and "600 s" in answer["message"]
    assert call(short_lived, make_jwt(exp=now + 300)) == (200, 0)


@pytest.mark.parametrize(
    ("exp_offset", "nbf_offset", "expected"),
    [
        (-30, -600, (200, 0)),
        (-300, -600, (401, 1004)),
        (1800, 30, (200, 0)),
        (1800, 300, (401, 1003)),
    ],
    ids=["exp-30s-ago-within-skew", "exp-5min-ago", "nbf-30s-ahead-within-skew", "nbf-5min-ahead"],
)
def test_clock_skew_is_tolerated_up_to_60_seconds(
    server: RunningServer, exp_offset: int, nbf_offset: int, expected: tuple[int, int]
) -> None:
    """exp/nbf off by 30 s pass (60 s leeway); by 5 minutes -> 1004/1003."""
    now = int(time.time())
    assert call(server, make_jwt(exp=now + exp_offset, nbf=now + nbf_offset)) == expected
