"""Two server processes on one PostgreSQL database, as behind a load balancer: a change
made through one reaches a stream open on the other, the same check-in sent to both at
once is recorded once, and killing one under load loses no acknowledged check-in."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.conftest import Databases, ServerProcess, live_servers, stored_checkin_ids

pytestmark = pytest.mark.postgres_only

PASSWORD = "a long enough password"


def register(base: str, handle: str) -> dict[str, str]:
    token = httpx.post(
        f"{base}/api/v1/auth/register", json={"handle": handle, "password": PASSWORD}
    ).json()["token"]
    return {"Authorization": f"Bearer {token}"}


async def next_event(lines: AsyncIterator[str], name: str) -> dict[str, Any]:
    """The data of the next ``name`` event on a server-sent event stream's lines."""
    event = ""
    async for line in lines:
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == name:
            return dict(json.loads(line.split(":", 1)[1]))
    raise AssertionError("the stream ended")


def new_habit(base: str, auth: dict[str, str], **fields: Any) -> str:
    body = {"title": "Reps", "category": "results", "schedule": {"type": "daily"}, **fields}
    reply = httpx.post(f"{base}/api/v1/habits", json=body, headers=auth)
    assert reply.status_code == 201
    return str(reply.json()["id"])


async def test_a_check_in_through_one_instance_reaches_a_stream_on_the_other(
    databases: Databases,
) -> None:
    with live_servers(databases.new(), 2) as (a, b):
        auth = register(a.base, "ana")
        habit = new_habit(b.base, auth)
        async with (
            httpx.AsyncClient(base_url=a.base, timeout=10) as on_a,
            httpx.AsyncClient(base_url=b.base, timeout=10) as on_b,
            on_a.stream("GET", "/api/v1/events", headers=auth) as stream,
        ):
            lines = stream.aiter_lines()
            assert (await anext(lines)).startswith(":")  # subscribed
            reply = await on_b.post(f"/api/v1/habits/{habit}/checkins", json={}, headers=auth)
            assert reply.status_code == 201

            data = await asyncio.wait_for(next_event(lines, "checkin"), timeout=10)
        assert data["id"] == reply.json()["checkin"]["id"]


async def test_the_same_check_in_sent_to_both_at_once_is_recorded_once(
    databases: Databases,
) -> None:
    with live_servers(databases.new(), 2) as (a, b):
        auth = register(a.base, "ben")
        habits = [new_habit(a.base, auth, title=f"Habit {i}") for i in range(10)]
        async with (
            httpx.AsyncClient(base_url=a.base, headers=auth, timeout=10) as on_a,
            httpx.AsyncClient(base_url=b.base, headers=auth, timeout=10) as on_b,
        ):
            for habit in habits:
                body = {"id": str(uuid.uuid4()), "note": "once"}
                path = f"/api/v1/habits/{habit}/checkins"
                replies = await asyncio.gather(
                    on_a.post(path, json=body), on_b.post(path, json=body)
                )
                assert sorted(r.status_code for r in replies) == [200, 201]
                assert replies[0].json() == replies[1].json()
                listed = (await on_a.get(path)).json()["items"]
                assert [c["id"] for c in listed] == [body["id"]]
            me = (await on_b.get("/api/v1/me")).json()
            ledger = (await on_b.get("/api/v1/me/points", params={"limit": 200})).json()
        paid = [e for e in ledger["items"] if e["reason"] == "checkin"]
        assert len(paid) == len(habits)
        assert me["points"] == sum(e["amount"] for e in ledger["items"])


def test_killing_one_instance_under_load_loses_no_acknowledged_check_in(
    databases: Databases,
) -> None:
    database = databases.new()
    with live_servers(database, 2) as servers:
        users = []
        for i in range(4):
            auth = register(servers[0].base, f"runner{i}")
            users.append((auth, new_habit(servers[0].base, auth, kind="count", target=10_000)))
        acknowledged: list[list[str]] = [[] for _ in users]
        stop = threading.Event()

        def stream(i: int) -> None:
            auth, habit = users[i]
            base = servers[i % 2].base  # half the clients on each instance
            with httpx.Client(base_url=base, headers=auth, timeout=5) as http:
                while not stop.is_set():
                    checkin_id = str(uuid.uuid4())
                    try:
                        reply = http.post(
                            f"/api/v1/habits/{habit}/checkins", json={"id": checkin_id}
                        )
                    except httpx.TransportError:
                        return  # its instance is gone
                    if reply.status_code in (200, 201):
                        acknowledged[i].append(checkin_id)

        threads = [threading.Thread(target=stream, args=(i,)) for i in range(len(users))]
        for t in threads:
            t.start()
        time.sleep(1.5)
        servers[0].proc.send_signal(signal.SIGKILL)
        servers[0].proc.wait(timeout=10)
        time.sleep(0.5)  # the other instance goes on serving its clients
        stop.set()
        for t in threads:
            t.join(timeout=10)
        assert all(len(a) > 5 for a in acknowledged)  # every stream was really flowing

        survivor = servers[1].base
        for i, (auth, habit) in enumerate(users):
            stored = stored_checkin_ids(survivor, auth, habit)
            assert set(acknowledged[i]) <= stored
    audit = subprocess.run(
        [sys.executable, "-m", "server", "check", "--database", database],
        capture_output=True,
        text=True,
    )
    assert audit.returncode == 0, audit.stdout
    assert "checked 4 users" in audit.stdout


def test_failed_logins_and_writes_are_limited_across_instances(databases: Databases) -> None:
    limits = {"RAPPORT_LOGIN_FAILURES_PER_MINUTE": "4", "RAPPORT_WRITES_PER_MINUTE": "6"}
    with live_servers(databases.new(), 2, env=limits) as (a, b):
        auth = register(a.base, "cleo")
        wrong = {"handle": "cleo", "password": "not the password"}
        answers = [
            httpx.post(f"{server.base}/api/v1/auth/login", json=wrong).status_code
            for server in (a, b, a, b, a, b)
        ]
        assert answers == [401, 401, 401, 401, 429, 429]

        habit = new_habit(a.base, auth)  # the first write of the minute
        path = f"/api/v1/habits/{habit}"
        writes = [
            httpx.patch(f"{server.base}{path}", json={"title": f"Reps {i}"}, headers=auth)
            for i, server in enumerate((b, a, b, a, b, a, b))
        ]
        assert [w.status_code for w in writes] == [200] * 5 + [429, 429]
        assert writes[-1].headers["Retry-After"].isdigit()
        # Reads are not limited.
        assert httpx.get(f"{b.base}{path}", headers=auth).status_code == 200


async def test_workers_of_one_server_share_events(databases: Databases) -> None:
    server = ServerProcess(databases.new(), None, "--workers", "2")
    try:
        server.wait_ready()
        auth = register(server.base, "dora")
        habit = new_habit(server.base, auth)
        async with httpx.AsyncClient(base_url=server.base, timeout=10) as http:
            streams = [http.stream("GET", "/api/v1/events", headers=auth) for _ in range(4)]
            opened = [await s.__aenter__() for s in streams]  # likely on both workers
            lines = [o.aiter_lines() for o in opened]
            for each in lines:
                assert (await anext(each)).startswith(":")
            reply = await http.post(f"/api/v1/habits/{habit}/checkins", json={}, headers=auth)

            async def checkin_seen(each: Any) -> bool:
                async for line in each:
                    if line.startswith("event:") and "checkin" in line:
                        return True
                return False

            seen = await asyncio.wait_for(
                asyncio.gather(*(checkin_seen(each) for each in lines)), timeout=10
            )
            for s in streams:
                await s.__aexit__(None, None, None)
        assert reply.status_code == 201
        assert seen == [True] * 4
        assert len(_children(server.proc.pid)) >= 2  # the workers (and uvicorn's helper, if any)
    finally:
        log = server.stop()
    assert "Traceback" not in log


def _children(pid: int) -> list[Path]:
    return [p for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == pid]


def _parent(process: Path) -> int | None:
    try:
        status = (process / "status").read_text()
    except OSError:
        return None
    return next(int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid"))


async def test_events_survive_the_listener_losing_its_connection(databases: Databases) -> None:
    """A PostgreSQL restart or failover ends the instance's LISTEN connection: it connects
    again, tells open streams to sync, and hears changes again."""
    url = databases.new()
    with live_servers(url, 1) as [server]:
        auth = register(server.base, "erin")
        habit = new_habit(server.base, auth)
        async with (
            httpx.AsyncClient(base_url=server.base, timeout=10) as http,
            http.stream("GET", "/api/v1/events", headers=auth) as stream,
        ):
            lines = stream.aiter_lines()
            assert (await anext(lines)).startswith(":")  # subscribed

            admin = await asyncpg.connect(url)
            try:
                killed = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND query LIKE 'LISTEN %'"
                    " AND pid <> pg_backend_pid()"
                )
            finally:
                await admin.close()
            assert killed == 1
            told = await asyncio.wait_for(next_event(lines, "sync"), timeout=15)
            assert told["event"] == "sync"

            reply = await http.post(f"/api/v1/habits/{habit}/checkins", json={}, headers=auth)
            assert reply.status_code == 201
            heard = await asyncio.wait_for(next_event(lines, "checkin"), timeout=10)
        assert heard["id"] == reply.json()["checkin"]["id"]
