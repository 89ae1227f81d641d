"""JWTs as the contract's "Authentication" describes them, plus the broken ones checks send.

Valid tokens are signed by omni_client's `KlingJWTAuth` (header {"alg": "HS256", "typ": "JWT"},
payload {"iss": AK, "exp": now+1800, "nbf": now-5}); this module only adds the deliberately broken
ones. Offsets of broken tokens are >= 5 minutes [decided].
"""

from __future__ import annotations

import base64
import json
import time
import warnings

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from omni_client.auth import (
    DEFAULT_LIFETIME_SECONDS,
    DEFAULT_NOT_BEFORE_OFFSET_SECONDS,
    JWT_ALGORITHM,
    JWT_HEADER,
    KlingJWTAuth,
)

TOKEN_LIFETIME = DEFAULT_LIFETIME_SECONDS
# Conformance checks use offsets of at least 5 minutes so a 60 s clock skew allowance never matters.
SKEW_SAFE_OFFSET = 600


def valid_token(access_key: str, secret_key: str) -> str:
    """A freshly signed, full-lifetime token (also how the wrong-secret/unknown-key cases are
    made: a valid token for keys the server does not know)."""
    return KlingJWTAuth(access_key, secret_key, lifetime=TOKEN_LIFETIME).sign().token


def not_yet_valid_token(access_key: str, secret_key: str) -> str:
    """`nbf` SKEW_SAFE_OFFSET seconds in the future (must be refused: not_yet_valid)."""
    auth = KlingJWTAuth(access_key, secret_key, not_before_offset=-SKEW_SAFE_OFFSET)
    return auth.sign().token


def expired_token(access_key: str, secret_key: str) -> str:
    """Signed as if a lifetime plus SKEW_SAFE_OFFSET ago: `exp` lies SKEW_SAFE_OFFSET seconds in
    the past (must be refused: expired)."""

    def long_ago() -> float:
        return time.time() - TOKEN_LIFETIME - SKEW_SAFE_OFFSET

    return KlingJWTAuth(access_key, secret_key, clock=long_ago).sign().token


def token_without_exp(access_key: str, secret_key: str) -> str:
    """Correctly signed but without `exp` (must be refused: invalid [decided])."""
    claims = {"iss": access_key, "nbf": int(time.time()) - DEFAULT_NOT_BEFORE_OFFSET_SECONDS}
    with warnings.catch_warnings():
        # The contract fixes no secret length: a short secret is not a finding.
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(claims, secret_key, algorithm=JWT_ALGORITHM, headers=JWT_HEADER)


def token_with_claims(
    access_key: str,
    secret_key: str,
    *,
    lifetime: int = TOKEN_LIFETIME,
    extra: dict[str, object] | None = None,
    issued_at: bool = False,
) -> str:
    """A correctly signed token with another lifetime or extra claims, for the silences on a
    far-future `exp` and on claims other than iss/exp/nbf (the suite only notes the answer)."""
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": access_key,
        "exp": now + lifetime,
        "nbf": now - DEFAULT_NOT_BEFORE_OFFSET_SECONDS,
    }
    if issued_at:
        claims["iat"] = now
    claims.update(extra or {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return jwt.encode(claims, secret_key, algorithm=JWT_ALGORITHM, headers=JWT_HEADER)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unsigned_token(access_key: str) -> str:
    """An `alg: none` token for access_key (must be refused: invalid)."""
    header = _b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    now = int(time.time())
    claims = {
        "iss": access_key,
        "exp": now + TOKEN_LIFETIME,
        "nbf": now - DEFAULT_NOT_BEFORE_OFFSET_SECONDS,
    }
    return f"{header}.{_b64url(json.dumps(claims).encode())}."


def redact_token(value: str) -> str:
    """Keep a JWT's header and payload (they explain the case), drop its signature."""
    parts = value.split(".")
    if len(parts) == 3 and parts[2]:
        return f"{parts[0]}.{parts[1]}.<signature-redacted>"
    if len(parts) == 3:
        return value
    return "<redacted>"


class TokenSource:
    """One user's keys: valid tokens from omni_client's KlingJWTAuth, broken ones for the auth
    checks."""

    def __init__(self, access_key: str, secret_key: str) -> None:
        self.access_key = access_key
        self._secret_key = secret_key
        self._auth = KlingJWTAuth(access_key, secret_key, lifetime=TOKEN_LIFETIME)

    def token(self) -> str:
        """The cached token, re-signed by KlingJWTAuth before its refresh margin (per request)."""
        return self._auth.token()

    def fresh_token(self) -> str:
        """A newly signed token with the whole TOKEN_LIFETIME ahead, for callers that cache it
        themselves (Schemathesis' auth provider)."""
        return self._auth.sign().token

    def not_yet_valid(self) -> str:
        """This user's token with `nbf` in the future."""
        return not_yet_valid_token(self.access_key, self._secret_key)

    def expired(self) -> str:
        """This user's token that expired SKEW_SAFE_OFFSET seconds ago."""
        return expired_token(self.access_key, self._secret_key)

    def without_exp(self) -> str:
        """This user's correctly signed token lacking `exp`."""
        return token_without_exp(self.access_key, self._secret_key)
