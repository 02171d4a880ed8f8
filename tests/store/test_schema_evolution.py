"""A database made by the first migration, with data, migrates to the current schema and
loses nothing (fixture: tests/fixtures/rapport-v1.db, built by make_v1_database.py)."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from server.catalog import load_catalog
from server.services.audit import check
from server.services.context import Context
from server.settings import Settings
from server.store.sqlite import SqliteDatabase, migration_files
from server.store.transaction import Transaction
from tests.conftest import FakeClock

# The SQLite back end's own machinery; the PostgreSQL run leaves it out.
pytestmark = pytest.mark.sqlite_only

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "rapport-v1.db"
USER = "01900000-0000-7000-8000-000000000001"
HABIT = "01900000-0000-7000-8000-000000000002"


async def test_a_version_1_database_migrates_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    shutil.copy(FIXTURE, path)
    db = SqliteDatabase(path)
    await db.open()
    try:
        async with db.read() as conn:
            versions = [r[0] for r in await conn.fetch_all("SELECT version FROM schema_migrations")]
            q = Transaction(conn)
            user = await q.users.by_id(USER)
            habit = await q.habits.get(USER, HABIT)
            checkins = await q.checkins.of_habit(HABIT)
            ledger = await q.ledger.all_of_user(USER)
            badges = await q.ledger.badges(USER)
        assert versions == [v for v, _, _ in migration_files()]
        assert user is not None
        assert (user.handle, user.timezone, user.day_start_hour, user.points) == (
            "vera", "Europe/Berlin", 4, 36,
        )  # fmt: skip
        assert user.challenges_completed == 0  # new columns get their defaults
        assert habit is not None
        assert habit.title == "Deliver on a promise"
        assert [c.day for c in checkins] == [date(2026, 1, d) for d in (1, 2, 3)]
        assert [c.note for c in checkins] == ["day 1", "day 2", "day 3"]
        assert sum(e.amount for e in ledger) == 36
        assert [b.slug for b in badges] == ["first-checkin"]

        # Streaks, totals and balance counts kept under version 1 still agree with a
        # recomputation under the current rules.
        clock = FakeClock(datetime(2026, 1, 3, 12, tzinfo=UTC))
        settings = Settings(database=str(path))
        ctx = Context(db=db, clock=clock, settings=settings, catalog=load_catalog())
        report = await check(ctx)
        assert (report.users, report.habits, report.drifts) == (1, 1, [])
    finally:
        await db.close()
