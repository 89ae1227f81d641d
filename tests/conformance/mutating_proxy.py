"""A loopback reverse proxy that plants one bug in a conforming server's answers (test the tester)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx

from scripts.loopback_http import serve_on_loopback

# (method, path, status, JSON body or None) -> (status, JSON body or None)
Mutation = Callable[[str, str, int, Any], tuple[int, Any]]


@contextmanager
def mutating_proxy(upstream: str, mutate: Mutation) -> Iterator[str]:
    """Serve http://127.0.0.1:PORT forwarding to upstream, answers passed through `mutate`."""
    client = httpx.Client(base_url=upstream, timeout=60)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            # h11 refuses control characters that fuzzed headers may carry: drop those headers.
            headers = {
                k: v
                for k, v in self.headers.items()
                if k.lower() not in ("host", "content-length") and v.isprintable()
            }
            answer = client.request(self.command, self.path, content=body, headers=headers)
            try:
                parsed: Any = answer.json()
            except ValueError:
                parsed = None
            status, mutated = mutate(self.command, self.path, answer.status_code, parsed)
            content = answer.content if mutated is None else json.dumps(mutated).encode()
            self.send_response(status)
            self.send_header("Content-Type", answer.headers.get("content-type", "application/json"))
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

    try:
        with serve_on_loopback(Handler) as base_url:
            yield base_url
    finally:
        client.close()
