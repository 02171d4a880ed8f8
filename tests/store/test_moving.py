"""``rapport-server migrate-data``: a SQLite deployment with teams, challenges, peer
confirmations and undone check-ins moves into PostgreSQL with nothing lost, and the same
tokens, exports and signatures work there. (Run with ``--store postgresql``.)"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import Settings
from shared import schemas
from shared.client import RapportClient
from tests.conftest import FAST_HASHER, Databases, FakeClock, busy_history, live_server

pytestmark = pytest.mark.postgres_only


async def a_busy_sqlite_deployment(path: Path) -> dict[str, Any]:
    """Two teammates' history on a SQLite file; what a client of ana holds afterwards."""
    # Recent, so the tokens it hands out are still valid for the server after the move.
    clock = FakeClock(datetime.now(UTC) - timedelta(days=9))
    app = create_app(Settings(database=str(path)), clock=clock, hasher=FAST_HASHER)
    async with AsyncTestClient(app=app) as http:
        ana, ben = RapportClient(http=http), RapportClient(http=http)
        for client, handle in ((ana, "ana"), (ben, "ben")):
            await client.register(schemas.RegisterRequest(handle=handle, password="long enough"))
        team = await busy_history(ana, ben, clock, days=8)
        export = (await ana.request("GET", "/api/v1/me/export")).json()
        board = (
            await ana.request("GET", f"/api/v1/teams/{team}/leaderboard", params={"period": "all"})
        ).json()
        return {"token": ana.token, "export": export, "board": board, "team": team}


async def _never_analyzed(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.reltuples < 0"
            " AND c.relnamespace = current_schema()::regnamespace"
        )
        return sorted(str(r[0]) for r in rows)
    finally:
        await conn.close()


def test_a_sqlite_deployment_moves_to_postgresql_with_nothing_lost(
    tmp_path: Path, databases: Databases
) -> None:
    source = tmp_path / "rapport.db"
    held = asyncio.run(a_busy_sqlite_deployment(source))
    target = databases.new()
    command = [sys.executable, "-m", "server", "migrate-data", "--from", str(source)]
    moved = subprocess.run([*command, "--to", target], capture_output=True, text=True)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert "every user's data reads the same" in moved.stdout
    assert "copied         2 rows of users" in moved.stdout

    # The planner has statistics at once (reltuples is -1 until a table is analyzed).
    assert asyncio.run(_never_analyzed(target)) == []

    again = subprocess.run([*command, "--to", target], capture_output=True, text=True)
    assert again.returncode == 2
    assert "already has users" in again.stderr

    with live_server(target) as base:
        auth = {"Authorization": f"Bearer {held['token']}"}  # the same token still works
        board = httpx.get(
            f"{base}/api/v1/teams/{held['team']}/leaderboard",
            params={"period": "all"},
            headers=auth,
        )
        ranks = ("entries", "me")  # the all-time board; its end date is today's
        assert {k: board.json()[k] for k in ranks} == {k: held["board"][k] for k in ranks}
        assert len(held["board"]["entries"]) == 2
        # An export signed before the move still verifies after it: once its account is
        # gone, a fresh account imports it as this server's own (points rebuilt), not as
        # an unverified file.
        assert httpx.delete(f"{base}/api/v1/me", headers=auth).status_code == 204
        token = httpx.post(
            f"{base}/api/v1/auth/register", json={"handle": "twin", "password": "long enough"}
        ).json()["token"]
        imported = httpx.post(
            f"{base}/api/v1/me/import",
            json=held["export"],
            headers={"Authorization": f"Bearer {token}"},
        )
        assert imported.status_code == 200, imported.text
        assert imported.json()["verified"] is True
