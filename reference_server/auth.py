"""Authentication (contract "Authentication", rules `auth-codes` and `auth-api-key`).

`Authorization: Bearer <token>`: the scheme word is case-insensitive, one space; the token is a
plain API key or an HS256 JWT `{"iss": ACCESS_KEY, "exp": ..., "nbf": ...}` signed with the
user's SECRET_KEY. Codes: 1001 missing/empty header, 1002 malformed/bad signature/unknown key/
alg none/another scheme/no exp, 1003 nbf in the future, 1004 expired, 1000 anything else.
Server policy (docs/reliability.md): `exp` further ahead than the maximum lifetime (plus the
leeway) is 1000, so a leaked long-lived token cannot be used for years.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import jwt

from reference_server import codes
from reference_server.envelope import ApiError

JWT_ALGORITHM = "HS256"
TIME_CLAIMS = ("exp", "nbf")
# The contract's token is {iss, exp, nbf}: it says nothing about iat or aud, so neither is checked
# (a future iat, a non-numeric iat or any aud is not a reason to refuse a token).
DECODE_OPTIONS: jwt.types.Options = {"require": ["exp"], "verify_iat": False, "verify_aud": False}


def authenticate(
    header: str | None,
    users: Mapping[str, str],
    api_keys: Mapping[str, str],
    leeway_seconds: int,
    max_lifetime_seconds: int | None = None,
) -> str:
    """The caller's access key, or ApiError with the contract's 1000..1004 code."""
    token = _bearer_token(header)
    if token in api_keys:
        return api_keys[token]
    return _verify_jwt(token, users, leeway_seconds, max_lifetime_seconds)


def _bearer_token(header: str | None) -> str:
    # An empty header counts as missing (1001); another scheme is 1002 [decided].
    if header is None or not header.strip():
        raise ApiError(codes.AUTH_MISSING, "Authorization header is missing")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        raise ApiError(codes.AUTH_INVALID, "Authorization scheme must be Bearer")
    if not token or token != token.strip():
        raise ApiError(
            codes.AUTH_INVALID, "Authorization must be 'Bearer <token>' with exactly one space"
        )
    return token


def _verify_jwt(
    token: str, users: Mapping[str, str], leeway_seconds: int, max_lifetime_seconds: int | None
) -> str:
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise ApiError(
            codes.AUTH_INVALID, "token is neither a known API key nor a well-formed JWT"
        ) from None
    if header.get("alg") != JWT_ALGORITHM:
        raise ApiError(codes.AUTH_INVALID, f"token algorithm must be {JWT_ALGORITHM}")
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or issuer not in users:
        raise ApiError(codes.AUTH_INVALID, "token issuer (iss) is not a known access key")
    for name in TIME_CLAIMS:
        if isinstance(claims.get(name), bool):  # PyJWT would read true as 1 (1970)
            raise ApiError(codes.AUTH_INVALID, f"token {name} must be a number, not a boolean")
    try:
        jwt.decode(
            token,
            users[issuer],
            algorithms=[JWT_ALGORITHM],
            options=DECODE_OPTIONS,
            leeway=leeway_seconds,
        )
    except jwt.ExpiredSignatureError:
        raise ApiError(codes.AUTH_EXPIRED, "token expired") from None
    except jwt.ImmatureSignatureError:
        raise ApiError(
            codes.AUTH_NOT_YET_VALID, "token not yet valid (nbf is in the future)"
        ) from None
    except jwt.MissingRequiredClaimError:
        raise ApiError(codes.AUTH_INVALID, "token has no exp claim") from None
    except (jwt.InvalidSignatureError, jwt.DecodeError):
        raise ApiError(codes.AUTH_INVALID, "token signature or claims are invalid") from None
    except jwt.PyJWTError as exc:
        raise ApiError(codes.AUTH_OTHER, f"authentication failed: {exc}") from None
    expires = claims.get("exp")  # a number here: PyJWT has validated it
    ahead = float(expires) - time.time() if isinstance(expires, (int, float)) else 0.0
    if max_lifetime_seconds is not None and ahead > max_lifetime_seconds + leeway_seconds:
        raise ApiError(
            codes.AUTH_OTHER,
            f"token exp is more than {max_lifetime_seconds} s ahead, this server's maximum "
            "token lifetime",
        )
    return issuer
