"""Every route of the app, called as anonymous, a stranger, a teammate and the owner.

Routes are read from the app's router, so a new route without an expectation here fails
`test_every_route_has_an_expectation`. Rules (API.md): 401 without a token; 404 for an
object that is not yours (never revealing it exists); 403 for a teammate who lacks the
role. Roles are called in the order anonymous, stranger, member, owner, each against a
fresh world, so a role's own success (a DELETE) cannot hide another role's answer.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from shared import schemas
from shared.client import RapportClient
from tests.notify import push_subscription

ROLES = ("anonymous", "stranger", "member", "owner")
LOOP_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "loop"


def _loop_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(LOOP_FIXTURE.rglob("*.csv")):
            archive.writestr(path.relative_to(LOOP_FIXTURE).as_posix(), path.read_text())
    return buffer.getvalue()


@dataclass
class Rule:
    """Expected status for anonymous, stranger, member, owner; an optional body."""

    statuses: tuple[int, int, int, int]
    body: Any = None
    raw: bytes | None = None


PUBLIC_OK = Rule((200, 200, 200, 200))
EVERYONE = Rule((401, 200, 200, 200))
MINE_ONLY = Rule((401, 404, 404, 200))
MEMBERS = Rule((401, 404, 200, 200))
ADMINS = Rule((401, 404, 403, 200))
STREAM = Rule((401, 0, 0, 0))  # a stream never ends: authenticated roles in test_events.py

EXPECT: dict[tuple[str, str], Rule] = {
    ("GET", "/health"): PUBLIC_OK,
    ("GET", "/health/ready"): PUBLIC_OK,
    ("GET", "/metrics"): PUBLIC_OK,
    ("GET", "/schema"): PUBLIC_OK,
    ("GET", "/schema/openapi.json"): PUBLIC_OK,
    ("GET", "/schema/{path:str}"): Rule((200, 200, 200, 200)),
    ("POST", "/api/v1/auth/register"): Rule((201, 201, 201, 201), body="register"),
    ("POST", "/api/v1/auth/login"): Rule((200, 200, 200, 200), body="login"),
    ("POST", "/api/v1/auth/logout"): Rule((401, 204, 204, 204)),
    ("GET", "/api/v1/me"): EVERYONE,
    ("PATCH", "/api/v1/me"): Rule((401, 200, 200, 200), body={"display_name": "New"}),
    ("DELETE", "/api/v1/me"): Rule((401, 204, 204, 204)),
    ("GET", "/api/v1/me/points"): EVERYONE,
    ("GET", "/api/v1/me/badges"): EVERYONE,
    ("GET", "/api/v1/me/balance"): EVERYONE,
    ("GET", "/api/v1/me/export"): EVERYONE,
    # Import goes into a fresh account: the owner already has data, and the member belongs
    # to a team (an account with a team membership is not fresh either).
    ("POST", "/api/v1/me/import"): Rule((401, 200, 409, 409), body="export"),
    ("POST", "/api/v1/me/import/loop"): Rule((401, 200, 200, 200), raw=_loop_zip()),
    ("POST", "/api/v1/me/imports"): Rule((401, 202, 202, 202), raw=_loop_zip()),
    ("GET", "/api/v1/me/imports"): EVERYONE,
    ("GET", "/api/v1/me/reminders"): EVERYONE,
    ("GET", "/api/v1/me/imports/{job_id:uuid}"): MINE_ONLY,
    ("GET", "/api/v1/catalog/habits"): EVERYONE,
    ("GET", "/api/v1/catalog/challenges"): EVERYONE,
    ("GET", "/api/v1/catalog/rules"): EVERYONE,
    ("GET", "/api/v1/habits"): EVERYONE,
    ("POST", "/api/v1/habits"): Rule(
        (401, 201, 201, 201), body={"template": "deliver-on-a-promise"}
    ),
    ("GET", "/api/v1/habits/{habit_id:uuid}"): MINE_ONLY,
    ("PATCH", "/api/v1/habits/{habit_id:uuid}"): Rule((401, 404, 404, 200), body={"title": "T"}),
    ("DELETE", "/api/v1/habits/{habit_id:uuid}"): Rule((401, 404, 404, 204)),
    ("GET", "/api/v1/habits/{habit_id:uuid}/stats"): MINE_ONLY,
    ("GET", "/api/v1/habits/{habit_id:uuid}/calendar"): MINE_ONLY,
    ("GET", "/api/v1/habits/{habit_id:uuid}/checkins"): MINE_ONLY,
    ("POST", "/api/v1/habits/{habit_id:uuid}/checkins"): Rule(
        (401, 404, 404, 201), body={"day": "2026-03-10"}
    ),
    ("DELETE", "/api/v1/habits/{habit_id:uuid}/checkins/{checkin_id:uuid}"): Rule(
        (401, 404, 404, 204)
    ),
    ("POST", "/api/v1/habits/{habit_id:uuid}/breaks"): Rule(
        (401, 404, 404, 201), body={"starts_on": "2026-03-20", "ends_on": "2026-03-24"}
    ),
    ("GET", "/api/v1/habits/{habit_id:uuid}/breaks"): MINE_ONLY,
    ("DELETE", "/api/v1/habits/{habit_id:uuid}/breaks/{break_id:uuid}"): Rule((401, 404, 404, 204)),
    ("POST", "/api/v1/me/breaks"): Rule(
        (401, 201, 201, 201), body={"starts_on": "2026-03-20", "ends_on": "2026-03-24"}
    ),
    ("GET", "/api/v1/me/breaks"): EVERYONE,
    ("DELETE", "/api/v1/me/breaks/{break_id:uuid}"): Rule((401, 404, 404, 204)),
    ("GET", "/api/v1/push/vapid-public-key"): PUBLIC_OK,
    ("POST", "/api/v1/me/push-subscriptions"): Rule((401, 201, 201, 201), body="push"),
    ("GET", "/api/v1/me/push-subscriptions"): EVERYONE,
    ("DELETE", "/api/v1/me/push-subscriptions/{subscription_id:uuid}"): Rule((401, 404, 404, 204)),
    ("POST", "/api/v1/me/webhooks"): Rule(
        (401, 201, 201, 201), body={"url": "https://hooks.example.com/rapport"}
    ),
    ("GET", "/api/v1/me/webhooks"): EVERYONE,
    ("DELETE", "/api/v1/me/webhooks/{webhook_id:uuid}"): Rule((401, 404, 404, 204)),
    ("GET", "/api/v1/me/webhooks/{webhook_id:uuid}/deliveries"): MINE_ONLY,
    ("POST", "/api/v1/teams/{team_id:uuid}/webhooks"): Rule(
        (401, 404, 403, 201), body={"url": "https://hooks.example.com/team"}
    ),
    ("GET", "/api/v1/teams/{team_id:uuid}/webhooks"): ADMINS,
    ("DELETE", "/api/v1/teams/{team_id:uuid}/webhooks/{webhook_id:uuid}"): Rule(
        (401, 404, 403, 204)
    ),
    ("GET", "/api/v1/teams/{team_id:uuid}/webhooks/{webhook_id:uuid}/deliveries"): ADMINS,
    ("GET", "/api/v1/today"): EVERYONE,
    ("GET", "/api/v1/sync"): EVERYONE,
    ("GET", "/api/v1/events"): STREAM,
    ("POST", "/api/v1/teams"): Rule((401, 201, 201, 201), body={"name": "Crew"}),
    ("GET", "/api/v1/teams"): EVERYONE,
    ("POST", "/api/v1/teams/join"): Rule((401, 200, 200, 200), body="invite"),
    ("GET", "/api/v1/teams/{team_id:uuid}"): MEMBERS,
    ("PATCH", "/api/v1/teams/{team_id:uuid}"): Rule((401, 404, 403, 200), body={"name": "N"}),
    ("GET", "/api/v1/teams/{team_id:uuid}/members"): MEMBERS,
    # user_id is the member: hiding yourself is yours to choose (200); the owner may not
    # hide someone else (403).
    ("PATCH", "/api/v1/teams/{team_id:uuid}/members/{user_id:uuid}"): Rule(
        (401, 404, 200, 403), body={"hidden": True}
    ),
    # user_id is the member: the member leaves (204); then the owner finds no one (404).
    ("DELETE", "/api/v1/teams/{team_id:uuid}/members/{user_id:uuid}"): Rule((401, 404, 204, 404)),
    ("POST", "/api/v1/teams/{team_id:uuid}/invites"): Rule((401, 404, 403, 201)),
    ("GET", "/api/v1/teams/{team_id:uuid}/invites"): ADMINS,
    ("DELETE", "/api/v1/teams/{team_id:uuid}/invites/{invite_id:uuid}"): Rule((401, 404, 403, 204)),
    ("GET", "/api/v1/teams/{team_id:uuid}/leaderboard"): MEMBERS,
    ("POST", "/api/v1/challenges"): Rule(
        (401, 201, 201, 201), body={"template": "promise-keeper-week"}
    ),
    ("GET", "/api/v1/challenges"): EVERYONE,
    ("GET", "/api/v1/challenges/{challenge_id:uuid}"): MEMBERS,
    ("POST", "/api/v1/challenges/{challenge_id:uuid}/join"): MEMBERS,
    ("POST", "/api/v1/challenges/{challenge_id:uuid}/leave"): MEMBERS,
    ("GET", "/api/v1/challenges/{challenge_id:uuid}/leaderboard"): MEMBERS,
    ("GET", "/api/v1/confirmations"): EVERYONE,
    # Addressed to the member: only they may decide; the owner who asked gets 404.
    ("POST", "/api/v1/confirmations/{confirmation_id:uuid}"): Rule(
        (401, 404, 200, 404), body={"confirm": True}
    ),
}


def app_routes(app: Litestar) -> set[tuple[str, str]]:
    return {
        (method, route.path)
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for method in route.methods
        if method not in ("OPTIONS", "HEAD")
    }


def test_every_route_has_an_expectation(app: Litestar) -> None:
    routes = app_routes(app)
    assert routes - EXPECT.keys() == set(), "add the new routes to EXPECT"
    assert EXPECT.keys() - routes == set(), "EXPECT names routes that no longer exist"


@dataclass
class World:
    clients: dict[str, RapportClient]
    ids: dict[str, str]
    invite_code: str
    export: bytes


async def build_world(http: AsyncTestClient[Litestar]) -> World:
    clients: dict[str, RapportClient] = {"anonymous": RapportClient(http=http)}
    for role in ("stranger", "member", "owner"):
        client = RapportClient(http=http)
        await client.register(
            schemas.RegisterRequest(handle=f"{role}x", password="a long enough password")
        )
        clients[role] = client
    owner, member = clients["owner"], clients["member"]
    habit = await owner.create_habit(
        schemas.HabitCreate(title="Listen", category="relationships", schedule=schemas.Daily())
    )
    team = (await owner.request("POST", "/api/v1/teams", body={"name": "Pod"})).json()
    invite = (await owner.request("POST", f"/api/v1/teams/{team['id']}/invites")).json()
    await member.request("POST", "/api/v1/teams/join", body={"code": invite["code"]})
    member_id = str((await member.me()).id)
    checkin = await owner.check_in(habit.id, schemas.CheckInCreate(witness=UUID(member_id)))
    challenge = (
        await owner.request(
            "POST",
            "/api/v1/challenges",
            body={"template": "promise-keeper-week", "team_id": team["id"]},
        )
    ).json()
    [confirmation] = (await member.request("GET", "/api/v1/confirmations")).json()
    second_invite = (await owner.request("POST", f"/api/v1/teams/{team['id']}/invites")).json()
    export = (await owner.request("GET", "/api/v1/me/export")).content
    job = await owner.import_file(_loop_zip(), "application/zip", poll_s=0.02)
    hook = (
        await owner.request(
            "POST", "/api/v1/me/webhooks", body={"url": "https://hooks.example.com/a"}
        )
    ).json()
    team_hook = (
        await owner.request(
            "POST",
            f"/api/v1/teams/{team['id']}/webhooks",
            body={"url": "https://hooks.example.com/b"},
        )
    ).json()
    subscription = (
        await owner.request("POST", "/api/v1/me/push-subscriptions", body=push_subscription())
    ).json()
    pause = (
        await owner.request(
            "POST",
            f"/api/v1/habits/{habit.id}/breaks",
            body={"starts_on": "2026-03-12", "ends_on": "2026-03-14"},
        )
    ).json()
    return World(
        clients=clients,
        ids={
            "habit_id": str(habit.id),
            "checkin_id": str(checkin.checkin.id),
            "team_id": team["id"],
            "user_id": member_id,
            "invite_id": second_invite["id"],
            "challenge_id": challenge["id"],
            "confirmation_id": confirmation["id"],
            "path": "openapi.json",
            "job_id": job.id,
            "break_id": pause["id"],
            "webhook_id": hook["id"],
            "team_webhook_id": team_hook["id"],
            "subscription_id": subscription["id"],
        },
        invite_code=second_invite["code"],
        export=export,
    )


def fill(path: str, ids: dict[str, str]) -> str:
    """The path with the world's ids; under /teams a ``team_<name>`` id wins (a team's
    webhook, not the owner's own)."""
    under_team = path.startswith("/api/v1/teams/")

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        return ids[f"team_{name}"] if under_team and f"team_{name}" in ids else ids[name]

    return re.sub(r"\{(\w+)(?::\w+)?\}", one, path)


@pytest.mark.parametrize(("method", "path"), sorted(EXPECT))
async def test_route_answers_each_role_as_api_md_says(
    app: Litestar, method: str, path: str
) -> None:
    rule = EXPECT[(method, path)]
    async with AsyncTestClient(app=app) as http:
        world = await build_world(http)
        got = []
        for role, expected in zip(ROLES, rule.statuses, strict=True):
            if expected == 0:
                got.append(0)
                continue
            client = world.clients[role]
            url = fill(path, world.ids)
            body = rule.body
            if body == "register":
                body = {"handle": f"new{role}", "password": "a long enough password"}
            elif body == "login":
                body = {"handle": "ownerx", "password": "a long enough password"}
            elif body == "invite":
                body = {"code": world.invite_code}
            elif body == "push":
                body = push_subscription()
            headers = {"Authorization": f"Bearer {client.token}"} if client.token else {}
            if rule.raw is not None:
                response = await http.request(
                    method, url, content=rule.raw,
                    headers={**headers, "Content-Type": "application/zip"},
                )  # fmt: skip
            elif body == "export":
                response = await http.request(
                    method, url, content=world.export,
                    headers={**headers, "Content-Type": "application/json"},
                )  # fmt: skip
            else:
                response = await http.request(method, url, json=body, headers=headers)
            got.append(response.status_code)
    assert tuple(got) == rule.statuses
