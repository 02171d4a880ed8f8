"""Hiding from every board at once (issue 13, "Fair play"): ``PATCH /me
{"hidden_on_boards": true}`` shows the caller as "Hidden member" with a stand-in id on
every team board (week, month, all time) and every challenge board, public ones included,
to everyone but themself, the way a team member's own ``hidden`` flag does on one team."""

from __future__ import annotations

import base64
from typing import Any
from uuid import UUID

import msgspec
import pytest

from shared import schemas
from shared.client import ApiError, RapportClient
from tests.conftest import MakeUser, team_of

TEAMS = "/api/v1/teams"
CHALLENGES = "/api/v1/challenges"
PERIODS = ("week", "month", "all")


async def user_id(client: RapportClient) -> UUID:
    return (await client.me()).id


async def public_challenge(client: RapportClient, *others: RapportClient) -> UUID:
    """A public catalog challenge (30 results days) that ``client`` and ``others`` joined."""
    response = await client.request("POST", CHALLENGES, body={"template": "results-run"})
    assert response.status_code == 201
    challenge = msgspec.json.decode(response.content, type=schemas.Challenge)
    assert challenge.team_id is None
    for c in (client, *others):
        joined = await c.request("POST", f"{CHALLENGES}/{challenge.id}/join")
        assert joined.status_code == 200
    return challenge.id


async def earn(client: RapportClient, days: int = 1) -> None:
    """Check in ``days`` fresh results habits today (each a done day, and board points)."""
    for _ in range(days):
        habit = await client.create_habit(
            schemas.HabitCreate(title="Ship", category="results", schedule=schemas.Daily())
        )
        await client.check_in(habit.id)


async def hide(client: RapportClient, hidden: bool) -> schemas.User:
    response = await client.request("PATCH", "/api/v1/me", body={"hidden_on_boards": hidden})
    assert response.status_code == 200
    return msgspec.json.decode(response.content, type=schemas.User)


async def read(client: RapportClient, path: str, **params: Any) -> schemas.Leaderboard:
    response = await client.request("GET", path, params=params)
    assert response.status_code == 200
    return msgspec.json.decode(response.content, type=schemas.Leaderboard)


def team_board(team: schemas.Team) -> str:
    return f"{TEAMS}/{team.id}/leaderboard"


def challenge_board(challenge_id: UUID) -> str:
    return f"{CHALLENGES}/{challenge_id}/leaderboard"


def the_hidden(board: schemas.Leaderboard) -> schemas.BoardEntry:
    [entry] = [e for e in board.entries if e.user.handle == "hidden"]
    return entry


def cursor_text(cursor: str) -> str:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode(errors="replace")


# -- the profile flag -----------------------------------------------------------------------


async def test_the_flag_is_off_by_default_and_patch_me_turns_it_on_and_off(
    ana: RapportClient,
) -> None:
    assert (await ana.me()).hidden_on_boards is False

    assert (await hide(ana, True)).hidden_on_boards is True
    assert (await ana.me()).hidden_on_boards is True
    # The typed client sends the same field.
    patched = await ana.update_me(schemas.ProfilePatch(hidden_on_boards=False))
    assert patched.hidden_on_boards is False
    assert (await ana.me()).hidden_on_boards is False


@pytest.mark.parametrize("value", ["yes", "", 2, 0.5, None, [True], {"on": True}])
async def test_a_flag_that_is_not_a_boolean_is_400_and_changes_nothing(
    ana: RapportClient, value: object
) -> None:
    await hide(ana, True)

    with pytest.raises(ApiError) as caught:
        await ana.request("PATCH", "/api/v1/me", body={"hidden_on_boards": value})

    assert caught.value.status == 400
    assert caught.value.problem is not None
    assert [e.field for e in caught.value.problem.errors or []] == ["hidden_on_boards"]
    assert (await ana.me()).hidden_on_boards is True


# -- team boards ----------------------------------------------------------------------------


async def test_a_hidden_user_is_a_stable_stranger_on_every_team_board_but_themself_to_themself(
    make_user: MakeUser,
) -> None:
    ana, ben, cat = [await make_user(h) for h in ("ana", "ben", "cat")]
    team = await team_of(ana, ben, cat)
    for client in (ana, ben, cat):
        await earn(client)
    ids = {await user_id(c) for c in (ana, ben, cat)}
    ben_id = await user_id(ben)
    assert "ben" in {e.user.handle for e in (await read(ana, team_board(team))).entries}

    await hide(ben, True)

    for period in PERIODS:
        seen_by_ana = await read(ana, team_board(team), period=period)
        stranger = the_hidden(seen_by_ana)
        assert stranger.hidden is True
        assert stranger.user.display_name == "Hidden member"
        assert stranger.user.id not in ids
        assert {e.user.handle for e in seen_by_ana.entries} == {"ana", "hidden", "cat"}
        raw = await ana.request("GET", team_board(team), params={"period": period})
        assert b"ben" not in raw.content.lower()
        assert str(ben_id).encode() not in raw.content
        # The same stand-in for every teammate and on every read.
        by_cat = the_hidden(await read(cat, team_board(team), period=period))
        assert by_cat.user.id == stranger.user.id
        # Ben still sees his own real entry, marked hidden.
        seen_by_ben = await read(ben, team_board(team), period=period)
        [mine] = [e for e in seen_by_ben.entries if e.me]
        assert (mine.user.id, mine.user.handle, mine.hidden) == (ben_id, "ben", True)
        assert mine.points == stranger.points
        assert seen_by_ben.me is not None
        assert seen_by_ben.me.points == mine.points
    # Boards only: the team's member list still shows him, and his per-team flag is untouched.
    response = await ana.request("GET", f"{TEAMS}/{team.id}/members")
    members = msgspec.json.decode(response.content, type=schemas.MemberPage).items
    assert [m.hidden for m in members if m.user.id == ben_id] == [False]


async def test_turning_it_off_shows_the_user_again_everywhere(make_user: MakeUser) -> None:
    ana, ben, dan = [await make_user(h) for h in ("ana", "ben", "dan")]
    team = await team_of(ana, ben)
    challenge = await public_challenge(dan, ben)
    await earn(ben)
    ben_id = await user_id(ben)
    await hide(ben, True)
    assert "ben" not in {e.user.handle for e in (await read(ana, team_board(team))).entries}
    assert "ben" not in {
        e.user.handle for e in (await read(dan, challenge_board(challenge))).entries
    }

    assert (await hide(ben, False)).hidden_on_boards is False

    [on_team] = [e for e in (await read(ana, team_board(team))).entries if e.user.id == ben_id]
    assert (on_team.user.handle, on_team.hidden) == ("ben", False)
    on_challenge = await read(dan, challenge_board(challenge))
    [entry] = [e for e in on_challenge.entries if e.user.id == ben_id]
    assert (entry.user.handle, entry.hidden) == ("ben", False)


async def test_the_team_opt_out_still_works_alone(make_user: MakeUser) -> None:
    ana, ben = [await make_user(h) for h in ("ana", "ben")]
    team = await team_of(ana, ben)
    await earn(ben)
    ben_id = await user_id(ben)
    response = await ben.request(
        "PATCH", f"{TEAMS}/{team.id}/members/{ben_id}", body={"hidden": True}
    )
    assert response.status_code == 200

    assert the_hidden(await read(ana, team_board(team))).user.id != ben_id
    assert (await ben.me()).hidden_on_boards is False


# -- challenge boards -----------------------------------------------------------------------


async def test_a_hidden_user_is_hidden_on_a_public_challenge_board_to_strangers_and_teammates(
    make_user: MakeUser,
) -> None:
    ana, ben, dan = [await make_user(h) for h in ("ana", "ben", "dan")]
    team = await team_of(ana, ben)  # dan shares no team with anyone
    challenge = await public_challenge(dan, ana, ben)
    for client in (ana, ben, dan):
        await earn(client)
    ids = {await user_id(c) for c in (ana, ben, dan)}
    ben_id = await user_id(ben)
    assert "ben" in {e.user.handle for e in (await read(dan, challenge_board(challenge))).entries}

    await hide(ben, True)

    by_stranger = the_hidden(await read(dan, challenge_board(challenge)))
    by_teammate = the_hidden(await read(ana, challenge_board(challenge)))
    assert by_stranger.user.id == by_teammate.user.id  # one stand-in on this board
    assert by_stranger.user.id not in ids
    assert by_stranger.user.id != UUID(int=0)  # a drawn alias, not the no-alias fallback
    assert by_stranger.hidden is True
    assert by_stranger.user.display_name == "Hidden member"
    raw = await dan.request("GET", challenge_board(challenge))
    assert b"ben" not in raw.content.lower()
    assert str(ben_id).encode() not in raw.content
    again = the_hidden(await read(dan, challenge_board(challenge)))
    assert again.user.id == by_stranger.user.id
    # A stand-in of its own: the team board's does not link him to this board.
    assert the_hidden(await read(ana, team_board(team))).user.id != by_stranger.user.id

    seen_by_ben = await read(ben, challenge_board(challenge))
    [mine] = [e for e in seen_by_ben.entries if e.me]
    assert (mine.user.id, mine.user.handle, mine.points) == (ben_id, "ben", by_stranger.points)
    assert seen_by_ben.me is not None


async def test_a_hidden_user_is_hidden_on_a_team_challenge_board(make_user: MakeUser) -> None:
    ana, ben = [await make_user(h) for h in ("ana", "ben")]
    team = await team_of(ana, ben)
    response = await ana.request(
        "POST",
        CHALLENGES,
        body={
            "title": "Ship it",
            "goal": {"category": "results", "target": 5},
            "team_id": str(team.id),
        },
    )
    assert response.status_code == 201
    challenge = msgspec.json.decode(response.content, type=schemas.Challenge)
    for client in (ana, ben):
        assert (await client.request("POST", f"{CHALLENGES}/{challenge.id}/join")).is_success
        await earn(client)
    ben_id = await user_id(ben)

    await hide(ben, True)

    lb = await read(ana, challenge_board(challenge.id))
    assert sorted(e.user.handle for e in lb.entries) == ["ana", "hidden"]
    assert ben_id not in [e.user.id for e in lb.entries]


# -- paging ---------------------------------------------------------------------------------


async def page_through(client: RapportClient, path: str) -> list[list[str]]:
    """Every page of a board, two entries at a time, as handles."""
    pages: list[list[str]] = []
    cursor: str | None = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 2}
        if cursor is not None:
            params["cursor"] = cursor
        lb = await read(client, path, **params)
        pages.append([e.user.handle for e in lb.entries])
        if lb.next_cursor is None:
            break
        cursor = lb.next_cursor
    return pages


@pytest.mark.parametrize("where", ["team", "public challenge"])
async def test_paging_past_a_hidden_user_by_cursor_works_and_reveals_nothing(
    make_user: MakeUser, where: str
) -> None:
    ana, ben, cat, dan = [await make_user(h) for h in ("ana", "ben", "cat", "dan")]
    if where == "team":
        path = team_board(await team_of(ana, ben, cat, dan))
    else:
        path = challenge_board(await public_challenge(ana, ben, cat, dan))
    for client, days in ((ana, 4), (ben, 3), (cat, 2), (dan, 1)):
        await earn(client, days)
    ben_id = await user_id(ben)
    await hide(ben, True)

    first = await read(cat, path, limit=2)  # ana, then the hidden ben ends the page
    assert [e.user.handle for e in first.entries] == ["ana", "hidden"]
    assert first.next_cursor is not None
    assert str(ben_id) not in cursor_text(first.next_cursor)
    rest = await read(cat, path, limit=2, cursor=first.next_cursor)
    assert [e.user.handle for e in rest.entries] == ["cat", "dan"]
    assert [e.rank for e in rest.entries] == [3, 4]
    assert await page_through(cat, path) == [["ana", "hidden"], ["cat", "dan"]]
    # Ben pages through his own real entry.
    assert await page_through(ben, path) == [["ana", "ben"], ["cat", "dan"]]
    # The "around" view hides him too.
    around = await read(cat, path, view="around")
    assert "ben" not in [e.user.handle for e in around.entries]
    assert ben_id not in [e.user.id for e in around.entries]


async def test_a_forged_hidden_cursor_is_400(make_user: MakeUser) -> None:
    ana, ben = [await make_user(h) for h in ("ana", "ben")]
    path = challenge_board(await public_challenge(ana, ben))
    forged = base64.urlsafe_b64encode(f"0|h|{await user_id(ben)}".encode()).decode()

    with pytest.raises(ApiError) as caught:
        await ana.request("GET", path, params={"cursor": forged.rstrip("=")})

    assert caught.value.status == 400


async def test_the_raw_patch_route_answers_the_field(ana: RapportClient) -> None:
    response = await ana.request(
        "PATCH", "/api/v1/me", body={"hidden_on_boards": True, "display_name": "Ana"}
    )
    body = msgspec.json.decode(response.content)
    assert (body["hidden_on_boards"], body["display_name"]) == (True, "Ana")
