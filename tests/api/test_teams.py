"""Teams through the HTTP API: who may see and change a team, invites (expiry and
revocation), leaving and removing members, roles, and opting out of the boards.

Status codes follow API.md: 401 without a token, 403 for a member without the role,
404 for anyone who is not a member (a team never reveals that it exists)."""

from __future__ import annotations

import base64
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from shared import schemas
from shared.client import ApiError, RapportClient
from tests.conftest import FakeClock, MakeUser, fails

TEAMS = "/api/v1/teams"


async def status_of(call: Awaitable[httpx.Response]) -> int:
    try:
        return (await call).status_code
    except ApiError as error:
        return error.status


async def user_id(client: RapportClient) -> UUID:
    return (await client.me()).id


async def create_team(client: RapportClient, name: str = "Crew", **fields: Any) -> schemas.Team:
    response = await client.request("POST", TEAMS, body={"name": name, **fields})
    assert response.status_code == 201
    return msgspec.json.decode(response.content, type=schemas.Team)


async def get_team(client: RapportClient, team_id: UUID) -> schemas.Team:
    response = await client.request("GET", f"{TEAMS}/{team_id}")
    assert response.status_code == 200
    return msgspec.json.decode(response.content, type=schemas.Team)


async def my_teams(client: RapportClient) -> list[schemas.Team]:
    response = await client.request("GET", TEAMS)
    return msgspec.json.decode(response.content, type=list[schemas.Team])


async def create_invite(
    client: RapportClient, team_id: UUID, **body: Any
) -> tuple[int, schemas.Invite]:
    response = await client.request("POST", f"{TEAMS}/{team_id}/invites", body=body or None)
    return response.status_code, msgspec.json.decode(response.content, type=schemas.Invite)


async def join(client: RapportClient, code: str) -> tuple[int, schemas.Membership]:
    response = await client.request("POST", f"{TEAMS}/join", body={"code": code})
    return response.status_code, msgspec.json.decode(response.content, type=schemas.Membership)


async def team_of(owner: RapportClient, *others: RapportClient, **fields: Any) -> schemas.Team:
    """A team owned by ``owner`` that every one of ``others`` has joined."""
    team = await create_team(owner, **fields)
    if others:
        _, invite = await create_invite(owner, team.id)
        for other in others:
            status, _ = await join(other, invite.code)
            assert status == 200
    return team


async def set_member(
    client: RapportClient, team_id: UUID, member_id: UUID, **body: Any
) -> httpx.Response:
    return await client.request("PATCH", f"{TEAMS}/{team_id}/members/{member_id}", body=body)


async def remove(client: RapportClient, team_id: UUID, member_id: UUID) -> httpx.Response:
    return await client.request("DELETE", f"{TEAMS}/{team_id}/members/{member_id}")


async def board(client: RapportClient, team_id: UUID, **params: Any) -> schemas.Leaderboard:
    response = await client.request("GET", f"{TEAMS}/{team_id}/leaderboard", params=params)
    return msgspec.json.decode(response.content, type=schemas.Leaderboard)


async def earn_points(client: RapportClient) -> int:
    """Check in a fresh daily habit; the points it paid."""
    habit = await client.create_habit(
        schemas.HabitCreate(title="Ship", category="results", schedule=schemas.Daily())
    )
    return (await client.check_in(habit.id)).points_awarded


# -- create, list, read -------------------------------------------------------------------


async def test_creating_a_team_makes_the_caller_its_owner(ana: RapportClient) -> None:
    team = await create_team(ana, "Night shift", timezone="Europe/Berlin")

    assert team.name == "Night shift"
    assert team.timezone == "Europe/Berlin"
    assert team.my_role == "owner"
    assert team.member_count == 1
    assert team.members is not None
    [member] = team.members
    assert (member.user.id, member.user.handle, member.role) == (await user_id(ana), "ana", "owner")


async def test_a_team_without_a_time_zone_takes_the_creators(make_user: MakeUser) -> None:
    kiwi = await make_user("kiwi", timezone="Pacific/Auckland")
    assert (await create_team(kiwi)).timezone == "Pacific/Auckland"


async def test_a_team_with_an_unknown_time_zone_is_rejected(ana: RapportClient) -> None:
    error = await fails(ana.request("POST", TEAMS, body={"name": "X", "timezone": "Mars/Olympus"}))
    assert error.status == 422


async def test_the_team_list_holds_only_my_teams(ana: RapportClient, ben: RapportClient) -> None:
    first = await create_team(ana, "First")
    second = await create_team(ana, "Second")
    bens = await create_team(ben, "Ben's")

    assert [t.id for t in await my_teams(ana)] == [first.id, second.id]
    assert [(t.id, t.my_role) for t in await my_teams(ben)] == [(bens.id, "owner")]


async def test_a_member_reads_the_team_with_its_members(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await team_of(ana, ben)

    seen = await get_team(ben, team.id)
    assert seen.my_role == "member"
    assert seen.member_count == 2
    assert seen.members is not None
    roles = {m.user.handle: m.role for m in seen.members}
    assert roles == {"ana": "owner", "ben": "member"}


async def test_a_non_member_gets_404_for_a_team_as_for_one_that_does_not_exist(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await create_team(ana)

    hidden = await fails(ben.request("GET", f"{TEAMS}/{team.id}"))
    missing = await fails(ben.request("GET", f"{TEAMS}/{uuid4()}"))
    assert hidden.status == missing.status == 404
    assert team.id not in [t.id for t in await my_teams(ben)]


# -- anonymous callers --------------------------------------------------------------------

ANONYMOUS_CALLS = [
    ("POST", "", {"name": "X"}),
    ("GET", "", None),
    ("GET", "/{team}", None),
    ("PATCH", "/{team}", {"name": "Y"}),
    ("GET", "/{team}/members", None),
    ("PATCH", "/{team}/members/{user}", {"hidden": True}),
    ("DELETE", "/{team}/members/{user}", None),
    ("POST", "/{team}/invites", {"expires_in_hours": 1}),
    ("GET", "/{team}/invites", None),
    ("DELETE", "/{team}/invites/{invite}", None),
    ("POST", "/join", {"code": "ABCDEFGHJK"}),
    ("GET", "/{team}/leaderboard", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ANONYMOUS_CALLS)
async def test_every_team_route_answers_401_without_a_token(
    http: AsyncTestClient[Litestar],
    ana: RapportClient,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    team = await create_team(ana)
    _, invite = await create_invite(ana, team.id)
    url = TEAMS + path.format(team=team.id, user=await user_id(ana), invite=invite.id)
    anonymous = RapportClient(http=http)

    error = await fails(anonymous.request(method, url, body=body))
    assert error.status == 401

    # Nothing changed behind the 401.
    after = await get_team(ana, team.id)
    assert (after.name, after.member_count) == ("Crew", 1)


async def test_a_bad_token_is_401_too(http: AsyncTestClient[Litestar], ana: RapportClient) -> None:
    team = await create_team(ana)
    stranger = RapportClient(http=http, token="not-a-real-token")
    assert (await fails(stranger.request("GET", f"{TEAMS}/{team.id}"))).status == 401


# -- changing the team --------------------------------------------------------------------


async def test_owner_and_admin_rename_and_set_the_goal_a_member_may_not(
    make_user: MakeUser,
) -> None:
    owner, admin, member, outsider = [
        await make_user(h) for h in ("owner", "admin", "member", "outsider")
    ]
    team = await team_of(owner, admin, member)
    assert (await set_member(owner, team.id, await user_id(admin), role="admin")).status_code == 200

    response = await owner.request("PATCH", f"{TEAMS}/{team.id}", body={"name": "Renamed"})
    assert response.status_code == 200
    assert msgspec.json.decode(response.content, type=schemas.Team).name == "Renamed"

    goal = {"target": 10, "category": "relationships"}
    response = await admin.request("PATCH", f"{TEAMS}/{team.id}", body={"goal": goal})
    assert response.status_code == 200
    updated = msgspec.json.decode(response.content, type=schemas.Team)
    assert updated.goal is not None
    assert (updated.goal.target, updated.goal.category, updated.goal.progress) == (
        10,
        "relationships",
        0,
    )

    denied = await fails(member.request("PATCH", f"{TEAMS}/{team.id}", body={"name": "Mine"}))
    assert denied.status == 403
    unseen = await fails(outsider.request("PATCH", f"{TEAMS}/{team.id}", body={"name": "Mine"}))
    assert unseen.status == 404

    final = await get_team(member, team.id)
    assert final.name == "Renamed"
    assert final.goal is not None
    assert final.goal.target == 10


# -- invites ------------------------------------------------------------------------------


async def test_owner_and_admin_create_invites_a_member_gets_403_an_outsider_404(
    make_user: MakeUser, clock: FakeClock
) -> None:
    owner, admin, member, outsider = [
        await make_user(h) for h in ("owner", "admin", "member", "outsider")
    ]
    team = await team_of(owner, admin, member)
    await set_member(owner, team.id, await user_id(admin), role="admin")

    status, by_owner = await create_invite(owner, team.id, expires_in_hours=24)
    assert status == 201
    assert by_owner.code
    assert by_owner.expires_at == clock.now + timedelta(hours=24)
    status, by_admin = await create_invite(admin, team.id)
    assert status == 201
    assert by_admin.code != by_owner.code

    assert (await fails(create_invite(member, team.id))).status == 403
    assert (await fails(create_invite(outsider, team.id))).status == 404


async def test_joining_with_a_code_makes_a_member_and_joining_again_changes_nothing(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await create_team(ana)
    _, invite = await create_invite(ana, team.id)

    status, membership = await join(ben, invite.code)
    assert status == 200
    assert (membership.role, membership.team.id, membership.team.member_count) == (
        "member",
        team.id,
        2,
    )

    status, again = await join(ben, invite.code)
    assert status == 200
    assert (again.role, again.team.member_count) == ("member", 2)
    assert (await get_team(ana, team.id)).member_count == 2

    # The owner joining with their own team's code stays the owner.
    status, owner_again = await join(ana, invite.code)
    assert (status, owner_again.role, owner_again.team.member_count) == (200, "owner", 2)


async def test_codes_are_read_case_and_space_insensitively(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await create_team(ana)
    _, invite = await create_invite(ana, team.id)
    status, _ = await join(ben, f"  {invite.code.lower()} ")
    assert status == 200


async def test_an_expired_invite_code_is_404(make_user: MakeUser, clock: FakeClock) -> None:
    ana, ben, cat = [await make_user(h) for h in ("ana", "ben", "cat")]
    team = await create_team(ana)
    _, invite = await create_invite(ana, team.id, expires_in_hours=2)

    clock.advance(hours=1, minutes=59)
    status, _ = await join(ben, invite.code)
    assert status == 200

    clock.advance(minutes=2)
    error = await fails(join(cat, invite.code))
    assert error.status == 404
    assert team.id not in [t.id for t in await my_teams(cat)]
    assert (await get_team(ana, team.id)).member_count == 2


async def test_a_revoked_invite_code_is_404_and_revoking_twice_is_404(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await create_team(ana)
    _, invite = await create_invite(ana, team.id)

    revoked = await ana.request("DELETE", f"{TEAMS}/{team.id}/invites/{invite.id}")
    assert revoked.status_code == 204

    assert (await fails(join(ben, invite.code))).status == 404
    again = await fails(ana.request("DELETE", f"{TEAMS}/{team.id}/invites/{invite.id}"))
    assert again.status == 404
    assert (await get_team(ana, team.id)).member_count == 1


async def test_an_unknown_code_is_404(ben: RapportClient) -> None:
    assert (await fails(join(ben, "NOSUCHCODE"))).status == 404


async def test_invite_list_shows_open_invites_to_owner_and_admin_only(
    make_user: MakeUser, clock: FakeClock
) -> None:
    ana, ben, cat = [await make_user(h) for h in ("ana", "ben", "cat")]
    team = await create_team(ana)
    _, kept = await create_invite(ana, team.id, expires_in_hours=48)
    await join(ben, kept.code)
    _, revoked = await create_invite(ana, team.id, expires_in_hours=48)
    _, expiring = await create_invite(ana, team.id, expires_in_hours=1)
    await ana.request("DELETE", f"{TEAMS}/{team.id}/invites/{revoked.id}")
    clock.advance(hours=2)

    response = await ana.request("GET", f"{TEAMS}/{team.id}/invites")
    assert response.status_code == 200
    listed = msgspec.json.decode(response.content, type=list[schemas.InviteInfo])
    assert [i.id for i in listed] == [kept.id]
    assert expiring.id not in [i.id for i in listed]
    assert b"code" not in response.content  # codes are shown once, at creation

    assert (await fails(ben.request("GET", f"{TEAMS}/{team.id}/invites"))).status == 403
    assert (await fails(cat.request("GET", f"{TEAMS}/{team.id}/invites"))).status == 404


async def test_a_member_cannot_revoke_an_invite(ana: RapportClient, ben: RapportClient) -> None:
    team = await team_of(ana, ben)
    _, invite = await create_invite(ana, team.id)
    error = await fails(ben.request("DELETE", f"{TEAMS}/{team.id}/invites/{invite.id}"))
    assert error.status == 403


# -- leaving and removing -----------------------------------------------------------------


async def test_an_admin_removes_a_member(make_user: MakeUser) -> None:
    ana, ben, cat = [await make_user(h) for h in ("ana", "ben", "cat")]
    team = await team_of(ana, ben, cat)
    await set_member(ana, team.id, await user_id(ben), role="admin")

    assert (await remove(ben, team.id, await user_id(cat))).status_code == 204

    after = await get_team(ana, team.id)
    assert after.member_count == 2
    assert after.members is not None
    assert {m.user.handle for m in after.members} == {"ana", "ben"}
    assert (await fails(cat.request("GET", f"{TEAMS}/{team.id}"))).status == 404


async def test_a_member_cannot_remove_another_member(make_user: MakeUser) -> None:
    ana, ben, cat = [await make_user(h) for h in ("ana", "ben", "cat")]
    team = await team_of(ana, ben, cat)

    assert (await fails(remove(ben, team.id, await user_id(cat)))).status == 403
    assert (await get_team(ana, team.id)).member_count == 3


async def test_an_admin_cannot_remove_the_owner_or_another_admin(make_user: MakeUser) -> None:
    ana, ben, cat = [await make_user(h) for h in ("ana", "ben", "cat")]
    team = await team_of(ana, ben, cat)
    for admin in (ben, cat):
        await set_member(ana, team.id, await user_id(admin), role="admin")

    assert (await fails(remove(ben, team.id, await user_id(ana)))).status == 403
    assert (await fails(remove(ben, team.id, await user_id(cat)))).status == 403
    assert (await remove(ana, team.id, await user_id(cat))).status_code == 204


async def test_a_non_member_removing_someone_gets_404(make_user: MakeUser) -> None:
    ana, ben, cat = [await make_user(h) for h in ("ana", "ben", "cat")]
    team = await team_of(ana, ben)
    assert (await fails(remove(cat, team.id, await user_id(ben)))).status == 404
    assert (await get_team(ana, team.id)).member_count == 2


async def test_a_member_leaves_by_removing_themself(ana: RapportClient, ben: RapportClient) -> None:
    team = await team_of(ana, ben)

    assert (await remove(ben, team.id, await user_id(ben))).status_code == 204

    assert team.id not in [t.id for t in await my_teams(ben)]
    assert (await fails(ben.request("GET", f"{TEAMS}/{team.id}"))).status == 404
    assert (await get_team(ana, team.id)).member_count == 1


async def test_the_owner_cannot_leave_while_others_remain(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await team_of(ana, ben)

    assert (await fails(remove(ana, team.id, await user_id(ana)))).status == 409
    assert (await get_team(ana, team.id)).my_role == "owner"


async def test_the_last_member_leaving_deletes_the_team(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await create_team(ana)
    _, invite = await create_invite(ana, team.id)

    assert (await remove(ana, team.id, await user_id(ana))).status_code == 204

    assert (await fails(ana.request("GET", f"{TEAMS}/{team.id}"))).status == 404
    assert await my_teams(ana) == []
    # The team is gone, not just left: its open invite no longer leads anywhere.
    assert (await fails(join(ben, invite.code))).status == 404


async def test_the_owner_empties_the_team_then_leaves_and_it_is_gone(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await team_of(ana, ben)
    _, invite = await create_invite(ana, team.id)
    assert (await remove(ana, team.id, await user_id(ben))).status_code == 204
    assert (await remove(ana, team.id, await user_id(ana))).status_code == 204
    assert (await fails(join(ben, invite.code))).status == 404


# -- roles --------------------------------------------------------------------------------


async def test_only_the_owner_changes_roles(make_user: MakeUser) -> None:
    ana, ben, cat, dan = [await make_user(h) for h in ("ana", "ben", "cat", "dan")]
    team = await team_of(ana, ben, cat)
    ben_id, cat_id = await user_id(ben), await user_id(cat)

    response = await set_member(ana, team.id, ben_id, role="admin")
    assert response.status_code == 200
    assert msgspec.json.decode(response.content, type=schemas.Member).role == "admin"

    assert (await fails(set_member(ben, team.id, cat_id, role="admin"))).status == 403
    assert (await fails(set_member(cat, team.id, ben_id, role="member"))).status == 403
    assert (await fails(set_member(dan, team.id, cat_id, role="admin"))).status == 404

    team_view = await get_team(ana, team.id)
    assert team_view.members is not None
    roles = {m.user.handle: m.role for m in team_view.members}
    assert roles == {"ana": "owner", "ben": "admin", "cat": "member"}

    response = await set_member(ana, team.id, ben_id, role="member")
    assert msgspec.json.decode(response.content, type=schemas.Member).role == "member"
    assert (await get_team(ben, team.id)).my_role == "member"


async def test_a_role_change_for_someone_outside_the_team_is_404(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await create_team(ana)
    assert (await fails(set_member(ana, team.id, await user_id(ben), role="admin"))).status == 404


# -- opting out of the boards -------------------------------------------------------------


async def test_a_hidden_member_is_a_stable_stranger_to_others_and_themself_to_themself(
    make_user: MakeUser,
) -> None:
    ana, ben, cat = [await make_user(h) for h in ("ana", "ben", "cat")]
    team = await team_of(ana, ben, cat)
    for client in (ana, ben, cat):
        await earn_points(client)
    ids = {h: await user_id(c) for h, c in (("ana", ana), ("ben", ben), ("cat", cat))}

    response = await set_member(ben, team.id, ids["ben"], hidden=True)
    assert response.status_code == 200
    assert msgspec.json.decode(response.content, type=schemas.Member).hidden is True

    seen_by_ana = await board(ana, team.id)
    [stranger] = [e for e in seen_by_ana.entries if e.hidden]
    assert stranger.user.handle == "hidden"
    assert stranger.user.id not in ids.values()
    assert "ben" not in (stranger.user.display_name or "").lower()
    assert b"ben" not in (await ana.request("GET", f"{TEAMS}/{team.id}/leaderboard")).content
    assert {e.user.handle for e in seen_by_ana.entries} == {"ana", "hidden", "cat"}

    # The same stand-in on every read and for every other member.
    again = [e for e in (await board(ana, team.id)).entries if e.hidden]
    by_cat = [e for e in (await board(cat, team.id)).entries if e.hidden]
    assert again[0].user.id == by_cat[0].user.id == stranger.user.id

    seen_by_ben = await board(ben, team.id)
    [me] = [e for e in seen_by_ben.entries if e.me]
    assert (me.user.id, me.user.handle) == (ids["ben"], "ben")
    assert me.points == stranger.points

    # Showing yourself again brings the real name back.
    await set_member(ben, team.id, ids["ben"], hidden=False)
    assert "ben" in {e.user.handle for e in (await board(ana, team.id)).entries}


async def test_members_cannot_hide_someone_else(make_user: MakeUser) -> None:
    ana, ben = [await make_user(h) for h in ("ana", "ben")]
    team = await team_of(ana, ben)

    assert (await fails(set_member(ana, team.id, await user_id(ben), hidden=True))).status == 403
    assert (await fails(set_member(ben, team.id, await user_id(ana), hidden=True))).status == 403
    members = (await get_team(ana, team.id)).members
    assert members is not None
    assert not any(m.hidden for m in members)


async def test_removing_an_unknown_member_or_revoking_an_unknown_invite_is_404(
    ana: RapportClient,
) -> None:
    team = await create_team(ana)
    assert await status_of(remove(ana, team.id, uuid4())) == 404
    assert await status_of(ana.request("DELETE", f"{TEAMS}/{team.id}/invites/{uuid4()}")) == 404


async def test_the_board_cursor_does_not_reveal_a_hidden_members_id(make_user: MakeUser) -> None:
    ana, ben, cat = [await make_user(h) for h in ("ana", "ben", "cat")]
    team = await team_of(ana, ben, cat)
    for client, check_ins in ((ana, 3), (ben, 2), (cat, 1)):
        for _ in range(check_ins):
            await earn_points(client)
    ben_id = await user_id(ben)
    await set_member(ben, team.id, ben_id, hidden=True)

    first = await board(cat, team.id, limit=2)  # ana, then the hidden ben ends the page

    assert [e.user.handle for e in first.entries] == ["ana", "hidden"]
    assert first.next_cursor is not None
    padded = first.next_cursor + "=" * (-len(first.next_cursor) % 4)
    assert str(ben_id) not in base64.urlsafe_b64decode(padded).decode(errors="replace")
    rest = await board(cat, team.id, limit=2, cursor=first.next_cursor)
    assert [e.user.handle for e in rest.entries] == ["cat"]


# -- members page, handing over, accounts that go away ------------------------------------


async def test_the_member_list_pages_through_every_member_once(make_user: MakeUser) -> None:
    clients = [await make_user(h) for h in ("ana", "ben", "cat", "dan", "eve")]
    team = await team_of(*clients)

    seen: list[UUID] = []
    cursor: str | None = None
    for _ in range(5):
        params = {"limit": 2, "cursor": cursor}
        response = await clients[2].request("GET", f"{TEAMS}/{team.id}/members", params=params)
        page = msgspec.json.decode(response.content, type=schemas.MemberPage)
        seen += [m.user.id for m in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert cursor is None
    assert sorted(seen) == sorted([await user_id(c) for c in clients])
    outsider = await make_user("zed")
    assert (await fails(outsider.request("GET", f"{TEAMS}/{team.id}/members"))).status == 404


async def test_the_owner_hands_the_team_over_and_then_leaves(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await team_of(ana, ben)

    handed = await set_member(ana, team.id, await user_id(ben), role="owner")
    assert handed.status_code == 200
    assert (await remove(ana, team.id, await user_id(ana))).status_code == 204

    after = await get_team(ben, team.id)
    assert (after.my_role, after.member_count) == ("owner", 1)


async def test_a_member_who_deletes_their_account_no_longer_counts(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await team_of(ana, ben)

    await ben.delete_me()

    after = await get_team(ana, team.id)
    assert after.members is not None
    assert [m.user.handle for m in after.members] == ["ana"]
    assert after.member_count == 1
    # Alone again, the owner may leave, and the team goes with her.
    assert (await remove(ana, team.id, await user_id(ana))).status_code == 204
    assert await my_teams(ana) == []


async def test_creating_or_joining_a_first_team_earns_the_team_player_badge(
    make_user: MakeUser,
) -> None:
    owner = await make_user("teamowner")
    joiner = await make_user("teamjoiner")
    team = (await owner.request("POST", "/api/v1/teams", body={"name": "Circle"})).json()
    code = (await owner.request("POST", f"/api/v1/teams/{team['id']}/invites")).json()["code"]
    assert "team-player" not in [b.slug for b in await joiner.badges()]
    await joiner.request("POST", "/api/v1/teams/join", body={"code": code})
    assert "team-player" in [b.slug for b in await owner.badges()]
    assert "team-player" in [b.slug for b in await joiner.badges()]


async def test_a_removed_member_needs_a_new_invite_to_come_back(
    make_user: MakeUser, clock: FakeClock
) -> None:
    ana, ben, cleo = await make_user("ana"), await make_user("ben"), await make_user("cleo")
    team = await create_team(ana)
    _, old = await create_invite(ana, team.id)
    for member in (ben, cleo):
        assert (await join(member, old.code))[0] == 200
    clock.advance(seconds=5)
    assert (await remove(ana, team.id, await user_id(ben))).status_code == 204
    assert (await remove(cleo, team.id, await user_id(cleo))).status_code == 204  # left

    # The code that let Ben in no longer does; Cleo, who left of her own accord, may return.
    refused = await fails(ben.request("POST", "/api/v1/teams/join", body={"code": old.code}))
    assert refused.status == 403
    assert [t.id for t in await my_teams(ben)] == []
    assert (await join(cleo, old.code))[0] == 200

    clock.advance(seconds=5)
    _, again = await create_invite(ana, team.id)  # the owner asks Ben back
    assert (await join(ben, again.code))[0] == 200
    assert [t.id for t in await my_teams(ben)] == [team.id]
