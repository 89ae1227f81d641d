"""JWTs the way API-FACTS "Authentication" describes them, plus the broken ones auth checks send.

Valid token: header {"alg": "HS256", "typ": "JWT"},
payload {"iss": AK, "exp": now+1800, "nbf": now-5},
HMAC-SHA256 with the secret key. Offsets of broken tokens are >= 5 minutes [decided].
"""

from __future__ import annotations

import base64
import json
import time
import warnings
from typing import Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from omni_client.auth import KlingJWTAuth

TOKEN_LIFETIME = 1800
REFRESH_MARGIN = 60
NBF_SLACK = 5
# Conformance checks use offsets of at least 5 minutes so a 60 s clock skew allowance never matters.
SKEW_SAFE_OFFSET = 600


def sign_token(
    access_key: str,
    secret_key: str,
    *,
    now: float | None = None,
    exp_offset: int | None = TOKEN_LIFETIME,
    nbf_offset: int | None = -NBF_SLACK,
) -> str:
    """A HS256 token for access_key; `exp_offset=None` omits exp, `nbf_offset=None` omits nbf."""
    issued = int(time.time() if now is None else now)
    payload: dict[str, Any] = {"iss": access_key}
    if exp_offset is not None:
        payload["exp"] = issued + exp_offset
    if nbf_offset is not None:
        payload["nbf"] = issued + nbf_offset
    with warnings.catch_warnings():
        # The contract fixes no secret length: a short secret is not a finding.
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(payload, secret_key, algorithm="HS256", headers={"typ": "JWT"})


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unsigned_token(access_key: str) -> str:
    """An `alg: none` token for access_key (must be refused: 1002)."""
    header = _b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    now = int(time.time())
    payload = _b64url(
        json.dumps({"iss": access_key, "exp": now + TOKEN_LIFETIME, "nbf": now - 5}).encode()
    )
    return f"{header}.{payload}."


def redact_token(value: str) -> str:
    """Keep a JWT's header and payload (they explain the case), drop its signature."""
    parts = value.split(".")
    if len(parts) == 3 and parts[2]:
        return f"{parts[0]}.{parts[1]}.<signature-redacted>"
    if len(parts) == 3:
        return value
    return "<redacted>"


class TokenSource:
    """One user's keys: valid tokens come from omni_client's KlingJWTAuth (cached, re-signed a
    minute before expiry); `sign` makes tokens with custom offsets for the auth checks."""

    def __init__(self, access_key: str, secret_key: str) -> None:
        self.access_key = access_key
        self._secret_key = secret_key
        self._auth = KlingJWTAuth(
            access_key, secret_key, lifetime=TOKEN_LIFETIME, refresh_margin=60
        )

    def token(self) -> str:
        """A token valid for at least another minute."""
        return self._auth.token()

    def sign(self, **kwargs: Any) -> str:
        """A token with custom offsets (see `sign_token`) for this user's keys."""
        return sign_token(self.access_key, self._secret_key, **kwargs)
