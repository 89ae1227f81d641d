"""Callback receiver faults: down, slow, 500, redirecting -> back-off retries, bounded give-up
recorded in the outbox (state `gave_up`, attempts, last error) and logged; others never blocked."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from reference_server import callbacks
from reference_server.callbacks import CallbackDispatcher
from reference_server.config import URL_POLICY_LOOPBACK_ONLY
from reference_server.launcher import RunningServer, start_reference_server
from reference_server.store import PendingDelivery
from reference_server.url_fetch import HostPolicy, policy_client
from tests.reference_server.helpers import create, wait_terminal, wait_until

MAX_ATTEMPTS = 3


class FaultyReceiver:
    """Loopback receiver: `mode` is ok, fail500, redirect, slow (sleeps) or block (until released)."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.paths: list[str] = []
        self.statuses: list[str] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                receiver.paths.append(self.path)
                receiver.statuses.append(json.loads(body)["task_status"])
                if receiver.mode == "slow":
                    time.sleep(1.5)
                if receiver.mode == "block":
                    receiver.release.wait(60)
                status = {"fail500": 500, "redirect": 302}.get(receiver.mode, 200)
                self.send_response(status)
                if status == 302:
                    self.send_header("location", "/elsewhere")
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def quick_give_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """3 attempts, 0.05 s first back-off, 0.5 s delivery timeout; database readable by the test."""
    database = Path(tmp_path_factory.mktemp("faults")) / "db.sqlite3"
    extra = ["--callback-max-attempts", str(MAX_ATTEMPTS), "--callback-retry-base", "0.05",
             "--callback-timeout", "0.5"]  # fmt: skip
    with start_reference_server(database=database, step_delay=0.05, extra_args=extra) as server:
        yield server


def outbox(server: RunningServer, task_id: str) -> list[tuple[str, int, str | None]]:
    """(state, attempts, last_error) of the task's deliveries, straight from the SQLite outbox."""
    with sqlite3.connect(server.database) as db:
        rows = db.execute(
            "SELECT state, attempts, last_error FROM callback_outbox WHERE task_id = ? ORDER BY id",
            (task_id,),
        ).fetchall()
    return [(row[0], row[1], row[2]) for row in rows]


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


@pytest.mark.parametrize(
    ("mode", "error_fragment"),
    [
        ("down", "ConnectError"),
        ("fail500", "HTTP 500"),
        ("redirect", "HTTP 302"),
        ("slow", "Timeout"),
    ],
)
def test_faulty_receiver_is_retried_then_given_up_and_recorded(
    quick_give_up: RunningServer, mode: str, error_fragment: str
) -> None:
    """Each delivery is tried MAX_ATTEMPTS times, then `gave_up` with the last error, and logged."""
    receiver = None if mode == "down" else FaultyReceiver(mode)
    url = closed_port_url() if receiver is None else receiver.url
    try:
        task_id = create(quick_give_up.base_url, {"prompt": mode, "callback_url": url}).json()[
            "data"
        ]["task_id"]
        assert wait_terminal(quick_give_up.base_url, task_id)["task_status"] == "succeed"
        assert wait_until(
            lambda: [r[0] for r in outbox(quick_give_up, task_id)] == ["gave_up"] * 2, 30
        )
    finally:
        if receiver is not None:
            receiver.close()
    for _state, attempts, error in outbox(quick_give_up, task_id):
        assert attempts == MAX_ATTEMPTS and error is not None and error_fragment in error
    if receiver is not None:  # lifecycle order kept: all processing attempts before succeed ones
        assert receiver.statuses == ["processing"] * MAX_ATTEMPTS + ["succeed"] * MAX_ATTEMPTS
        assert set(receiver.paths) == {"/hook"}  # a redirect is never followed
    assert wait_until(
        lambda: any(f"of task {task_id} gave up" in line for line in quick_give_up.output)
    )


def test_blocked_receivers_do_not_hold_up_other_tasks(tmp_path: Path) -> None:
    """55 deliveries stuck at a receiver that never answers; another task's callbacks still arrive."""
    stuck = FaultyReceiver("block")
    fine = FaultyReceiver("ok")
    extra = ["--callback-timeout", "60"]
    try:
        with start_reference_server(
            database=tmp_path / "db.sqlite3", step_delay=0.05, extra_args=extra
        ) as server:
            for index in range(55):  # more than one outbox poll batch (50)
                create(server.base_url, {"prompt": f"stuck {index}", "callback_url": stuck.url})
            assert wait_until(lambda: len(stuck.statuses) >= 55, 30)
            create(server.base_url, {"prompt": "fine", "callback_url": fine.url})
            assert wait_until(lambda: "succeed" in fine.statuses, 30)
            assert not stuck.release.is_set()  # every stuck delivery is still waiting
    finally:
        stuck.close()
        fine.close()


class RecordingStore:
    """The two outbox writes `_deliver` makes, recorded."""

    def __init__(self) -> None:
        self.retries: list[tuple[int, int]] = []
        self.finished: list[tuple[str, int]] = []

    def retry_delivery(
        self, delivery_id: int, attempts: int, next_at_ms: int, error: str, claim: str
    ) -> bool:
        self.retries.append((attempts, next_at_ms))
        return True

    def finish_delivery(
        self, delivery_id: int, state: str, attempts: int, error: str | None, claim: str
    ) -> bool:
        self.finished.append((state, attempts))
        return True


def recording_dispatcher(
    store: RecordingStore, client: httpx.AsyncClient, max_attempts: int
) -> CallbackDispatcher:
    """An unsigned dispatcher writing to `store`, retry base 0.5 s."""
    return CallbackDispatcher(
        store,  # type: ignore[arg-type]
        client,
        webhook_secrets=(),
        max_attempts=max_attempts,
        retry_base=0.5,
    )


def deliver_attempts(dispatcher: CallbackDispatcher, url: str, count: int) -> None:
    """Run `_deliver` `count` times for one delivery to url, attempts 0..count-1 already made."""

    async def attempts() -> None:
        for done in range(count):
            await dispatcher._deliver(PendingDelivery(7, "1", url, b"{}", done))

    anyio.run(attempts)


def test_back_off_doubles_and_gives_up_after_max_attempts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry n is scheduled retry_base * 2**(n-1) later; attempt max_attempts ends in gave_up."""
    monkeypatch.setattr(callbacks, "now_ms", lambda: 1_000_000)
    store = RecordingStore()
    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(503)))
    deliver_attempts(recording_dispatcher(store, client, 4), "http://127.0.0.1:9/", 4)
    assert store.retries == [(1, 1_000_500), (2, 1_001_000), (3, 1_002_000)]
    assert store.finished == [("gave_up", 4)]


def test_out_of_range_port_is_a_counted_failed_attempt() -> None:
    """A callback URL with port 99999 (connect raises an OverflowError group) is retried, then
    given up: every attempt is recorded, so the row cannot spin at attempts=0."""
    store = RecordingStore()
    client = policy_client(HostPolicy(URL_POLICY_LOOPBACK_ONLY), max_redirects=0, timeout=2.0)
    deliver_attempts(recording_dispatcher(store, client, 2), "http://127.0.0.1:99999/", 2)
    assert [attempts for attempts, _ in store.retries] == [1]
    assert store.finished == [("gave_up", 2)]


def test_unexpected_error_while_delivering_still_counts_the_attempt() -> None:
    """An exception escaping `_post` still records attempts + 1 (no row stays at attempts=0)."""
    store = RecordingStore()
    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda request: httpx.Response(200)))
    dispatcher = recording_dispatcher(store, client, 3)

    async def broken_post(delivery: PendingDelivery) -> str | None:
        raise ExceptionGroup("boom", [OverflowError("port out of range")])

    dispatcher._post = broken_post  # type: ignore[method-assign]
    anyio.run(dispatcher._deliver, PendingDelivery(7, "1", "http://127.0.0.1:9/", b"{}", 0))
    assert [attempts for attempts, _ in store.retries] == [1]
    assert store.finished == []
