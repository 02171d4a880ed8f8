"""A scratch PostgreSQL database holding a copy of a seeded SQLite data set, made on the
server an admin URL names and dropped afterwards (``bench/run.py --database``,
``bench/stores.py``)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import asyncpg

from server.store.postgres import PostgresDatabase
from server.store.sqlite import SqliteDatabase
from server.store.transfer import copy_all

ADMIN_URL = os.environ.get("RAPPORT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1/postgres")


async def copy_to_postgres(source: Path, admin_url: str) -> str:
    """A new database beside ``admin_url``'s holding ``source``'s rows; its URL."""
    name = f"rapport_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    lite, pg = SqliteDatabase(source), PostgresDatabase(url)
    await lite.open()
    await pg.open()
    try:
        await copy_all(lite, pg)
    finally:
        await pg.close()
        await lite.close()
    return url


async def drop(admin_url: str, url: str) -> None:
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await admin.close()
