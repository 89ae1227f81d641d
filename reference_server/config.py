"""Server settings: one frozen dataclass built by the CLI (flags and OMNI_SERVER_* env vars)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from reference_server.simulation_settings import SimulationSettings

# Development credentials and defaults shared by the whole project (docs/reference-server.md).
DEV_ACCESS_KEY = "ak-omni-dev"
DEV_SECRET_KEY = "sk-omni-dev-secret-0123456789abcdef"
DEV_API_KEY = "omni-dev-api-key"
DEFAULT_ELEMENT_IDS = tuple(range(1001, 1013))
DEFAULT_FAILURE_MARKER = "omni:fail"
DEFAULT_STEP_DELAY = 0.2
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_DATABASE = Path(".omni/reference.sqlite3")
DEFAULT_JWT_MAX_LIFETIME = 86400  # seconds a JWT's exp may lie ahead (0 on the CLI: no limit)
DEFAULT_CALLBACK_TIMEOUT = 5.0

# URL host policies for reference-image fetches and callback deliveries.
URL_POLICY_ALLOW_LOOPBACK = "allow-loopback"  # any host, loopback included (the default)
URL_POLICY_PUBLIC_ONLY = "public-only"  # refuse loopback, private, link-local, reserved addresses
URL_POLICY_LOOPBACK_ONLY = "loopback-only"  # only loopback (sandboxes, tests): no packet leaves
URL_POLICIES = (URL_POLICY_ALLOW_LOOPBACK, URL_POLICY_PUBLIC_ONLY, URL_POLICY_LOOPBACK_ONLY)


@dataclass(frozen=True)
class ServerSettings:
    """Everything the app needs to run; `public_url` is where result image URLs point."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    database: Path = DEFAULT_DATABASE
    database_url: str | None = None  # postgresql://...: used instead of the SQLite `database`
    workers: int = 1
    users: dict[str, str] = field(default_factory=lambda: {DEV_ACCESS_KEY: DEV_SECRET_KEY})
    api_keys: dict[str, str] = field(default_factory=lambda: {DEV_API_KEY: DEV_ACCESS_KEY})
    element_ids: frozenset[int] = frozenset(DEFAULT_ELEMENT_IDS)
    webhook_secret: str | None = None  # one whsec_ secret, or several comma-separated, newest first
    step_delay: float = DEFAULT_STEP_DELAY
    failure_marker: str = DEFAULT_FAILURE_MARKER
    url_policy: str = URL_POLICY_ALLOW_LOOPBACK
    public_url: str = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
    url_fetch_timeout: float = 10.0
    url_fetch_max_redirects: int = 3
    callback_timeout: float = DEFAULT_CALLBACK_TIMEOUT
    callback_max_attempts: int = 8
    callback_retry_base: float = 0.5
    jwt_leeway_seconds: int = 60
    jwt_max_lifetime_seconds: int | None = DEFAULT_JWT_MAX_LIFETIME
    simulation: SimulationSettings = field(default_factory=SimulationSettings)

    @property
    def store_location(self) -> str | Path:
        """What `store_open.open_store` opens: the PostgreSQL URL if given, else the SQLite file."""
        return self.database_url or self.database

    @property
    def webhook_secrets(self) -> tuple[str, ...]:
        """The configured webhook secrets, newest first (several during a key rotation)."""
        return parse_webhook_secrets(self.webhook_secret or "")

    @property
    def results_dir(self) -> Path:
        """Where rendered result images are cached: next to the SQLite database, or (PostgreSQL)
        in a folder of this machine named after the database URL (rendering is deterministic,
        so every machine serves the same bytes)."""
        if self.database_url:
            digest = hashlib.sha256(self.database_url.encode()).hexdigest()[:16]
            return DEFAULT_DATABASE.parent / f"postgres-{digest}.results"
        return self.database.with_name(self.database.name + ".results")


def parse_users(text: str) -> dict[str, str]:
    """`AK:SK,AK2:SK2` -> {AK: SK}; ValueError says which entry is malformed."""
    return _parse_pairs(text, "--users", "ACCESS_KEY:SECRET_KEY")


def parse_api_keys(text: str) -> dict[str, str]:
    """`KEY:AK,...` -> {KEY: AK}."""
    return _parse_pairs(text, "--api-keys", "API_KEY:ACCESS_KEY")


def parse_webhook_secrets(text: str) -> tuple[str, ...]:
    """`whsec_new,whsec_old` -> the secrets in order, newest first (Base64 has no commas)."""
    return tuple(filter(None, (part.strip() for part in text.split(","))))


def parse_element_ids(text: str) -> frozenset[int]:
    """`1001,1002` or `1001-1012` ranges -> a set of ids."""
    ids: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        low, sep, high = part.partition("-")
        try:
            if sep:
                ids.update(range(int(low), int(high) + 1))
            else:
                ids.add(int(part))
        except ValueError:
            raise ValueError(f"--element-ids: {part!r} is not an integer or a range A-B") from None
    return frozenset(ids)


def _parse_pairs(text: str, flag: str, shape: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key, sep, value = part.partition(":")
        if not sep or not key or not value:
            raise ValueError(f"{flag}: {part!r} is not of the form {shape}")
        pairs[key] = value
    return pairs
