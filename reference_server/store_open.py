"""Pick the store `--database` names: a `postgresql://` URL or an SQLite file path."""

from __future__ import annotations

from pathlib import Path

from reference_server.store import TaskStore
from reference_server.store_postgres import PostgresTaskStore, is_postgres_url
from reference_server.store_sqlite import SqliteTaskStore


def open_store(database: str | Path) -> TaskStore:
    """PostgresTaskStore for a postgresql:// (or postgres://) URL, else SqliteTaskStore."""
    text = str(database)
    if is_postgres_url(text):
        return PostgresTaskStore(text)
    return SqliteTaskStore(Path(text))
