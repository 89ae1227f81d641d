"""httpx authentication for the Omni-Image API: signed Kling JWTs, or a plain API key.

Contract (docs/contract.md "Authentication", spec `components/securitySchemes/bearerAuth`): every
request carries `Authorization: Bearer <token>` with one space. The token is an HS256 JWT with
header `{"alg": "HS256", "typ": "JWT"}` and payload
`{"iss": ACCESS_KEY, "exp": now+1800, "nbf": now-5}` signed with the SECRET_KEY; 1800 and 5 are
the documented example values, so they are parameters here. A plain API key is accepted as the
bearer value too (rule `auth-api-key`).
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable, Generator
from dataclasses import dataclass

import httpx
import jwt

JWT_ALGORITHM = "HS256"
JWT_HEADER = {"alg": JWT_ALGORITHM, "typ": "JWT"}
DEFAULT_LIFETIME_SECONDS = 1800  # the contract's example `exp = now + 1800`
DEFAULT_NOT_BEFORE_OFFSET_SECONDS = 5  # the contract's example `nbf = now - 5`
# Re-sign this long before `exp`: a token about to expire may expire in flight, and a server may
# allow up to 60 s of clock skew (docs/contract.md, "Authentication"): keep a larger margin.
DEFAULT_REFRESH_MARGIN_SECONDS = 120


def system_time() -> float:
    """`time.time()`, looked up at each call so that clock patching (freezegun) applies."""
    return time.time()


def bearer_header_value(token: str) -> str:
    """`Bearer <token>` with exactly one space (docs/contract.md, "Authentication")."""
    return f"Bearer {token}"


@dataclass(frozen=True)
class SignedToken:
    """A signed JWT and the epoch second at which it expires."""

    token: str
    expires_at: int


class KlingJWTAuth(httpx.Auth):
    """Sign Kling JWTs with an access key and secret key; cache and re-sign before expiry.

    >>> import jwt
    >>> secret = "sk-omni-dev-secret-0123456789abcdef"
    >>> auth = KlingJWTAuth("ak-omni-dev", secret, clock=lambda: 1_800_000_000)
    >>> claims = jwt.decode(auth.token(), secret, algorithms=["HS256"],
    ...                     options={"verify_exp": False, "verify_nbf": False})
    >>> claims == {"iss": "ak-omni-dev", "exp": 1_800_001_800, "nbf": 1_799_999_995}
    True
    """

    def __init__(
        self,
        access_key: str,
        secret_key: str,
        *,
        lifetime: int = DEFAULT_LIFETIME_SECONDS,
        not_before_offset: int = DEFAULT_NOT_BEFORE_OFFSET_SECONDS,
        refresh_margin: int = DEFAULT_REFRESH_MARGIN_SECONDS,
        clock: Callable[[], float] = system_time,
    ) -> None:
        if not access_key:
            raise ValueError("access_key must not be empty")
        if not secret_key:
            raise ValueError("secret_key must not be empty")
        if lifetime <= 0:
            raise ValueError("lifetime must be positive")
        if not 0 <= refresh_margin < lifetime:
            raise ValueError("refresh_margin must be in [0, lifetime)")
        self.access_key = access_key
        self._secret_key = secret_key
        self.lifetime = lifetime
        self.not_before_offset = not_before_offset
        self.refresh_margin = refresh_margin
        self._clock = clock
        self._lock = threading.Lock()  # one client may be shared by threads
        self._cached: SignedToken | None = None

    def __repr__(self) -> str:
        # Never show the secret key.
        return f"KlingJWTAuth(access_key={self.access_key!r}, lifetime={self.lifetime})"

    def sign(self) -> SignedToken:
        """A freshly signed token, without touching the cache."""
        now = int(self._clock())
        expires_at = now + self.lifetime
        claims = {"iss": self.access_key, "exp": expires_at, "nbf": now - self.not_before_offset}
        with warnings.catch_warnings():
            # The key length is the key issuer's choice (a real secret may be under 32 bytes);
            # warning the client's user about it at every signature helps nobody.
            warnings.simplefilter("ignore", jwt.InsecureKeyLengthWarning)
            token = jwt.encode(
                claims, self._secret_key, algorithm=JWT_ALGORITHM, headers=JWT_HEADER
            )
        return SignedToken(token=token, expires_at=expires_at)

    def token(self) -> str:
        """The cached token, re-signed when less than `refresh_margin` seconds remain."""
        with self._lock:
            cached = self._cached
            if cached is None or self._clock() >= cached.expires_at - self.refresh_margin:
                cached = self._cached = self.sign()
            return cached.token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Set the bearer header (used by both httpx.Client and httpx.AsyncClient)."""
        request.headers["Authorization"] = bearer_header_value(self.token())
        yield request


class ApiKeyAuth(httpx.Auth):
    """Send a plain API key as the bearer value (rule `auth-api-key`).

    >>> request = httpx.Request("GET", "http://127.0.0.1:8000/v1/images/omni-image")
    >>> next(ApiKeyAuth("omni-dev-api-key").auth_flow(request)).headers["Authorization"]
    'Bearer omni-dev-api-key'
    """

    def __init__(self, api_key: str) -> None:
        if not api_key:
            raise ValueError("api_key must not be empty")
        self._api_key = api_key

    def __repr__(self) -> str:
        return "ApiKeyAuth(api_key='***')"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Set the bearer header to the API key."""
        request.headers["Authorization"] = bearer_header_value(self._api_key)
        yield request
