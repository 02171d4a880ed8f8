"""Removal really removes, over a real socket: an event stream open when its holder is
removed from a team stops carrying that team's boards the moment the removal commits, and
carries them again when they are invited back."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from tests.conftest import Databases, live_servers

PASSWORD = "correct horse battery"


def register(base: str, handle: str) -> tuple[dict[str, str], str]:
    reply = httpx.post(
        f"{base}/api/v1/auth/register", json={"handle": handle, "password": PASSWORD}
    ).json()
    return {"Authorization": f"Bearer {reply['token']}"}, str(reply["user"]["id"])


def new_habit(base: str, auth: dict[str, str]) -> str:
    body = {"title": "Reps", "category": "results", "schedule": {"type": "daily"}}
    reply = httpx.post(f"{base}/api/v1/habits", json=body, headers=auth)
    assert reply.status_code == 201
    return str(reply.json()["id"])


def invite(base: str, auth: dict[str, str], team: str) -> str:
    return str(httpx.post(f"{base}/api/v1/teams/{team}/invites", headers=auth).json()["code"])


def a_team(base: str) -> tuple[dict[str, str], dict[str, str], str, str]:
    """Ana's team, which Ben joined: their headers, Ben's id, the team's id."""
    ana, _ = register(base, "ana")
    ben, ben_id = register(base, "ben")
    team = str(httpx.post(f"{base}/api/v1/teams", json={"name": "Crew"}, headers=ana).json()["id"])
    code = invite(base, ana, team)
    joined = httpx.post(f"{base}/api/v1/teams/join", json={"code": code}, headers=ben)
    assert joined.status_code == 200
    return ana, ben, ben_id, team


async def events(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, Any]]:
    """Each event's data, with its name under "event"."""
    name = ""
    async for line in lines:
        if line.startswith("event:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and line.split(":", 1)[1].strip():
            yield {**json.loads(line.split(":", 1)[1]), "event": name}


async def until(
    stream: AsyncIterator[dict[str, Any]], event: str, seen: list[dict[str, Any]]
) -> None:
    """Read ``stream`` into ``seen`` up to and including the first ``event``."""

    async def read() -> None:
        async for data in stream:
            seen.append(data)
            if data["event"] == event:
                return
        raise AssertionError("the stream ended")

    await asyncio.wait_for(read(), timeout=10)


async def test_a_removed_members_stream_stops_carrying_the_teams_boards(
    databases: Databases,
) -> None:
    with live_servers(databases.new(), 1) as [server]:
        base = server.base
        ana, ben, ben_id, team = a_team(base)
        ana_habits = [new_habit(base, ana) for _ in range(2)]
        ben_habits = [new_habit(base, ben) for _ in range(2)]

        async def check_in(auth: dict[str, str], habit: str) -> None:
            reply = await http.post(f"/api/v1/habits/{habit}/checkins", json={}, headers=auth)
            assert reply.status_code == 201

        async with (
            httpx.AsyncClient(base_url=base, timeout=10) as http,
            http.stream("GET", "/api/v1/events", headers=ben) as response,
        ):
            stream = events(response.aiter_lines())
            seen: list[dict[str, Any]] = []
            # A member hears the team's board move when a teammate checks in.
            await check_in(ana, ana_habits[0])
            await until(stream, "leaderboard", seen)
            assert seen[-1]["id"] == team

            removed = await http.delete(f"/api/v1/teams/{team}/members/{ben_id}", headers=ana)
            assert removed.status_code == 204
            seen.clear()
            await until(stream, "team", seen)  # the removal itself reaches him
            # Ana's next check-in moves the board; Ben's own check-in after it is the mark
            # that everything sent before it has been read.
            await check_in(ana, ana_habits[1])
            await check_in(ben, ben_habits[0])
            seen.clear()
            await until(stream, "checkin", seen)
            assert [e for e in seen if e["event"] == "leaderboard"] == []

            # Invited back: the board is his to hear again.
            code = invite(base, ana, team)
            back = await http.post("/api/v1/teams/join", json={"code": code}, headers=ben)
            assert back.status_code == 200
            await until(stream, "team", seen)
            await check_in(ben, ben_habits[1])
            seen.clear()
            await until(stream, "leaderboard", seen)
            assert seen[-1]["id"] == team
