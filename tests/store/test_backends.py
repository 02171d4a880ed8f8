"""Which back end a database setting names, and what is refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from server.settings import Settings
from server.store.backends import UnsupportedDatabase, database_for, shown, sqlite_path
from server.store.postgres import PostgresDatabase, numbered
from server.store.sqlite import SqliteDatabase


@pytest.mark.parametrize(
    ("database", "kind"),
    [
        ("rapport.db", SqliteDatabase),
        ("/var/lib/rapport/rapport.db", SqliteDatabase),
        ("sqlite:///var/lib/rapport.db", SqliteDatabase),
        (":memory:", SqliteDatabase),
        ("postgresql://rapport@db/rapport", PostgresDatabase),
        ("postgres://rapport@db/rapport", PostgresDatabase),
    ],
)
def test_a_path_is_sqlite_and_a_postgresql_url_is_postgresql(database: str, kind: type) -> None:
    assert isinstance(database_for(Settings(database=database)), kind)


def test_a_sqlite_url_names_its_file() -> None:
    assert sqlite_path("sqlite:///var/lib/rapport.db") == "/var/lib/rapport.db"


@pytest.mark.parametrize(
    "database", ["mysql://root@db/rapport", "postgresql+asyncpg://x@db/r", "redis://x", "s3:x"]
)
def test_any_other_url_is_refused_not_taken_for_a_file_name(database: str) -> None:
    with pytest.raises(UnsupportedDatabase, match="SQLite file path or a postgresql://"):
        database_for(Settings(database=database))


def test_the_server_refuses_to_start_on_an_unsupported_database() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "server", "--database", "mysql://root@db/rapport"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "unsupported database 'mysql'" in done.stderr


def test_a_password_in_the_url_is_masked_when_shown() -> None:
    assert shown("postgresql://rapport:s3cret@db:5432/r") == "postgresql://rapport:***@db:5432/r"
    assert shown("postgresql://rapport@db/r") == "postgresql://rapport@db/r"
    assert shown("/var/lib/rapport.db") == "/var/lib/rapport.db"


def test_placeholders_are_numbered_in_order_outside_quoted_strings() -> None:
    assert numbered("SELECT ? , '?', 'it''s ?' WHERE a = ? AND b IN (?, ?)") == (
        "SELECT $1 , '?', 'it''s ?' WHERE a = $2 AND b IN ($3, $4)"
    )


def test_several_workers_are_refused_on_sqlite(tmp_path: Path) -> None:
    database = tmp_path / "one.db"
    done = subprocess.run(
        [sys.executable, "-m", "server", "--workers", "2", "--database", str(database)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--workers needs PostgreSQL" in done.stderr
    assert not database.exists()
