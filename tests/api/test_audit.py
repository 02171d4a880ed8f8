"""`rapport-server check`: a busy history checks clean; corrupted derived state is found
and repaired."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from uuid import UUID

from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.services.audit import check
from server.settings import Settings
from server.store.backends import database_for
from shared import schemas
from shared.client import RapportClient
from tests.conftest import Databases, FakeClock, MakeUser, drifts, on_app_loop


async def busy_history(make_user: MakeUser, clock: FakeClock) -> RapportClient:
    ana = await make_user("ana")
    ben = await make_user("ben")
    team = (await ana.request("POST", "/api/v1/teams", body={"name": "Pod"})).json()
    code = (await ana.request("POST", f"/api/v1/teams/{team['id']}/invites")).json()["code"]
    await ben.request("POST", "/api/v1/teams/join", body={"code": code})
    promise = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    listen = await ana.create_habit(
        schemas.HabitCreate(title="Listen", category="relationships", schedule=schemas.Daily())
    )
    challenge = (
        await ana.request("POST", "/api/v1/challenges", body={"template": "promise-keeper-week"})
    ).json()
    await ana.request("POST", f"/api/v1/challenges/{challenge['id']}/join")
    ben_id = UUID(str((await ben.me()).id))
    for day in range(10):
        await ana.check_in(promise.id)
        if day % 3:
            done = await ana.check_in(listen.id, schemas.CheckInCreate(witness=ben_id))
            if day == 4:
                await ana.undo(listen.id, done.checkin.id)
        clock.advance(days=1)
    for pending in (await ben.request("GET", "/api/v1/confirmations")).json():
        await ben.request("POST", f"/api/v1/confirmations/{pending['id']}", body={"confirm": True})
    return ana


async def test_a_busy_history_checks_clean_and_corruption_is_repaired(
    http: AsyncTestClient[Litestar], make_user: MakeUser, clock: FakeClock
) -> None:
    await busy_history(make_user, clock)
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
