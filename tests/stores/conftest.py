"""Stores under test: a real SQLite file and a real PostgreSQL server started for the session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.postgres_cluster import PostgresCluster, temporary_cluster

STORE_KINDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A temporary PostgreSQL server (unix socket only, unprivileged user), stopped at the end."""
    with temporary_cluster() as cluster:
        yield cluster


@pytest.fixture(params=STORE_KINDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh empty database of each kind: an SQLite path or a postgresql:// URL."""
    if request.param == "sqlite":
        return str(tmp_path / "db.sqlite3")
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return cluster.create_database()
