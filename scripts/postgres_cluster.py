"""A throw-away PostgreSQL server for tests and benchmarks: initdb in a temporary directory, a
unix socket only (no TCP port at all), run as an unprivileged user (`nobody` when we are root,
as in CI: PostgreSQL refuses to run as root), stopped and deleted at the end.

The binaries come from Debian's `postgresql` package (`make postgres` installs it); they live in
/usr/lib/postgresql/<version>/bin, which is not on PATH.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "omni"
UNPRIVILEGED_USER = "nobody"


class PostgresUnavailableError(RuntimeError):
    """initdb/pg_ctl are not installed (run `make postgres`)."""


def postgres_bindir() -> Path:
    """The newest installed PostgreSQL's bin directory."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parent.parent.name),
    )
    if not candidates:
        raise PostgresUnavailableError(
            "PostgreSQL is not installed: run `make postgres` (apt-get install postgresql)"
        )
    return Path(candidates[-1]).parent


@dataclass
class PostgresCluster:
    """A running temporary server; `url(name)` is a libpq URL over its unix socket."""

    root: Path
    bindir: Path
    user: str | None  # the OS user it runs as (None: ourselves)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def _run(self, *args: str) -> None:
        kwargs: dict[str, object] = {}
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            kwargs = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        environment = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C", "HOME": str(self.root)}
        result = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            env=environment,
            check=False,
            cwd=self.root,
            **kwargs,  # type: ignore[call-overload]
        )
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed:\n{result.stdout}\n{result.stderr}")

    def create_database(self, prefix: str = "omni") -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def temporary_cluster(*, durable: bool = False) -> Iterator[PostgresCluster]:
    """Start a server for the block. `durable=False` turns fsync off (tests: the data only has
    to survive the death of our processes, not of the machine); benchmarks pass True."""
    bindir = postgres_bindir()
    user = UNPRIVILEGED_USER if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="omni-pg-"))
    (root / "socket").mkdir()
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (root, root / "socket"):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    cluster = PostgresCluster(root, bindir, user)
    options = [
        "-c listen_addresses=''",  # no TCP: the unix socket below only
        f"-c unix_socket_directories='{cluster.socket_dir}'",
        "-c max_connections=200",
        "-c shared_buffers=32MB",
    ]
    if not durable:
        options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    try:
        cluster._run("initdb", "-D", str(cluster.data), "-U", SUPERUSER, "--auth=trust",
                     "-E", "UTF8", "--locale=C", "--no-sync")  # fmt: skip
        cluster._run("pg_ctl", "-D", str(cluster.data), "-l", str(root / "server.log"), "-w",
                     "-t", "60", "-o", " ".join(options), "start")  # fmt: skip
        try:
            yield cluster
        finally:
            cluster._run("pg_ctl", "-D", str(cluster.data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)
