"""How the suite sets Schemathesis up: tokens that outlive their cache, bodies that stay on
loopback."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest

from conformance.schemathesis_bodies import LoopbackUrls, loopback_body
from conformance.schemathesis_phase import (
    CHECKS,
    REFRESH_SECONDS,
    jwt_auth_provider,
    phase_config,
)
from conformance.tokens import TOKEN_LIFETIME, TokenSource
from omni_spec import load_contract

SECRET = "sk-test-secret-long-enough-for-hs256"
ORIGIN = "http://127.0.0.1:5555"
URLS = LoopbackUrls(ORIGIN, f"{ORIGIN}/callbacks/run", f"{ORIGIN}/images/ref.png")
# A skew a server may allow (the contract's "Authentication"): a cached token must outlast it too.
ALLOWED_SKEW = 60


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})


def test_schemathesis_tokens_outlive_their_cache() -> None:
    """The provider signs a full-lifetime token on every call, and Schemathesis' cache period is
    shorter than that lifetime minus the skew, so no request carries an expired token."""
    tokens = TokenSource("ak-test", SECRET)
    tokens.token()  # warm KlingJWTAuth's cache: the provider must not hand that one out
    provider = jwt_auth_provider(tokens)()
    before = int(time.time())
    claims = _claims(provider.get(None, None))
    assert claims["exp"] >= before + TOKEN_LIFETIME
    assert REFRESH_SECONDS < TOKEN_LIFETIME - ALLOWED_SKEW


def test_positive_acceptance_does_not_tolerate_401_or_403() -> None:
    """A positive case refused for authentication would be a failure, not hidden."""
    statuses = CHECKS["positive_data_acceptance"]["expected-statuses"]
    assert "401" not in statuses and "403" not in statuses
    phase_config("http://127.0.0.1:1", "fuzzing", seed=1, max_examples=1)  # Schemathesis takes it


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"prompt": "p", "callback_url": "https://example.com/hooks/kling"},
            {"prompt": "p", "callback_url": URLS.callback_url},
        ),
        (
            {
                "prompt": "p",
                "image_list": [{"image": "HTTPS://evil.test/a.png"}, {"image": "iVBO"}],
            },
            {"prompt": "p", "image_list": [{"image": URLS.image_url}, {"image": "iVBO"}]},
        ),
        # Malformed URLs keep what makes them malformed; only the host becomes the receiver.
        (
            {"prompt": "p", "callback_url": " http://evil.test/x y"},
            {"prompt": "p", "callback_url": f" {ORIGIN}/x y"},
        ),
        ({"prompt": "p", "callback_url": "http:///no-host"}, None),
        ({"prompt": "p", "callback_url": 42}, None),
        ([{"callback_url": "https://example.com"}], None),
    ],
)
def test_loopback_body_points_urls_at_the_receiver(body: Any, expected: Any) -> None:
    """Every http(s) URL naming a host is rewritten to the receiver; None = body unchanged."""
    assert loopback_body(load_contract(), body, URLS) == (body if expected is None else expected)


def test_loopback_body_keeps_schema_validity() -> None:
    """Rewriting never turns a schema-invalid body valid or a valid one invalid."""
    contract = load_contract()
    validator = contract.schema_validator("CreateTaskRequest")
    bodies: list[dict[str, Any]] = [
        {"prompt": "p", "callback_url": "https://example.com/x"},
        {"prompt": "p", "callback_url": "https://example.com/x y"},
        {"prompt": "p", "callback_url": "\thttps://example.com/x"},
        {"prompt": "p", "image_list": [{"image": "http://a.test/i.png"}], "n": 0},
    ]
    for body in bodies:
        edited = loopback_body(contract, body, URLS)
        assert validator.is_valid(edited) == validator.is_valid(body), body
