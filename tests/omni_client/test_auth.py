"""Tests of omni_client.auth: Kling JWT signing, caching and refresh; API key bearer."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest
from freezegun import freeze_time

from omni_client.auth import ApiKeyAuth, KlingJWTAuth
from omni_client.factory import DEV_ACCESS_KEY, DEV_SECRET_KEY

NOW = 1_800_000_000


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _claims(token: str) -> dict[str, Any]:
    """Verified signature, time claims not checked against the real clock."""
    return jwt.decode(
        token,
        DEV_SECRET_KEY,
        algorithms=["HS256"],
        options={"verify_exp": False, "verify_nbf": False},
    )


def _bearer(auth: httpx.Auth) -> str:
    request = httpx.Request("GET", "http://127.0.0.1:8000/v1/images/omni-image")
    header = next(auth.auth_flow(request)).headers["Authorization"]
    scheme, _, token = header.partition(" ")
    assert scheme == "Bearer"
    return token


def test_claims_follow_the_contract() -> None:
    """The payload is exactly {iss: AK, exp: now+1800, nbf: now-5}."""
    token = _bearer(KlingJWTAuth(DEV_ACCESS_KEY, DEV_SECRET_KEY, clock=FakeClock()))
    assert _claims(token) == {"iss": DEV_ACCESS_KEY, "exp": NOW + 1800, "nbf": NOW - 5}


def test_header_is_hs256_jwt() -> None:
    """The JOSE header is {"alg": "HS256", "typ": "JWT"}."""
    token = _bearer(KlingJWTAuth(DEV_ACCESS_KEY, DEV_SECRET_KEY, clock=FakeClock()))
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}


def test_token_verifies_with_pyjwt_now() -> None:
    """A token signed at the real time verifies with the secret, requiring iss, exp and nbf."""
    token = _bearer(KlingJWTAuth(DEV_ACCESS_KEY, DEV_SECRET_KEY))
    claims = jwt.decode(
        token,
        DEV_SECRET_KEY,
        algorithms=["HS256"],
        issuer=DEV_ACCESS_KEY,
        options={"require": ["iss", "exp", "nbf"]},
    )
    assert claims["iss"] == DEV_ACCESS_KEY


def test_wrong_secret_does_not_verify() -> None:
    """A token does not verify with another secret."""
    token = _bearer(KlingJWTAuth(DEV_ACCESS_KEY, DEV_SECRET_KEY))
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-of-sufficient-length", algorithms=["HS256"])


def test_expiry_and_not_before_are_enforced_by_pyjwt() -> None:
    """Under a frozen clock PyJWT rejects the token before nbf and after exp."""
    with freeze_time("2027-01-15 12:00:00") as frozen:
        token = _bearer(KlingJWTAuth(DEV_ACCESS_KEY, DEV_SECRET_KEY, lifetime=600))
        frozen.tick(-6)
        with pytest.raises(jwt.ImmatureSignatureError):
            jwt.decode(token, DEV_SECRET_KEY, algorithms=["HS256"])
        frozen.tick(6 + 599)
        assert jwt.decode(token, DEV_SECRET_KEY, algorithms=["HS256"])["iss"] == DEV_ACCESS_KEY
        frozen.tick(2)
        with pytest.raises(jwt.ExpiredSignatureError):
            jwt.decode(token, DEV_SECRET_KEY, algorithms=["HS256"])


def test_token_is_cached_until_the_refresh_margin() -> None:
    """The same token is reused until `refresh_margin` before exp, then a new one is signed."""
    clock = FakeClock()
    auth = KlingJWTAuth(
        DEV_ACCESS_KEY, DEV_SECRET_KEY, lifetime=1800, refresh_margin=120, clock=clock
    )
    first = _bearer(auth)
    clock.now = NOW + 1800 - 121
    assert _bearer(auth) == first
    clock.now = NOW + 1800 - 120
    second = _bearer(auth)
    assert second != first
    assert _claims(second)["exp"] == NOW + 1800 - 120 + 1800


def test_refresh_with_freezegun_clock() -> None:
    """With the default clock under freezegun, moving past the margin re-signs the token."""
    with freeze_time("2027-01-15 12:00:00") as frozen:
        auth = KlingJWTAuth(DEV_ACCESS_KEY, DEV_SECRET_KEY, lifetime=300, refresh_margin=60)
        first = _bearer(auth)
        frozen.tick(239)
        assert _bearer(auth) == first
        frozen.tick(1)
        assert _bearer(auth) != first


def test_custom_lifetime_and_offset() -> None:
    """lifetime and not_before_offset are parameters, not constants."""
    auth = KlingJWTAuth(
        DEV_ACCESS_KEY,
        DEV_SECRET_KEY,
        lifetime=60,
        not_before_offset=0,
        refresh_margin=0,
        clock=FakeClock(),
    )
    claims = _claims(_bearer(auth))
    assert (claims["exp"], claims["nbf"]) == (NOW + 60, NOW)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"access_key": ""}, "access_key"),
        ({"secret_key": ""}, "secret_key"),
        ({"lifetime": 0}, "lifetime"),
        ({"refresh_margin": 1800}, "refresh_margin"),
    ],
)
def test_bad_parameters_are_refused(kwargs: dict[str, Any], fragment: str) -> None:
    """Empty keys and a margin not below the lifetime are ValueErrors naming the parameter."""
    arguments = {"access_key": DEV_ACCESS_KEY, "secret_key": DEV_SECRET_KEY, **kwargs}
    with pytest.raises(ValueError, match=fragment):
        KlingJWTAuth(**arguments)


def test_repr_hides_the_secret() -> None:
    """The secret key never appears in repr."""
    assert DEV_SECRET_KEY not in repr(KlingJWTAuth(DEV_ACCESS_KEY, DEV_SECRET_KEY))
    assert "omni-dev-api-key" not in repr(ApiKeyAuth("omni-dev-api-key"))


def test_api_key_is_the_bearer_value() -> None:
    """ApiKeyAuth sends `Bearer <key>` with one space."""
    assert _bearer(ApiKeyAuth("omni-dev-api-key")) == "omni-dev-api-key"


def test_auth_works_with_async_client() -> None:
    """The same auth object signs requests of an httpx.AsyncClient."""
    import asyncio

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(200, json={})

    async def run() -> None:
        auth = KlingJWTAuth(DEV_ACCESS_KEY, DEV_SECRET_KEY)
        async with httpx.AsyncClient(auth=auth, transport=httpx.MockTransport(handler)) as client:
            await client.get("http://127.0.0.1:8000/x")

    asyncio.run(run())
    token = seen[0].removeprefix("Bearer ")
    assert jwt.decode(token, DEV_SECRET_KEY, algorithms=["HS256"])["iss"] == DEV_ACCESS_KEY
