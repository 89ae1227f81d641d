"""Shared helpers for reference-server tests: credentials, tokens, images, polling."""

from __future__ import annotations

import base64
import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any

import httpx
import jwt
from PIL import Image

from reference_server.config import DEV_ACCESS_KEY, DEV_API_KEY, DEV_SECRET_KEY
from scripts.loopback_http import serve_on_loopback

DEV_AK, DEV_SK, DEV_KEY = DEV_ACCESS_KEY, DEV_SECRET_KEY, DEV_API_KEY
OTHER_AK = "ak-other"
OTHER_SK = "sk-other-secret-9876543210"
OTHER_KEY = "other-api-key"
USERS = {DEV_AK: DEV_SK, OTHER_AK: OTHER_SK}
API_KEYS = {DEV_KEY: DEV_AK, OTHER_KEY: OTHER_AK}
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"reference-server-tests-secret!!").decode()
PATH = "/v1/images/omni-image"


def bearer(key: str = DEV_KEY) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def make_jwt(
    ak: str = DEV_AK, sk: str = DEV_SK, headers: dict[str, Any] | None = None, **claims: Any
) -> str:
    now = int(time.time())
    payload: dict[str, Any] = {"iss": ak, "exp": now + 1800, "nbf": now - 5}
    payload.update(claims)
    payload = {key: value for key, value in payload.items() if value is not None}
    return jwt.encode(payload, sk, algorithm="HS256", headers=headers)


def image_bytes(width: int, height: int, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (40, 90, 160)).save(buffer, format=fmt)
    return buffer.getvalue()


def image_b64(width: int = 400, height: int = 400, fmt: str = "PNG") -> str:
    return base64.b64encode(image_bytes(width, height, fmt)).decode()


def create(base_url: str, body: dict[str, Any], key: str = DEV_KEY) -> httpx.Response:
    return httpx.post(base_url + PATH, json=body, headers=bearer(key), timeout=30)


def wait_terminal(
    base_url: str, task_id: str, key: str = DEV_KEY, timeout: float = 20
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        data: dict[str, Any] = httpx.get(f"{base_url}{PATH}/{task_id}", headers=bearer(key)).json()[
            "data"
        ]
        if data["task_status"] in ("succeed", "failed") or time.monotonic() > deadline:
            return data
        time.sleep(0.03)


class Receiver:
    """A loopback HTTP server recording POSTs; answers the queued statuses, then 200."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.paths: list[str] = []  # request target of each POST, as received
        self.statuses: list[int] = []
        self.payload = b""
        self.lock = threading.Lock()

    @property
    def bodies(self) -> list[bytes]:
        return [body for _, body in self.requests]


@contextmanager
def receiver(
    statuses: list[int] | None = None, payload: bytes = b""
) -> Iterator[tuple[Receiver, str]]:
    """Run a Receiver on 127.0.0.1; yields it and its base URL. GET answers `payload`."""
    state = Receiver()
    state.statuses = list(statuses or [])
    state.payload = payload

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with state.lock:
                state.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                state.paths.append(self.path)
                status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            if self.path.startswith("/redirect/"):
                hops = int(self.path.rsplit("/", 1)[1])
                self.send_response(302)
                self.send_header("location", f"/redirect/{hops - 1}" if hops > 1 else "/image")
                self.send_header("content-length", "0")
                self.end_headers()
                return
            if self.path == "/missing":
                self.send_response(404)
                self.send_header("content-length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("content-type", "image/png")
            self.send_header("content-length", str(len(state.payload)))
            self.end_headers()
            self.wfile.write(state.payload)

        def log_message(self, *args: Any) -> None:
            pass

    with serve_on_loopback(Handler) as base_url:
        yield state, base_url


def wait_until(predicate: Any, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.03)
    return bool(predicate())
