"""Shared pieces of the reliability drivers: credentials, a callback receiver, latency stats."""

from __future__ import annotations

import itertools
import json
import statistics
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import httpx
import psutil

from omni_spec import load_contract
from reference_server.config import DEV_API_KEY
from scripts.loopback_http import serve_on_loopback

API_KEY = DEV_API_KEY
HEADERS = {"Authorization": f"Bearer {API_KEY}"}
PATH = load_contract().operation("create_task")[1]
LIFECYCLE = load_contract().lifecycle
TERMINAL = LIFECYCLE.terminal


@dataclass
class CallbackLog:
    """Deliveries seen by the receiver, per task, in arrival order."""

    by_task: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, body: bytes) -> None:
        task = json.loads(body)
        with self.lock:
            self.by_task.setdefault(str(task["task_id"]), []).append(str(task["task_status"]))

    def terminal_delivered(self, task_id: str) -> bool:
        with self.lock:
            return any(status in TERMINAL for status in self.by_task.get(task_id, []))

    def out_of_order(self) -> list[str]:
        """Tasks whose deliveries went backwards in the lifecycle (repeats are allowed)."""
        with self.lock:
            return [
                task_id
                for task_id, statuses in self.by_task.items()
                if any(not LIFECYCLE.is_forward(a, b) for a, b in itertools.pairwise(statuses))
            ]


@contextmanager
def callback_receiver() -> Iterator[tuple[CallbackLog, str]]:
    """A loopback receiver answering 200 to every POST; yields its log and URL."""
    log = CallbackLog()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            log.record(body)
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    with serve_on_loopback(Handler) as base_url:
        yield log, f"{base_url}/hook"


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def rss_bytes(pid: int) -> int:
    """Resident set size of the process now."""
    return int(psutil.Process(pid).memory_info().rss)


def peak_rss_since_start(pid: int) -> int:
    """Highest resident set size the process reached since it started (Linux VmHWM).

    Where /proc has no VmHWM (not Linux) this falls back to the current RSS, a lower bound.
    """
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss_bytes(pid)


def task_statuses(base_url: str, task_ids: list[str]) -> dict[str, str | None]:
    """task_id -> status (None when the server answers not found)."""
    found: dict[str, str | None] = {}
    with httpx.Client(base_url=base_url, headers=HEADERS, timeout=30, trust_env=False) as client:
        for task_id in task_ids:
            response = client.get(f"{PATH}/{task_id}")
            found[task_id] = response.json()["data"]["task_status"] if response.is_success else None
    return found


def all_listed(base_url: str, page_size: int = 500) -> list[dict[str, Any]]:
    """Every task of the dev user, page by page (newest first)."""
    tasks: list[dict[str, Any]] = []
    with httpx.Client(base_url=base_url, headers=HEADERS, timeout=30, trust_env=False) as client:
        for page in range(1, 1001):
            data = client.get(PATH, params={"pageNum": page, "pageSize": page_size}).json()["data"]
            tasks += data
            if len(data) < page_size:
                break
    return tasks


def server_tracebacks(output: list[str]) -> list[str]:
    """Log lines of the server that show an unhandled error."""
    return [line for line in output if "Traceback" in line or line.startswith("ERROR")]
