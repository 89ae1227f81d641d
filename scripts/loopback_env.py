"""Keep script traffic on the machine: no HTTP proxy for loopback, in this process and its children.

Every script here talks only to servers it started on 127.0.0.1. A machine may export
HTTP_PROXY/HTTPS_PROXY/ALL_PROXY (either case); httpx, Schemathesis (requests) and curl-like tools
would then route loopback traffic through that proxy, sending it off the machine. Scripts call
`use_loopback_only_environment()` first thing in `main`, pass `loopback_only_environment()` to the
subprocesses they start and build httpx clients with `trust_env=False`. (tests/conftest.py does the
same for pytest.)
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LOOPBACK_HOSTS = "127.0.0.1,localhost,::1"


def _is_proxy_variable(name: str) -> bool:
    upper = name.upper()
    return upper.endswith("_PROXY") and upper != "NO_PROXY"


def loopback_only_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """A copy of `base` (default os.environ) without *_PROXY variables; NO_PROXY = loopback."""
    source = os.environ if base is None else base
    cleaned = {name: value for name, value in source.items() if not _is_proxy_variable(name)}
    cleaned["NO_PROXY"] = cleaned["no_proxy"] = LOOPBACK_HOSTS
    return cleaned


def use_loopback_only_environment() -> None:
    """Apply loopback_only_environment() to os.environ (children started later inherit it)."""
    for name in [name for name in os.environ if _is_proxy_variable(name)]:
        del os.environ[name]
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = LOOPBACK_HOSTS
