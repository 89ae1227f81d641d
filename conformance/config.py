"""Suite options: flag > environment (`OMNI_*`) > `omni-conformance.toml` > defaults.

Every option of `omni-conformance` has one field here, one `OMNI_<FIELD>` environment variable and
one key in the TOML file (`base_url` or `base-url`, top level or under `[conformance]`).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.levels import DEFAULT_LEVEL, LEVELS

ENV_PREFIX = "OMNI_"
CONFIG_FILE_NAME = "omni-conformance.toml"
CONFIG_FILE_ENV = "OMNI_CONFORMANCE_CONFIG"


class ConfigError(ValueError):
    """The options are unusable (missing required value, wrong type): a usage error, exit 2."""


@dataclass(frozen=True)
class SuiteConfig:
    """Everything a run needs. Only `base_url`, `access_key` and `secret_key` are required."""

    base_url: str = ""
    access_key: str = ""
    secret_key: str = ""
    api_key: str | None = None
    second_access_key: str | None = None
    second_secret_key: str | None = None
    element_ids: tuple[int, ...] = ()
    webhook_secret: str | None = None
    failure_prompt: str | None = None
    callback_host: str = "127.0.0.1"
    seed: int | None = None
    max_examples: int = 50
    task_timeout: float = 60.0
    junit_xml: str | None = None
    report: str | None = None
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    request_timeout: float = 30.0
    level: str = DEFAULT_LEVEL
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def has_second_user(self) -> bool:
        """Both halves of the second user's credentials were given."""
        return bool(self.second_access_key and self.second_secret_key)

    def validate(self) -> None:
        """Raise ConfigError when a required option is missing or a value is out of range."""
        missing = [
            name for name in ("base_url", "access_key", "secret_key") if not getattr(self, name)
        ]
        if missing:
            flags = ", ".join("--" + name.replace("_", "-") for name in missing)
            raise ConfigError(f"missing required option(s): {flags}")
        if not self.base_url.startswith(("http://", "https://")):
            raise ConfigError(f"--base-url must be an http(s) URL, got {self.base_url!r}")
        if bool(self.second_access_key) != bool(self.second_secret_key):
            raise ConfigError("--second-access-key and --second-secret-key go together")
        if self.max_examples < 1:
            raise ConfigError("--max-examples must be >= 1")
        if self.task_timeout <= 0:
            raise ConfigError("--task-timeout must be > 0")
        if self.level not in LEVELS:
            raise ConfigError(f"--level must be one of {', '.join(LEVELS)}, got {self.level!r}")

    def redacted(self) -> dict[str, Any]:
        """The options with every secret replaced, for reports."""
        secrets = {"secret_key", "second_secret_key", "api_key", "webhook_secret"}
        return {
            key: ("<redacted>" if key in secrets and value else value)
            for key, value in dataclasses.asdict(self).items()
            if key != "extra"
        }


_FIELDS = {f.name: f for f in dataclasses.fields(SuiteConfig) if f.name != "extra"}
_INT_FIELDS = {"seed", "max_examples"}
_FLOAT_FIELDS = {"task_timeout", "request_timeout"}
_LIST_FIELDS = {"only", "skip"}


def _split_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [item for item in value.replace(",", " ").split() if item]
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    raise ConfigError(f"expected a list, got {value!r}")


def _coerce(name: str, value: Any, source: str) -> Any:
    """Turn a flag/env/TOML value into the field's type; ConfigError names the source."""
    try:
        if name == "element_ids":
            return tuple(int(item) for item in _split_list(value))
        if name in _LIST_FIELDS:
            return tuple(_split_list(value))
        if name in _INT_FIELDS:
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        if name in _FLOAT_FIELDS:
            return float(value)
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{source}: invalid value {value!r} for {name}") from None


def read_env(environ: Mapping[str, str]) -> dict[str, Any]:
    """Options from `OMNI_<FIELD>` environment variables (empty strings count as unset)."""
    values: dict[str, Any] = {}
    for name in _FIELDS:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw:
            values[name] = _coerce(name, raw, f"${ENV_PREFIX}{name.upper()}")
    return values


def read_file(path: Path) -> dict[str, Any]:
    """Options from a TOML file; keys may use `-` or `_`, top level or in `[conformance]`."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
    table = document.get("conformance", document)
    values: dict[str, Any] = {}
    for key, raw in table.items():
        name = key.replace("-", "_")
        if name not in _FIELDS:
            raise ConfigError(f"{path}: unknown option {key!r}")
        values[name] = _coerce(name, raw, str(path))
    return values


def default_config_path(environ: Mapping[str, str]) -> Path | None:
    """$OMNI_CONFORMANCE_CONFIG, else ./omni-conformance.toml when it exists."""
    explicit = environ.get(CONFIG_FILE_ENV)
    if explicit:
        return Path(explicit)
    candidate = Path.cwd() / CONFIG_FILE_NAME
    return candidate if candidate.is_file() else None


def load_config(
    flags: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> SuiteConfig:
    """Merge defaults < file < environment < flags (flags left None count as not given)."""
    env = os.environ if environ is None else environ
    path = config_path if config_path is not None else default_config_path(env)
    merged: dict[str, Any] = {}
    if path is not None:
        merged.update(read_file(path))
    merged.update(read_env(env))
    for name, value in (flags or {}).items():
        if name not in _FIELDS:
            raise ConfigError(f"unknown option {name!r}")
        if value is None or (name in _LIST_FIELDS | {"element_ids"} and not value):
            continue
        merged[name] = _coerce(name, value, "--" + name.replace("_", "-"))
    return SuiteConfig(**merged)
