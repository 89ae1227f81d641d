"""Callbacks (outbox, order, retries, Standard Webhooks signatures) and restart survival."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from reference_server.launcher import start_reference_server
from tests.reference_server.helpers import (
    API_KEYS,
    PATH,
    USERS,
    WEBHOOK_SECRET,
    bearer,
    create,
    receiver,
    wait_terminal,
    wait_until,
)


def test_callbacks_in_order_signed_and_equal_to_task(base_url: str) -> None:
    """processing then succeed, each signed (verified with standardwebhooks), last body == GET data."""
    with receiver() as (hook, url):
        task_id = create(base_url, {"prompt": "x", "callback_url": url + "/hook"}).json()["data"][
            "task_id"
        ]
        final = wait_terminal(base_url, task_id)
        assert wait_until(lambda: len(hook.requests) >= 2)
    statuses = [json.loads(body)["task_status"] for body in hook.bodies]
    assert statuses == ["processing", "succeed"]
    verifier = Webhook(WEBHOOK_SECRET)
    for headers, body in hook.requests:
        assert verifier.verify(body, headers)["task_id"] == task_id
        assert independent_signature(headers, body) in headers["webhook-signature"].split(" ")
    assert json.loads(hook.bodies[-1]) == final


def independent_signature(headers: dict[str, str], body: bytes) -> str:
    """Standard Webhooks v1 signature computed by hand, not with the library the server signs with."""
    key = base64.b64decode(WEBHOOK_SECRET[len("whsec_") :], validate=True)
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body.decode()}"
    digest = hmac.new(key, signed.encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def test_failed_terminal_is_delivered(base_url: str) -> None:
    """A failed task's terminal status is delivered too."""
    with receiver() as (hook, url):
        create(base_url, {"prompt": "omni:fail", "callback_url": url})
        assert wait_until(lambda: any(b'"failed"' in body for body in hook.bodies))


def test_non_2xx_is_retried_in_order(base_url: str) -> None:
    """500 and 404 answers are retried; the order processing -> succeed still holds."""
    with receiver(statuses=[500, 404, 503]) as (hook, url):
        create(base_url, {"prompt": "x", "callback_url": url})
        assert wait_until(lambda: any(b'"succeed"' in body for body in hook.bodies))
    statuses = [json.loads(body)["task_status"] for body in hook.bodies]
    assert statuses[:4] == ["processing"] * 4 and statuses[-1] == "succeed"
    ids = [headers["webhook-id"] for headers, _ in hook.requests]
    assert len(set(ids[:4])) == 1  # retries of one delivery keep their webhook-id


def test_restart_survival_tasks_and_pending_callbacks(tmp_path: Path) -> None:
    """Tasks in flight and undelivered callbacks finish after a crash (SIGKILL) and restart."""
    with (
        receiver(statuses=[500] * 1000) as (hook, url),
        start_reference_server(
            database=tmp_path / "db.sqlite3",
            users=USERS,
            api_keys=API_KEYS,
            step_delay=1.0,
            url_policy="loopback-only",
            extra_args=["--callback-retry-base", "0.05", "--callback-max-attempts", "1000"],
        ) as server,
    ):
        base = server.base_url
        ids = [create(base, {"prompt": f"t{i}", "callback_url": url}).json()["data"]["task_id"]
               for i in range(3)]  # fmt: skip
        server.kill()
        server.restart()
        assert wait_until(lambda: len(hook.requests) >= 2)  # processing deliveries failing
        server.kill()
        hook.statuses.clear()  # the receiver recovers while the server is down
        server.restart()
        for task_id in ids:
            assert wait_terminal(base, task_id)["task_status"] == "succeed"
        assert wait_until(
            lambda: {json.loads(b)["task_id"] for b in hook.bodies if b'"succeed"' in b} == set(ids)
        )
        listed = httpx.get(base + PATH, headers=bearer()).json()["data"]
        assert {task["task_id"] for task in listed} == set(ids)
    for task_id in ids:
        statuses = [json.loads(b)["task_status"] for b in hook.bodies if task_id.encode() in b]
        assert statuses.index("succeed") > max(
            i for i, s in enumerate(statuses) if s == "processing"
        )


def test_graceful_restart_keeps_ids_increasing(tmp_path: Path) -> None:
    """After a restart new task ids sort after old ones (newest-first order holds)."""
    with start_reference_server(database=tmp_path / "db.sqlite3", step_delay=0.05) as server:
        first = create(server.base_url, {"prompt": "x"}).json()["data"]["task_id"]
        server.restart()
        second = create(server.base_url, {"prompt": "x"}).json()["data"]["task_id"]
        assert second > first
        listed = httpx.get(server.base_url + PATH, headers=bearer()).json()["data"]
        assert [task["task_id"] for task in listed] == [second, first]


def test_restart_falls_back_to_a_free_port_when_the_old_one_is_taken(tmp_path: Path) -> None:
    """restart() when another process holds the old port starts on a fresh port, same database."""
    with start_reference_server(database=tmp_path / "db.sqlite3", step_delay=0.05) as server:
        task_id = create(server.base_url, {"prompt": "x"}).json()["data"]["task_id"]
        old_port = server.port
        server.stop()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
            squatter.bind(("127.0.0.1", old_port))
            squatter.listen(1)
            server.restart()
            assert server.port != old_port
            found = httpx.get(f"{server.base_url}{PATH}/{task_id}", headers=bearer())
            assert found.json()["data"]["task_id"] == task_id


def test_launcher_ignores_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy variable (pointing at a dead loopback port) does not divert the readiness probe."""
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with start_reference_server(step_delay=0.05) as server:
        assert server.process.poll() is None and server.base_url.startswith("http://127.0.0.1:")
