"""`omni-reference-server`: flags (each also an OMNI_SERVER_* env var) -> settings -> uvicorn.

The socket is bound before uvicorn starts, so `--port 0` can report the real port: the line
`omni-reference-server listening on http://HOST:PORT` is what `launcher.py` waits for.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import os
import socket
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import uvicorn

from reference_server import config
from reference_server.config import ServerSettings
from reference_server.db_lock import DatabaseInUseError, lock_database
from reference_server.http_protocol import MAX_HEADER_BYTES, EnvelopeH11Protocol
from reference_server.store_open import open_store
from reference_server.store_postgres import is_postgres_url, redacted
from reference_server.store_sqlite import SqliteTaskStore
from reference_server.worker_pool import WorkerPool, WorkerStartError

if TYPE_CHECKING:
    from starlette.types import ASGIApp

LISTENING_PREFIX = "omni-reference-server listening on "
ENV_PREFIX = "OMNI_SERVER_"
WEBHOOK_SECRET_PREFIX = "whsec_"  # Standard Webhooks secret: whsec_ + Base64 of the key


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omni-reference-server",
        description="Reference server of the Kling Omni-Image API contract (openapi.yaml).",
        epilog="Every flag can also be set with its OMNI_SERVER_* environment variable.",
    )

    def add(flag: str, help_text: str, default: Any, kind: Callable[[str], Any] = str) -> None:
        env = ENV_PREFIX + flag.lstrip("-").replace("-", "_").upper()
        value = os.environ.get(env)
        parser.add_argument(
            flag,
            default=default if value is None else value,
            type=kind,
            help=f"{help_text} [env {env}; default {default!r}]",
        )

    add("--host", "interface to listen on", config.DEFAULT_HOST)
    add("--port", "TCP port; 0 picks a free one (printed)", config.DEFAULT_PORT, int)
    add("--database", "SQLite file of tasks and callbacks, or a postgresql:// URL",
        str(config.DEFAULT_DATABASE))  # fmt: skip
    add("--workers", "server processes on this port (each serves, steps tasks, sends callbacks)",
        1, int)  # fmt: skip
    add("--users", "ACCESS_KEY:SECRET_KEY pairs, comma-separated",
        f"{config.DEV_ACCESS_KEY}:{config.DEV_SECRET_KEY}")  # fmt: skip
    add("--api-keys", "API_KEY:ACCESS_KEY pairs, comma-separated",
        f"{config.DEV_API_KEY}:{config.DEV_ACCESS_KEY}")  # fmt: skip
    add("--element-ids", "element library, ids or ranges (1001-1012)", "1001-1012")
    add("--webhook-secret", "whsec_... secret(s) signing callbacks (Standard Webhooks); "
        "several comma-separated, newest first, during a key rotation", "")  # fmt: skip
    add("--step-delay", "seconds a task stays in each lifecycle status",
        config.DEFAULT_STEP_DELAY, float)  # fmt: skip
    add(
        "--failure-marker",
        "prompt text that makes a task end failed",
        config.DEFAULT_FAILURE_MARKER,
    )
    parser.add_argument(
        "--url-policy",
        choices=config.URL_POLICIES,
        default=os.environ.get(ENV_PREFIX + "URL_POLICY", config.URL_POLICY_ALLOW_LOOPBACK),
        help="hosts reference-image URLs and callbacks may reach [env OMNI_SERVER_URL_POLICY]",
    )
    add("--public-url", "base URL of result image links (default http://HOST:PORT)", "")
    add("--callback-max-attempts", "delivery attempts before giving up", 8, int)
    add("--callback-retry-base", "first retry back-off in seconds (doubles)", 0.5, float)
    add("--callback-timeout", "seconds one callback delivery may take",
        config.DEFAULT_CALLBACK_TIMEOUT, float)  # fmt: skip
    add("--jwt-max-lifetime", "seconds a JWT's exp may lie ahead (0: no limit)",
        config.DEFAULT_JWT_MAX_LIFETIME, int)  # fmt: skip
    return parser


def settings_from_args(args: argparse.Namespace, port: int) -> ServerSettings:
    host = str(args.host)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    if args.step_delay < 0:
        raise ValueError("--step-delay must be >= 0")
    for secret in config.parse_webhook_secrets(args.webhook_secret):
        check_webhook_secret(secret)
    if args.workers < 1:
        raise ValueError("--workers must be at least 1")
    postgres = is_postgres_url(str(args.database))
    return ServerSettings(
        host=host,
        port=port,
        database=config.DEFAULT_DATABASE if postgres else Path(args.database),
        database_url=str(args.database) if postgres else None,
        workers=args.workers,
        users=config.parse_users(args.users),
        api_keys=config.parse_api_keys(args.api_keys),
        element_ids=config.parse_element_ids(args.element_ids),
        webhook_secret=args.webhook_secret or None,
        step_delay=args.step_delay,
        failure_marker=args.failure_marker,
        url_policy=args.url_policy,
        public_url=(args.public_url or f"http://{shown_host}:{port}").rstrip("/"),
        callback_max_attempts=max(1, args.callback_max_attempts),
        callback_retry_base=max(0.0, args.callback_retry_base),
        callback_timeout=args.callback_timeout if args.callback_timeout > 0 else 5.0,
        jwt_max_lifetime_seconds=args.jwt_max_lifetime if args.jwt_max_lifetime > 0 else None,
    )


def check_webhook_secret(secret: str) -> None:
    """ValueError unless secret is `whsec_` + padded standard Base64 of a non-empty key."""
    if not secret.startswith(WEBHOOK_SECRET_PREFIX):
        raise ValueError("--webhook-secret must have the form whsec_<base64>")
    try:
        key = base64.b64decode(secret[len(WEBHOOK_SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(
            "--webhook-secret: the part after whsec_ must be padded standard Base64"
        ) from None
    if not key:
        raise ValueError("--webhook-secret: the key after whsec_ is empty")


def bind_socket(
    host: str, port: int, *, reuse_port: bool = False, listen: bool = True
) -> socket.socket:
    """A TCP socket bound to host:port. `reuse_port`: one of several worker sockets on the port
    (SO_REUSEPORT: the kernel spreads connections over them); `listen=False`: only reserve it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    # Accepted sockets inherit this on Linux: no Nagle delay between headers and body writes.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    if listen:
        sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def worker_socket(host: str, port: int) -> socket.socket:
    """A worker's own listening socket on the pool's port."""
    return bind_socket(host, port, reuse_port=True)


def prepare_store(settings: ServerSettings) -> None:
    """Open the database once before serving: creates or upgrades the schema, and proves it can
    be opened (a clear error instead of a failing worker). On SQLite the server holds the
    database's lock, so every outbox lease left in it is a dead process's: released."""
    store = open_store(settings.store_location)
    try:
        if isinstance(store, SqliteTaskStore):
            store.release_claims()
    finally:
        store.close()


def serve(app: ASGIApp, sock: socket.socket) -> None:
    """Run uvicorn on an already bound socket until SIGTERM/SIGINT."""
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            server_header=False,
            lifespan="on",
            http=EnvelopeH11Protocol,
            h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        )
    )
    server.run(sockets=[sock])


def describe(settings: ServerSettings) -> str:
    lines = [f"{LISTENING_PREFIX}{settings.public_url}"]
    if settings.database_url:
        lines.append(f"  database: PostgreSQL {redacted(settings.database_url)}")
    else:
        lines.append(f"  database: SQLite {settings.database}")
    if settings.workers > 1:
        lines.append(f"  workers: {settings.workers} processes sharing the port (SO_REUSEPORT)")
    for access_key, secret in settings.users.items():
        shown = secret if secret == config.DEV_SECRET_KEY else secret[:3] + "..."
        lines.append(f"  user (JWT): access key {access_key}, secret key {shown}")
    for api_key, access_key in settings.api_keys.items():
        shown = api_key if api_key == config.DEV_API_KEY else api_key[:4] + "..."
        lines.append(f"  API key: {shown} -> {access_key}")
    ids = sorted(settings.element_ids)
    lines.append(
        f"  element library: {len(ids)} ids ({ids[0] if ids else '-'}..{ids[-1] if ids else '-'})"
    )
    lines.append(
        f"  step delay {settings.step_delay:g} s; failure marker {settings.failure_marker!r}; "
        f"callbacks {'signed' if settings.webhook_secret else 'unsigned'}; "
        f"URL policy {settings.url_policy}"
    )
    return "\n".join(lines)


def main(
    argv: Sequence[str] | None = None,
    *,
    app_factory: Callable[[ServerSettings], ASGIApp] | None = None,
) -> int:
    """Run the server; `app_factory` (default `create_app`) lets test harnesses wrap the app."""
    parser = build_parser()
    args = parser.parse_args(argv)
    database_lock = None
    if not is_postgres_url(str(args.database)):
        try:
            database_lock = lock_database(Path(args.database))  # held until the process ends
        except (DatabaseInUseError, OSError) as exc:
            parser.error(str(exc))
    pool = int(args.workers) > 1
    try:
        sock = bind_socket(str(args.host), int(args.port), reuse_port=pool, listen=not pool)
    except OSError as exc:
        parser.error(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    try:
        settings = settings_from_args(args, int(sock.getsockname()[1]))
    except ValueError as exc:
        parser.error(str(exc))
    try:
        prepare_store(settings)
    except (sqlite3.Error, psycopg.Error, OSError) as exc:
        where = redacted(settings.database_url or str(settings.database))
        parser.error(f"cannot open the database {where}: {str(exc).strip()}")
    if app_factory is None:
        from reference_server.app import create_app

        app_factory = create_app
    code = 0
    if not pool:
        app = app_factory(settings)
        print(describe(settings), flush=True)
        serve(app, sock)
    else:
        inherited = [sock.fileno()] + ([database_lock.fileno()] if database_lock else [])
        workers = WorkerPool(settings, app_factory, worker_socket, serve, inherited)
        try:
            workers.start(settings.workers)
        except WorkerStartError as exc:
            parser.error(str(exc))
        print(describe(settings), flush=True)
        code = workers.run()
    sock.close()
    if database_lock is not None:
        database_lock.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
