"""The numbered migration files each back end ships (``migrations/`` for SQLite,
``migrations_postgresql/`` for PostgreSQL): one logical schema, two dialects."""

from __future__ import annotations

from importlib import resources


def migration_files(folder: str) -> list[tuple[int, str, str]]:
    """(version, name, sql) of every numbered migration in ``server/store/<folder>``."""
    found = []
    for entry in (resources.files("server.store") / folder).iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)
