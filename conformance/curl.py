"""Render an HTTP exchange as a `curl` line that reproduces it, with secrets redacted."""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from conformance.tokens import redact_token

MAX_INLINE_BODY = 2000
SHOWN_HEADERS = ("authorization", "content-type")


def redact_header(name: str, value: str) -> str:
    """Hide credentials: JWT signatures and plain API keys."""
    if name.lower() != "authorization":
        return value
    scheme, _, credential = value.partition(" ")
    if not credential:
        return value if not scheme or "." not in scheme else "<redacted>"
    if credential.count(".") == 2:
        return f"{scheme} {redact_token(credential)}"
    if credential.strip() in ("", "garbage"):
        return value
    return f"{scheme} <api-key-or-credential-redacted>"


def render_curl(method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> str:
    """`curl -sS -i -X METHOD URL -H ... --data-binary ...`; big bodies are summarised."""
    parts = ["curl", "-sS", "-i", "-X", method, shlex.quote(url)]
    for name, value in headers.items():
        if name.lower() in SHOWN_HEADERS:
            parts += ["-H", shlex.quote(f"{name}: {redact_header(name, value)}")]
    if body:
        if len(body) <= MAX_INLINE_BODY:
            parts += ["--data-binary", shlex.quote(body.decode("utf-8", errors="replace"))]
        else:
            parts += ["--data-binary", f"@body.json  # {len(body)} bytes, not inlined"]
    return " ".join(parts)
