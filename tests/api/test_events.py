"""Live events over server-sent events, against the real server process (a streamed
response needs a real socket)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import Databases, live_server

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def server(session_databases: Databases) -> Iterator[str]:
    with live_server(session_databases.new("events")) as base:
        yield base


async def read_events(response: httpx.Response, count: int) -> list[dict[str, Any]]:
    """The next ``count`` named events of an SSE stream."""
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    async for line in response.aiter_lines():
        if line.startswith(":"):
            continue
        if not line:
            if "event" in current:  # a block without an event name only sets retry
                events.append(current)
                if len(events) == count:
                    return events
            current = {}
            continue
        field, _, value = line.partition(":")
        current[field] = value.strip()
    return events


async def test_a_second_device_sees_check_ins_and_badges_in_order(server: str) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=10) as http:
        reg = await http.post(
            "/api/v1/auth/register", json={"handle": "evie", "password": PASSWORD}
        )
        phone = {"Authorization": f"Bearer {reg.json()['token']}"}
        login = await http.post("/api/v1/auth/login", json={"handle": "evie", "password": PASSWORD})
        laptop = {"Authorization": f"Bearer {login.json()['token']}"}
        habit = (
            await http.post(
                "/api/v1/habits", json={"template": "deliver-on-a-promise"}, headers=phone
            )
        ).json()

        async with http.stream("GET", "/api/v1/events", headers=laptop) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            reader = asyncio.create_task(read_events(stream, 4))
            await asyncio.sleep(0.2)  # let the subscription settle
            done = await http.post(f"/api/v1/habits/{habit['id']}/checkins", json={}, headers=phone)
            assert done.status_code == 201
            events = await asyncio.wait_for(reader, timeout=10)

    names = [e["event"] for e in events]
    assert "checkin" in names
    assert "badge" in names
    payloads = [json.loads(e["data"]) for e in events]
    checkin = next(p for p in payloads if p["event"] == "checkin")
    assert checkin["id"] == done.json()["checkin"]["id"]
    versions = [int(e["id"]) for e in events]
    assert versions == sorted(versions)  # one transaction, one version, in order


async def test_events_need_a_token(server: str) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=5) as http:
        response = await http.get("/api/v1/events")
    assert response.status_code == 401


async def test_a_teammate_hears_the_board_move(server: str) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=10) as http:

        async def register(handle: str) -> dict[str, str]:
            reply = await http.post(
                "/api/v1/auth/register", json={"handle": handle, "password": PASSWORD}
            )
            return {"Authorization": f"Bearer {reply.json()['token']}"}

        owner, mate = await register("owner1"), await register("mate1")
        team = (await http.post("/api/v1/teams", json={"name": "Pod"}, headers=owner)).json()
        code = (await http.post(f"/api/v1/teams/{team['id']}/invites", headers=owner)).json()
        await http.post("/api/v1/teams/join", json={"code": code["code"]}, headers=mate)
        habit = (
            await http.post(
                "/api/v1/habits", json={"template": "deliver-on-a-promise"}, headers=owner
            )
        ).json()

        async with http.stream("GET", "/api/v1/events", headers=mate) as stream:
            reader = asyncio.create_task(read_events(stream, 1))
            await asyncio.sleep(0.2)
            await http.post(f"/api/v1/habits/{habit['id']}/checkins", json={}, headers=owner)
            [event] = await asyncio.wait_for(reader, timeout=10)

    assert event["event"] == "leaderboard"
    assert json.loads(event["data"])["id"] == team["id"]


async def test_reconnecting_with_last_event_id_is_told_where_to_sync_from(server: str) -> None:
    async with httpx.AsyncClient(base_url=server, timeout=10) as http:
        reg = await http.post(
            "/api/v1/auth/register", json={"handle": "gale", "password": PASSWORD}
        )
        auth = {"Authorization": f"Bearer {reg.json()['token']}"}
        habit = (
            await http.post(
                "/api/v1/habits", json={"template": "deliver-on-a-promise"}, headers=auth
            )
        ).json()
        first_sync = (await http.get("/api/v1/sync", headers=auth)).json()
        await http.post(f"/api/v1/habits/{habit['id']}/checkins", json={}, headers=auth)

        # The client last saw version 2 (registration was 1, the habit 2).
        headers = {**auth, "Last-Event-ID": "2"}
        async with http.stream("GET", "/api/v1/events", headers=headers) as stream:
            [event] = await asyncio.wait_for(read_events(stream, 1), timeout=10)
        assert event["event"] == "sync"
        since = json.loads(event["data"])["since"]
        missed = (await http.get("/api/v1/sync", params={"since": since}, headers=auth)).json()

    kinds = {c["kind"] for c in missed["changes"]}
    assert "checkin" in kinds
    assert "habit" not in kinds  # seen before the disconnect
    assert missed["cursor"] != first_sync["cursor"]
