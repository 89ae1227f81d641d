"""Authentication codes 1000..1004, API keys and the Bearer scheme (rule `auth-codes`)."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest

from tests.reference_server.helpers import DEV_SK, OTHER_AK, PATH, make_jwt


def get(base_url: str, authorization: str | None) -> httpx.Response:
    headers = {} if authorization is None else {"Authorization": authorization}
    return httpx.get(base_url + PATH, headers=headers)


def assert_error(response: httpx.Response, status: int, code: int) -> None:
    body = response.json()
    assert (response.status_code, body["code"]) == (status, code), body
    assert body["request_id"] and body["message"] and "data" not in body


def test_missing_header_is_1001(base_url: str) -> None:
    """No Authorization header -> 401/1001."""
    assert_error(get(base_url, None), 401, 1001)


@pytest.mark.parametrize("value", [""])
def test_empty_header_is_1001(base_url: str, value: str) -> None:
    """An empty (or blank) Authorization header counts as missing -> 401/1001."""
    assert_error(get(base_url, value), 401, 1001)


@pytest.mark.parametrize(
    "value",
    [
        "Basic b21uaTpkZXY=",
        "Token omni-dev-api-key",
        "Bearer",
        "Bearer  omni-dev-api-key",
        "Bearer not-a-key-nor-a-jwt",
        "omni-dev-api-key",
    ],
)
def test_other_scheme_or_malformed_is_1002(base_url: str, value: str) -> None:
    """Another scheme, no token, two spaces or garbage -> 401/1002."""
    assert_error(get(base_url, value), 401, 1002)


def test_bad_signature_is_1002(base_url: str) -> None:
    """A JWT signed with the wrong secret -> 1002."""
    assert_error(get(base_url, "Bearer " + make_jwt(sk="wrong-secret")), 401, 1002)


def test_unknown_access_key_is_1002(base_url: str) -> None:
    """A JWT whose iss is no known access key -> 1002."""
    assert_error(get(base_url, "Bearer " + make_jwt(ak="ak-nobody")), 401, 1002)


def test_alg_none_is_1002(base_url: str) -> None:
    """An unsigned (alg none) token is refused -> 1002."""
    now = int(time.time())
    token = jwt.encode({"iss": "ak-omni-dev", "exp": now + 600}, key=None, algorithm="none")
    assert_error(get(base_url, "Bearer " + token), 401, 1002)


def test_token_without_exp_is_1002(base_url: str) -> None:
    """A token without exp is invalid -> 1002 [decided]."""
    assert_error(get(base_url, "Bearer " + make_jwt(exp=None)), 401, 1002)


def test_nbf_in_future_is_1003(base_url: str) -> None:
    """nbf five minutes ahead -> 1003."""
    token = make_jwt(nbf=int(time.time()) + 300)
    assert_error(get(base_url, "Bearer " + token), 401, 1003)


def test_expired_is_1004(base_url: str) -> None:
    """exp five minutes ago -> 1004."""
    now = int(time.time())
    token = make_jwt(exp=now - 300, nbf=now - 900)
    assert_error(get(base_url, "Bearer " + token), 401, 1004)


def test_exp_beyond_the_server_lifetime_is_1000(base_url: str) -> None:
    """A token failing for another reason (exp ten years ahead, server policy) -> 1000."""
    token = make_jwt(exp=int(time.time()) + 10 * 365 * 86400)
    assert_error(get(base_url, "Bearer " + token), 401, 1000)


@pytest.mark.parametrize(
    "claims",
    [{"iat": "yesterday"}, {"iat": 4_000_000_000}, {"aud": "someone-else"}, {"aud": ["a", "b"]}],
)
def test_iat_and_aud_are_not_checked(base_url: str, claims: dict[str, Any]) -> None:
    """The contract's token is {iss, exp, nbf}: any iat (future, non-numeric) or aud is accepted."""
    assert get(base_url, "Bearer " + make_jwt(**claims)).status_code == 200


@pytest.mark.parametrize("claims", [{"exp": True}, {"nbf": False}, {"exp": "soon"}])
def test_non_numeric_exp_or_nbf_is_1002(base_url: str, claims: dict[str, Any]) -> None:
    """exp/nbf that are booleans or strings are malformed claims -> 1002 (not read as 1 or 0)."""
    assert_error(get(base_url, "Bearer " + make_jwt(**claims)), 401, 1002)


def test_small_clock_skew_is_tolerated(base_url: str) -> None:
    """nbf 10 s ahead is within the allowed skew: accepted."""
    token = make_jwt(nbf=int(time.time()) + 10)
    assert get(base_url, "Bearer " + token).status_code == 200


def test_token_without_nbf_is_accepted(base_url: str) -> None:
    """nbf is optional."""
    assert get(base_url, "Bearer " + make_jwt(nbf=None)).status_code == 200


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_bearer_word_is_case_insensitive(base_url: str, scheme: str) -> None:
    """The scheme word matches case-insensitively (JWT and API key)."""
    assert get(base_url, f"{scheme} {make_jwt()}").status_code == 200
    assert get(base_url, f"{scheme} omni-dev-api-key").status_code == 200


def test_second_user_jwt_works(base_url: str) -> None:
    """Every configured user can authenticate with its own secret."""
    from tests.reference_server.helpers import OTHER_SK

    assert get(base_url, "Bearer " + make_jwt(ak=OTHER_AK, sk=OTHER_SK)).status_code == 200
    assert get(base_url, "Bearer " + make_jwt(ak=OTHER_AK, sk=DEV_SK)).status_code == 401
