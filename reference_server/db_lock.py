"""One server process per database: an exclusive lock file next to it (docs/reliability.md).

Several processes on one database would each hand out task ids and callback deliveries from
memory, so the supported mode is one process; a second one is refused at start with a clear
error instead of being subtly wrong. The lock is an `flock` on `<database>.lock`: the kernel drops
it when the holder dies, even by SIGKILL, so a restart after a crash is never locked out.
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
            "one server process per database is the supported mode"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle
