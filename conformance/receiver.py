"""The suite's own loopback HTTP server: receives callbacks and serves reference images by URL.

Threaded, bound to --callback-host (127.0.0.1 by default) on a free port. Callback URLs look like
`http://HOST:PORT/callbacks/<token>`; image URLs `http://HOST:PORT/images/<name>`.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A callback body is one task object: anything this big is refused (413) rather than buffered.
MAX_BODY_BYTES = 16 * 1024 * 1024


class BadBody(Exception):
    """The request body cannot be read as HTTP/1.1 frames it; `status` is what to answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@dataclass(frozen=True)
class Delivery:
    """One callback POST as received: raw body, parsed JSON, headers, order and our answer."""

    token: str
    sequence: int
    body: bytes
    headers: dict[str, str]
    answered: int
    received_at: float

    def json(self) -> Any:
        """The body parsed as JSON, or None."""
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""

    def _answer(self, status: int, body: bytes = b"", content_type: str = "text/plain") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _refuse(self, error: BadBody) -> None:
        """Answer a body we cannot frame, then close: the rest of the stream is not a request."""
        self.close_connection = True
        self.send_response(error.status)
        body = f"{error}\n".encode()
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _read_body(self) -> bytes:
        """The request body framed by Transfer-Encoding: chunked or by Content-Length (RFC 9112
        section 6.3: chunked wins when both are sent)."""
        encoding = (self.headers.get("Transfer-Encoding") or "").strip().lower()
        if encoding:
            if encoding.split(",")[-1].strip() != "chunked":
                raise BadBody(400, f"unsupported Transfer-Encoding {encoding!r}")
            return self._read_chunked()
        declared = (self.headers.get("Content-Length") or "0").strip()
        if not declared.isdigit() or not declared.isascii():
            raise BadBody(400, f"malformed Content-Length {declared!r}")
        length = int(declared)
        if length > MAX_BODY_BYTES:
            raise BadBody(413, f"body of {length} bytes is over {MAX_BODY_BYTES}")
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            raise BadBody(400, f"body ended after {len(body)} of {length} bytes")
        return body

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            line = self.rfile.readline(1024)
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise BadBody(400, f"malformed chunk size {line[:40]!r}") from None
            if size < 0 or len(body) + size > MAX_BODY_BYTES:
                raise BadBody(413, f"chunked body over {MAX_BODY_BYTES} bytes")
            if size == 0:
                break
            chunk = self.rfile.read(size)
            if len(chunk) != size or self.rfile.read(2) != b"\r\n":
                raise BadBody(400, "chunk shorter than its size or not followed by CRLF")
            body += chunk
        while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
            pass  # trailer fields: nothing we use
        return bytes(body)

    def do_POST(self) -> None:
        """Record a callback delivery; answer 500 while the token is told to fail."""
        try:
            body = self._read_body()
        except BadBody as error:
            self._refuse(error)
            return
        if not self.path.startswith("/callbacks/"):
            self._answer(404)
            return
        token = self.path.removeprefix("/callbacks/")
        status = self.server.owner.record(
            token, body, {k.lower(): v for k, v in self.headers.items()}
        )
        self._answer(status)

    def do_GET(self) -> None:
        """Serve a registered image (404 for anything else)."""
        image = self.server.owner.image(self.path.removeprefix("/images/"))
        if not self.path.startswith("/images/") or image is None:
            self._answer(404, b"not found")
            return
        self._answer(200, image[0], image[1])

    do_HEAD = do_GET


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: Receiver

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A peer hanging up mid-answer (e.g. refusing an oversized image) is not our error."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)


class _Server6(_Server):
    address_family = socket.AF_INET6


class Receiver:
    """Start with `start()` (or as a context manager); `stop()` shuts it down."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self._lock = threading.Condition()
        self._deliveries: list[Delivery] = []
        self._failures_left: dict[str, int] = {}
        self._images: dict[str, tuple[bytes, str]] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Receiver:
        """Bind a free port and serve in a daemon thread."""
        server_class = _Server6 if ":" in self.host else _Server
        server = server_class((self.host, 0), _Handler)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, name="conformance-receiver", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Receiver:
        return self if self._server is not None else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        """`http://host:port` of the running server."""
        if self._server is None:
            raise RuntimeError("receiver not started")
        port = self._server.server_address[1]
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{port}"

    def callback_url(self, token: str, *, fail_first: int = 0) -> str:
        """A callback URL for `token`; the first `fail_first` deliveries are answered 500."""
        with self._lock:
            self._failures_left[token] = fail_first
        return f"{self.origin}/callbacks/{token}"

    def image_url(self, name: str, data: bytes, content_type: str) -> str:
        """Serve `data` at a fresh URL with the given content type."""
        with self._lock:
            self._images[name] = (data, content_type)
        return f"{self.origin}/images/{name}"

    def missing_image_url(self, name: str) -> str:
        """A URL on the receiver that answers 404."""
        return f"{self.origin}/images/missing-{name}"

    def image(self, name: str) -> tuple[bytes, str] | None:
        """The bytes and content type registered under name."""
        with self._lock:
            return self._images.get(name)

    def record(self, token: str, body: bytes, headers: dict[str, str]) -> int:
        """Store one delivery; returns the status to answer (500 while failures are left)."""
        with self._lock:
            left = self._failures_left.get(token, 0)
            status = 500 if left > 0 else 200
            if left > 0:
                self._failures_left[token] = left - 1
            delivery = Delivery(token, len(self._deliveries), body, headers, status, time.time())
            self._deliveries.append(delivery)
            self._lock.notify_all()
        return status

    def deliveries(self, token: str) -> list[Delivery]:
        """Every delivery for token, in arrival order."""
        with self._lock:
            return [d for d in self._deliveries if d.token == token]

    def wait_for(
        self, token: str, done: Callable[[list[Delivery]], bool], timeout: float
    ) -> list[Delivery]:
        """Block until `done(deliveries)` or the timeout; returns the deliveries either way."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                current = [d for d in self._deliveries if d.token == token]
                remaining = deadline - time.monotonic()
                if done(current) or remaining <= 0:
                    return current
                self._lock.wait(min(remaining, 0.5))
