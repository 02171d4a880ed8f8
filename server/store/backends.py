"""Which back end a ``database`` setting names: a file path (or ``sqlite:///path``) is the
embedded SQLite store, a ``postgresql://`` URL the PostgreSQL one. Anything else is refused
at start-up, never taken for a file name."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from server.settings import Settings
from server.store.database import Database
from server.store.postgres import SCHEMES, PostgresDatabase
from server.store.sqlite import SqliteDatabase

# "scheme://" or "scheme:" followed by anything but a Windows drive's backslash.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")


class UnsupportedDatabase(ValueError):
    pass


def sqlite_path(database: str) -> str | None:
    """The SQLite file ``database`` names, or None when it is a URL of another kind."""
    if database.startswith("sqlite:///"):
        return database.removeprefix("sqlite://")
    if database == ":memory:" or not _URL.match(database):
        return database
    return None


def database_for(settings: Settings) -> Database:
    """The (not yet opened) back end of ``settings.database``."""
    database = settings.database
    if urlsplit(database).scheme in SCHEMES:
        return PostgresDatabase(
            database,
            pool_size=settings.pool_size,
            statement_timeout_ms=settings.statement_timeout_ms,
        )
    path = sqlite_path(database)
    if path is None:
        scheme = database.split(":", 1)[0]
        raise UnsupportedDatabase(
            f"unsupported database {scheme!r}: give a SQLite file path or a"
            " postgresql://user@host/name URL"
        )
    return SqliteDatabase(path, readers=settings.read_connections, synchronous=settings.synchronous)


def shown(database: str) -> str:
    """The database setting with any password masked, for logs and start-up lines."""
    parts = urlsplit(database)
    if parts.scheme not in SCHEMES or parts.password is None:
        return database
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))
