"""Online backup and restore: a copy taken while the app runs restores to identical data."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import Settings
from shared import schemas
from shared.client import RapportClient
from tests.conftest import FAST_HASHER, FakeClock

# The SQLite back end's own machinery; the PostgreSQL run leaves it out.
pytestmark = pytest.mark.sqlite_only


async def test_backup_while_running_restores_to_identical_data(
    tmp_path: Path, clock: FakeClock
) -> None:
    live = tmp_path / "live.db"
    copy = tmp_path / "backups" / "copy.db"
    app = create_app(Settings(database=str(live)), clock=clock, hasher=FAST_HASHER)
    async with AsyncTestClient(app=app) as http:
        ana = RapportClient(http=http)
        await ana.register(schemas.RegisterRequest(handle="ana", password="a long password"))
        habit = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
        for _ in range(3):
            await ana.check_in(habit.id)
            clock.advance(days=1)
        before = (await ana.request("GET", "/api/v1/me/export")).content
        command = [sys.executable, "-m", "server", "backup", str(copy), "--database", str(live)]
        done = await asyncio.to_thread(
            subprocess.run, command, capture_output=True, text=True, check=True
        )
        assert "backed up" in done.stdout
        token = ana.token

    restored = create_app(Settings(database=str(copy)), clock=clock, hasher=FAST_HASHER)
    async with AsyncTestClient(app=restored) as http:
        same = RapportClient(http=http, token=token)
        after = (await same.request("GET", "/api/v1/me/export")).content
    a = msgspec.json.decode(before)
    b = msgspec.json.decode(after)
    del a["exported_at"], b["exported_at"]
    assert a == b
    assert len(b["habits"][0]["checkins"]) == 3


def test_backup_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "exists.db"
    target.write_bytes(b"precious")
    source = tmp_path / "source.db"
    source.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "server", "backup", str(target), "--database", str(source)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert target.read_bytes() == b"precious"
