"""One server per SQLite database: an exclusive lock file next to it (docs/reliability.md).

A server may run several worker processes (`--workers N`, sharing the database safely), but
they are one server with one set of settings: the lock is held by its first process (the
supervisor with `--workers`), and a second server started on the same file is refused at start
with a clear error. That is also what lets a starting server release the outbox leases it finds
(their holders are gone). Servers on several machines share a PostgreSQL database instead, which
takes no lock. The lock is an `flock` on `<database>.lock`: the kernel drops it when the holder
dies, even by SIGKILL, so a restart after a crash is never locked out.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class DatabaseInUseError(RuntimeError):
    """Another live process holds the database's lock."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def lock_database(database: Path) -> IO[str]:
    """Hold the database's lock for the life of the process (keep the returned file open)."""
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise DatabaseInUseError(
            f"database {database} is in use by another omni-reference-server (pid {holder}); "
            "one server per SQLite database (use --workers N for more processes, or a "
            "postgresql:// database for several servers)"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
