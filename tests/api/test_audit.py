"""`rapport-server check`: a busy history checks clean; corrupted derived state is found
and repaired."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.services.audit import check
from server.settings import Settings
from server.store.backends import database_for
from tests.conftest import Databases, FakeClock, MakeUser, busy_history, drifts, on_app_loop


async def test_a_busy_history_checks_clean_and_corruption_is_repaired(
    http: AsyncTestClient[Litestar], make_user: MakeUser, clock: FakeClock
) -> None:
    await busy_history(await make_user("ana"), await make_user("ben"), clock)
    ctx = http.app.state.ctx

    async def corrupt() -> None:
        async with ctx.db.write() as conn:
            await conn.execute("UPDATE users SET points = points + 7 WHERE handle = 'ana'")
            await conn.execute("UPDATE habits SET streak_best = 99, total_done = 1")
            await conn.execute(
                "DELETE FROM user_days WHERE (user_id, day) IN"
                " (SELECT user_id, day FROM user_days ORDER BY user_id, day LIMIT 1)"
            )
            await conn.execute("UPDATE board_scores SET points = points + 3 WHERE period = 'all'")

    clean = await on_app_loop(http, lambda: check(ctx))
    assert clean.users == 2
    assert clean.habits == 2
    assert clean.drifts == []

    await on_app_loop(http, corrupt)
    found = await on_app_loop(http, lambda: check(ctx))
    whats = " | ".join(d.what for d in found.drifts)
    assert "totals" in whats
    assert "streak" in whats
    assert "category counts" in whats
    assert "board" in whats

    repaired = await on_app_loop(http, lambda: check(ctx, repair=True))
    assert repaired.repaired
    assert await drifts(http) == []


def test_the_check_command_exits_non_zero_on_drift(databases: Databases) -> None:
    database = databases.new("cli")

    async def corrupt() -> None:
        db = database_for(Settings(database=database))
        await db.open()
        async with db.write() as conn:
            await conn.execute(
                "INSERT INTO users (id, handle, display_name, password_hash, timezone,"
                " day_start_hour, created_at, points, xp) VALUES"
                " ('u1', 'zed', 'Zed', 'x', 'UTC', 0, '2026-01-01T00:00:00+00:00', 5, 5)"
            )
        await db.close()

    asyncio.run(corrupt())
    command = [sys.executable, "-m", "server", "check", "--database", database]
    first = subprocess.run(command, capture_output=True, text=True)
    assert first.returncode == 1
    assert "drift: user u1: totals" in first.stdout
    fixed = subprocess.run([*command, "--repair"], capture_output=True, text=True)
    assert fixed.returncode == 0
    again = subprocess.run(command, capture_output=True, text=True)
    assert again.returncode == 0
    assert "clean" in again.stdout
