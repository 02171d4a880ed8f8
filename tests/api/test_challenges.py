"""Challenges through the HTTP API: starting one from a template or described, team
challenges and who sees them, status from the dates, joining and leaving, what counts as
progress, and the reward: only a catalog template pays one (a challenge its maker describes
pays nothing), paid once on reaching the target, taken back by an undo that drops below it,
never paid twice, not even by concurrent check-ins."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from shared import schemas
from shared.client import ApiError, RapportClient
from tests.conftest import FakeClock, MakeUser, fails, overlapping_client, team_of

CHALLENGES = "/api/v1/challenges"
TEAMS = "/api/v1/teams"
TODAY = date(2026, 3, 11)  # the clock fixture's day
REWARD = "challenge_reward"


def field_names(error: ApiError) -> list[str]:
    assert error.problem is not None
    return [e.field for e in error.problem.errors or []]


async def start(client: RapportClient, **body: Any) -> schemas.Challenge:
    response = await client.request("POST", CHALLENGES, body=body)
    assert response.status_code == 201
    return msgspec.json.decode(response.content, type=schemas.Challenge)


async def custom(
    client: RapportClient,
    *,
    target: int,
    category: schemas.Category = "results",
    **body: Any,
) -> schemas.Challenge:
    return await start(
        client,
        title=body.pop("title", "Ship it"),
        goal={"category": category, "target": target},
        **body,
    )


async def get(client: RapportClient, challenge_id: UUID) -> schemas.Challenge:
    response = await client.request("GET", f"{CHALLENGES}/{challenge_id}")
    assert response.status_code == 200
    return msgspec.json.decode(response.content, type=schemas.Challenge)


async def listed(client: RapportClient, **params: Any) -> list[schemas.Challenge]:
    response = await client.request("GET", CHALLENGES, params=params)
    assert response.status_code == 200
    return msgspec.json.decode(response.content, type=schemas.ChallengePage).items


async def join(client: RapportClient, challenge_id: UUID) -> schemas.Challenge:
    response = await client.request("POST", f"{CHALLENGES}/{challenge_id}/join")
    assert response.status_code == 200
    return msgspec.json.decode(response.content, type=schemas.Challenge)


async def leave(client: RapportClient, challenge_id: UUID) -> schemas.Challenge:
    response = await client.request("POST", f"{CHALLENGES}/{challenge_id}/leave")
    assert response.status_code == 200
    return msgspec.json.decode(response.content, type=schemas.Challenge)


async def board(client: RapportClient, challenge_id: UUID) -> schemas.Leaderboard:
    response = await client.request("GET", f"{CHALLENGES}/{challenge_id}/leaderboard")
    assert response.status_code == 200
    return msgspec.json.decode(response.content, type=schemas.Leaderboard)


async def progress(client: RapportClient, challenge_id: UUID) -> tuple[int, bool] | None:
    mine = (await get(client, challenge_id)).my_progress
    return None if mine is None else (mine.progress, mine.completed)


async def habit(
    client: RapportClient, *, category: schemas.Category = "results", **fields: Any
) -> schemas.Habit:
    return await client.create_habit(
        schemas.HabitCreate(
            title=fields.pop("title", "Ship"),
            category=category,
            schedule=schemas.Daily(),
            **fields,
        )
    )


async def ledger(client: RapportClient) -> list[schemas.LedgerEntry]:
    return (await client.points(limit=200)).items


def rewards(entries: list[schemas.LedgerEntry], challenge_id: UUID) -> list[int]:
    """Amounts of the challenge's rewards and their reversals, in ledger order."""
    return sorted(
        e.amount
        for e in entries
        if e.challenge_id == challenge_id and e.reason in (REWARD, f"undo:{REWARD}")
    )


def unreversed_rewards(entries: list[schemas.LedgerEntry], challenge_id: UUID) -> int:
    paid = sum(1 for e in entries if e.challenge_id == challenge_id and e.reason == REWARD)
    taken = sum(
        1 for e in entries if e.challenge_id == challenge_id and e.reason == f"undo:{REWARD}"
    )
    return paid - taken


# Only a catalog template (without its own goal) pays a reward: "Mentoring season" pays 300
# on the third done day of habits adopted from "Meet your mentor".
PAYING = "mentoring-season"
PAYING_REWARD = 300
PAYING_TARGET = 3


async def paying(client: RapportClient) -> schemas.Challenge:
    challenge = await start(client, template=PAYING)
    assert (challenge.reward_points, challenge.goal.target) == (PAYING_REWARD, PAYING_TARGET)
    return challenge


async def mentor(client: RapportClient) -> schemas.Habit:
    """A habit that counts towards ``PAYING``."""
    return await client.create_habit(schemas.HabitCreate(template="meet-your-mentor"))


async def challenge_badges(client: RapportClient) -> list[str]:
    return [b.slug for b in await client.badges() if b.slug.startswith("challenge-")]


# -- starting a challenge -----------------------------------------------------------------


async def test_a_challenge_from_a_template_takes_its_goal_length_and_reward(
    ana: RapportClient,
) -> None:
    [template] = [c for c in await ana.catalog_challenges() if c.slug == "promise-keeper-week"]

    challenge = await start(ana, template="promise-keeper-week")

    assert challenge.title == template.title == "Promise keeper week"
    assert challenge.description == template.description
    assert challenge.template == "promise-keeper-week"
    assert (challenge.goal.template, challenge.goal.category, challenge.goal.target) == (
        "deliver-on-a-promise",
        None,
        5,
    )
    assert challenge.reward_points == template.reward_points == 100
    assert (challenge.starts_on, challenge.ends_on) == (TODAY, TODAY + timedelta(days=6))
    assert challenge.status == "active"
    assert challenge.team_id is None
    assert challenge.participants == 0
    assert challenge.my_progress is None


async def test_a_challenge_its_maker_describes_pays_nothing(ana: RapportClient) -> None:
    small = await custom(ana, target=3)
    large = await custom(ana, target=80, starts_on="2026-03-12", ends_on="2026-04-30")
    for_team = await custom(ana, target=2, team_id=str((await team_of(ana)).id))

    assert (small.reward_points, large.reward_points, for_team.reward_points) == (0, 0, 0)
    assert (small.goal.category, small.goal.target) == ("results", 3)
    assert (small.starts_on, small.ends_on) == (TODAY, TODAY + timedelta(days=6))
    assert (large.starts_on, large.ends_on, large.status) == (
        date(2026, 3, 12),
        date(2026, 4, 30),
        "upcoming",
    )

    # Reaching its target completes it (and earns the badge) but pays no points.
    await join(ana, small.id)
    results = [await ana.check_in((await habit(ana)).id) for _ in range(3)]
    assert await progress(ana, small.id) == (3, True)
    assert "challenge-1" in [b.slug for b in results[2].badges_earned]
    assert sum(rewards(await ledger(ana), small.id)) == 0
    assert (await ana.me()).points == sum(r.points_awarded for r in results)


async def test_a_template_with_its_own_goal_pays_nothing(ana: RapportClient) -> None:
    challenge = await start(
        ana, template="promise-keeper-week", goal={"category": "results", "target": 2}
    )
    assert (challenge.goal.category, challenge.goal.target) == ("results", 2)
    assert challenge.reward_points == 0

    await join(ana, challenge.id)
    results = [await ana.check_in((await habit(ana)).id) for _ in range(2)]
    assert await progress(ana, challenge.id) == (2, True)
    assert sum(rewards(await ledger(ana), challenge.id)) == 0
    assert (await ana.me()).points == sum(r.points_awarded for r in results)


async def test_an_unknown_template_is_422(ana: RapportClient) -> None:
    error = await fails(ana.request("POST", CHALLENGES, body={"template": "no-such-challenge"}))
    assert error.status == 422
    assert "template" in field_names(error)
    assert await listed(ana) == []


GOAL = {"category": "results", "target": 1}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "No goal"}, None),
        (
            {"title": "Both", "goal": {**GOAL, "template": "learn-one-thing"}},
            "goal",
        ),
        ({"title": "Unknown habit", "goal": {"template": "no-such-habit", "target": 1}}, "goal"),
        (
            {
                "title": "Backwards",
                "goal": GOAL,
                "starts_on": "2026-03-12",
                "ends_on": "2026-03-11",
            },
            "ends_on",
        ),
        (
            {"title": "Over", "goal": GOAL, "starts_on": "2026-03-01", "ends_on": "2026-03-05"},
            "ends_on",
        ),
        ({"title": "Too long", "goal": GOAL, "ends_on": "2026-07-01"}, "ends_on"),
        ({"title": "Far off", "goal": GOAL, "starts_on": "2027-03-12"}, "starts_on"),
        ({"title": "End of time", "goal": GOAL, "starts_on": "9999-12-31"}, "starts_on"),
    ],
)
async def test_a_challenge_that_cannot_be_run_is_422(
    ana: RapportClient, body: dict[str, Any], field: str | None
) -> None:
    error = await fails(ana.request("POST", CHALLENGES, body=body))
    assert error.status == 422
    if field is not None:
        assert field in field_names(error)
    assert await listed(ana) == []


# -- team challenges ----------------------------------------------------------------------


def start_for_team(client: RapportClient, *, team_id: str) -> Awaitable[Any]:
    body = {"title": "Team push", "goal": {"category": "results", "target": 2}, "team_id": team_id}
    return client.request("POST", CHALLENGES, body=body)


async def test_team_challenges_are_started_by_owner_or_admin_only(make_user: MakeUser) -> None:
    ana, ben, cat, dan = [await make_user(h) for h in ("ana", "ben", "cat", "dan")]
    team = await team_of(ana, ben, cat)
    await ana.request(
        "PATCH", f"{TEAMS}/{team.id}/members/{(await cat.me()).id}", body={"role": "admin"}
    )
    tid = str(team.id)

    by_owner = await custom(ana, target=2, team_id=tid)
    assert by_owner.team_id == team.id
    by_admin = await custom(cat, target=2, team_id=tid)
    assert by_admin.team_id == team.id

    member = await fails(start_for_team(ben, team_id=tid))
    assert member.status == 403
    outsider = await fails(start_for_team(dan, team_id=tid))
    assert outsider.status == 404
    assert (await fails(start_for_team(dan, team_id=str(uuid4())))).status == 404

    assert {c.id for c in await listed(ben, team_id=tid)} == {by_owner.id, by_admin.id}


async def test_a_team_challenge_does_not_exist_for_non_members(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await team_of(ana)
    secret = await custom(ana, target=2, team_id=str(team.id))
    public = await custom(ana, target=2, title="Open to all")

    for method, suffix in (
        ("GET", ""),
        ("POST", "/join"),
        ("POST", "/leave"),
        ("GET", "/leaderboard"),
    ):
        error = await fails(ben.request(method, f"{CHALLENGES}/{secret.id}{suffix}"))
        assert error.status == 404, (method, suffix)
    assert [c.id for c in await listed(ben)] == [public.id]
    for status in ("active", "upcoming", "ended"):
        assert secret.id not in [c.id for c in await listed(ben, status=status)]
    assert (await fails(ben.request("GET", CHALLENGES, params={"team_id": team.id}))).status == 404
    assert (await get(ana, secret.id)).participants == 0

    assert {c.id for c in await listed(ana)} == {secret.id, public.id}


async def test_a_member_who_leaves_the_team_loses_sight_of_its_challenges(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await team_of(ana, ben)
    secret = await custom(ana, target=2, team_id=str(team.id))
    assert (await join(ben, secret.id)).participants == 1

    await ben.request("DELETE", f"{TEAMS}/{team.id}/members/{(await ben.me()).id}")

    assert (await fails(ben.request("GET", f"{CHALLENGES}/{secret.id}"))).status == 404
    assert await listed(ben) == []


# -- anonymous callers --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("POST", ""),
        ("GET", ""),
        ("GET", "/{id}"),
        ("POST", "/{id}/join"),
        ("POST", "/{id}/leave"),
        ("GET", "/{id}/leaderboard"),
    ],
)
async def test_every_challenge_route_answers_401_without_a_token(
    http: AsyncTestClient[Litestar], ana: RapportClient, method: str, suffix: str
) -> None:
    challenge = await custom(ana, target=2)
    body = (
        {"title": "X", "goal": {"category": "results", "target": 1}}
        if method == "POST" and not suffix
        else None
    )
    anonymous = RapportClient(http=http)

    error = await fails(
        anonymous.request(method, CHALLENGES + suffix.format(id=challenge.id), body=body)
    )
    assert error.status == 401
    assert len(await listed(ana)) == 1
    assert (await get(ana, challenge.id)).participants == 0


# -- status from the dates ----------------------------------------------------------------


async def test_status_follows_the_dates_as_the_days_pass(
    ana: RapportClient, ben: RapportClient, clock: FakeClock
) -> None:
    week = await custom(ana, target=2, title="Week")  # 11 to 17 March
    later = await custom(ana, target=2, title="Later", starts_on="2026-03-14", ends_on="2026-03-20")
    short = await custom(ana, target=2, title="Short", ends_on="2026-03-12")

    async def by_status(status: str) -> set[str]:
        return {c.title for c in await listed(ben, status=status)}

    assert (week.status, later.status, short.status) == ("active", "upcoming", "active")
    assert await by_status("active") == {"Week", "Short"}
    assert await by_status("upcoming") == {"Later"}
    assert await by_status("ended") == set()

    clock.advance(days=2)  # Friday 13th: Short ended on the 12th
    assert await by_status("active") == {"Week"}
    assert await by_status("upcoming") == {"Later"}
    assert await by_status("ended") == {"Short"}
    assert (await get(ben, short.id)).status == "ended"

    clock.advance(days=1)  # Saturday 14th: Later starts
    assert await by_status("active") == {"Week", "Later"}
    assert await by_status("upcoming") == set()

    clock.advance(days=7)  # Saturday 21st: everything is over
    assert await by_status("ended") == {"Week", "Later", "Short"}
    assert await by_status("active") == set()
    assert len(await listed(ben)) == 3


async def test_the_last_day_is_still_active_in_the_callers_own_time_zone(
    make_user: MakeUser, clock: FakeClock
) -> None:
    ana = await make_user("ana")
    lou = await make_user("lou", timezone="America/Los_Angeles")
    challenge = await custom(ana, target=2, ends_on="2026-03-12")

    clock.set(datetime(2026, 3, 13, 5, 0, tzinfo=UTC))  # 13th in UTC, 22:00 on the 12th in LA
    assert (await get(ana, challenge.id)).status == "ended"
    assert (await get(lou, challenge.id)).status == "active"


async def test_joining_an_ended_challenge_is_409(
    ana: RapportClient, ben: RapportClient, clock: FakeClock
) -> None:
    challenge = await custom(ana, target=2, ends_on="2026-03-12")
    clock.advance(days=2)

    error = await fails(ben.request("POST", f"{CHALLENGES}/{challenge.id}/join"))
    assert error.status == 409
    assert (await get(ben, challenge.id)).participants == 0


async def test_an_upcoming_challenge_can_be_joined_early(ana: RapportClient) -> None:
    challenge = await custom(ana, target=2, starts_on="2026-03-20", ends_on="2026-03-25")
    joined = await join(ana, challenge.id)
    assert (joined.status, joined.participants) == ("upcoming", 1)
    assert joined.my_progress == schemas.MyProgress(progress=0, target=2, completed=False)


# -- joining, leaving, progress -----------------------------------------------------------


async def test_join_twice_counts_once_and_leaving_drops_progress(ana: RapportClient) -> None:
    challenge = await custom(ana, target=5)
    first, second = await habit(ana), await habit(ana)

    assert (await join(ana, challenge.id)).participants == 1
    again = await join(ana, challenge.id)
    assert again.participants == 1
    await ana.check_in(first.id)
    await ana.check_in(second.id)
    assert await progress(ana, challenge.id) == (2, False)

    left = await leave(ana, challenge.id)
    assert (left.participants, left.my_progress) == (0, None)
    assert (await board(ana, challenge.id)).entries == []
    assert (await leave(ana, challenge.id)).participants == 0  # leaving again: no change

    rejoined = await join(ana, challenge.id)
    assert rejoined.my_progress == schemas.MyProgress(progress=0, target=5, completed=False)


async def test_only_matching_done_days_inside_the_dates_count(
    ana: RapportClient, clock: FakeClock
) -> None:
    challenge = await custom(ana, target=10, ends_on="2026-03-12")  # results, 11-12 March
    await join(ana, challenge.id)
    results, relationships = await habit(ana), await habit(ana, category="relationships")
    steps = await habit(ana, kind="count", target=3, title="Three small wins")

    await ana.check_in(results.id, schemas.CheckInCreate(day=TODAY - timedelta(days=1)))
    assert await progress(ana, challenge.id) == (0, False)  # the day before it started

    await ana.check_in(relationships.id)
    assert await progress(ana, challenge.id) == (0, False)  # the wrong category

    await ana.check_in(steps.id, schemas.CheckInCreate(value=2))
    assert await progress(ana, challenge.id) == (0, False)  # not done yet: 2 of 3
    await ana.check_in(steps.id, schemas.CheckInCreate(value=1))
    assert await progress(ana, challenge.id) == (1, False)  # done now
    await ana.check_in(steps.id, schemas.CheckInCreate(value=4))
    assert await progress(ana, challenge.id) == (1, False)  # already done that day

    await ana.check_in(results.id)
    assert await progress(ana, challenge.id) == (2, False)

    clock.advance(days=1)  # Thursday 12th, the last day
    await ana.check_in(results.id)
    assert await progress(ana, challenge.id) == (3, False)

    clock.advance(days=1)  # Friday 13th: the challenge is over
    await ana.check_in(results.id)
    assert await progress(ana, challenge.id) == (3, False)


async def test_a_template_goal_counts_only_habits_adopted_from_that_template(
    ana: RapportClient,
) -> None:
    challenge = await start(ana, template="promise-keeper-week")
    await join(ana, challenge.id)
    look_alike = await habit(ana, title="Deliver on a promise")
    adopted = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))

    await ana.check_in(look_alike.id)
    assert await progress(ana, challenge.id) == (0, False)
    await ana.check_in(adopted.id)
    assert await progress(ana, challenge.id) == (1, False)


# -- the reward ---------------------------------------------------------------------------


async def test_reaching_the_target_pays_the_reward_and_the_badge_exactly_once(
    ana: RapportClient,
) -> None:
    challenge = await paying(ana)  # pays 300 on the third done day
    await join(ana, challenge.id)
    first, second, third, fourth = [await mentor(ana) for _ in range(4)]

    one = await ana.check_in(first.id)
    two = await ana.check_in(second.id)
    assert rewards(await ledger(ana), challenge.id) == []
    assert "challenge-1" not in [b.slug for b in one.badges_earned + two.badges_earned]
    assert two.points_awarded == one.points_awarded > 0

    three = await ana.check_in(third.id)
    assert await progress(ana, challenge.id) == (3, True)
    assert "challenge-1" in [b.slug for b in three.badges_earned]
    [reward] = [e for e in await ledger(ana) if e.reason == REWARD]
    assert (reward.amount, reward.challenge_id, reward.day) == (300, challenge.id, TODAY)
    assert three.points_awarded == 300 + one.points_awarded  # the habit's points and the reward

    four = await ana.check_in(fourth.id)
    assert await progress(ana, challenge.id) == (4, True)
    assert four.points_awarded == one.points_awarded
    assert [b.slug for b in four.badges_earned] == []
    assert rewards(await ledger(ana), challenge.id) == [300]
    assert await challenge_badges(ana) == ["challenge-1"]
    assert (await ana.me()).points == 300 + 4 * one.points_awarded


async def test_undo_below_the_target_takes_the_reward_back_and_redo_pays_it_again(
    ana: RapportClient,
) -> None:
    challenge = await paying(ana)  # pays 300 on the third done day
    await join(ana, challenge.id)
    first, second, third = [await mentor(ana) for _ in range(3)]
    await ana.check_in(first.id)
    await ana.check_in(second.id)
    done = await ana.check_in(third.id)
    with_reward = (await ana.me()).points

    await ana.undo(third.id, done.checkin.id)

    assert await progress(ana, challenge.id) == (2, False)
    assert rewards(await ledger(ana), challenge.id) == [-300, 300]
    assert unreversed_rewards(await ledger(ana), challenge.id) == 0
    assert (await ana.me()).points == with_reward - done.points_awarded
    assert [(e.user.handle, e.points) for e in (await board(ana, challenge.id)).entries] == [
        ("ana", 2)
    ]

    redo = await ana.check_in(third.id)

    assert await progress(ana, challenge.id) == (3, True)
    entries = await ledger(ana)
    assert rewards(entries, challenge.id) == [-300, 300, 300]
    assert sum(rewards(entries, challenge.id)) == 300
    assert unreversed_rewards(entries, challenge.id) == 1
    assert (await ana.me()).points == with_reward
    assert redo.points_awarded == done.points_awarded
    # The badge stays earned once; completing again does not hand out a second one.
    assert await challenge_badges(ana) == ["challenge-1"]
    assert [b.slug for b in redo.badges_earned] == []


async def test_undo_that_stays_at_or_above_the_target_keeps_the_reward(
    ana: RapportClient,
) -> None:
    challenge = await paying(ana)
    await join(ana, challenge.id)
    habits = [await mentor(ana) for _ in range(4)]
    results = [await ana.check_in(h.id) for h in habits]

    await ana.undo(habits[3].id, results[3].checkin.id)

    assert await progress(ana, challenge.id) == (3, True)
    assert rewards(await ledger(ana), challenge.id) == [300]


async def test_leaving_after_the_reward_keeps_it(ana: RapportClient) -> None:
    challenge = await paying(ana)  # pays 300 on the third done day
    await join(ana, challenge.id)
    for _ in range(3):
        await ana.check_in((await mentor(ana)).id)
    assert rewards(await ledger(ana), challenge.id) == [300]

    await leave(ana, challenge.id)

    assert rewards(await ledger(ana), challenge.id) == [300]


async def test_concurrent_check_ins_over_the_target_pay_the_reward_once(app: Litestar) -> None:
    async with overlapping_client(app) as (ana, in_flight):
        challenge = await paying(ana)  # pays 300 on the third done day
        await join(ana, challenge.id)
        first, second = await mentor(ana), await mentor(ana)
        racing = [await mentor(ana) for _ in range(4)]
        await ana.check_in(first.id)
        await ana.check_in(second.id)
        in_flight.most = 0

        results = await asyncio.gather(*(ana.check_in(h.id) for h in racing))

        assert in_flight.most > 1  # the requests really overlapped
        assert len(results) == 4
        entries = await ledger(ana)
        assert unreversed_rewards(entries, challenge.id) == 1
        assert rewards(entries, challenge.id) == [300]
        assert await progress(ana, challenge.id) == (6, True)
        assert sum(1 for r in results if "challenge-1" in [b.slug for b in r.badges_earned]) == 1
        assert await challenge_badges(ana) == ["challenge-1"]
        me = await ana.me()
        assert me.points == sum(e.amount for e in entries)


async def test_concurrent_replays_and_check_ins_still_pay_once(app: Litestar) -> None:
    async with overlapping_client(app) as (ana, in_flight):
        challenge = await paying(ana)
        await join(ana, challenge.id)
        first, second, third = [await mentor(ana) for _ in range(3)]
        await ana.check_in(first.id)
        await ana.check_in(second.id)
        body = schemas.CheckInCreate(id=uuid4())
        in_flight.most = 0

        await asyncio.gather(*(ana.check_in(third.id, body) for _ in range(5)))

        assert in_flight.most > 1
        assert rewards(await ledger(ana), challenge.id) == [300]
        assert await progress(ana, challenge.id) == (3, True)


# -- the challenge board ------------------------------------------------------------------


async def test_the_challenge_board_ranks_participants_by_progress(make_user: MakeUser) -> None:
    ana, ben, cat, dan = [await make_user(h) for h in ("ana", "ben", "cat", "dan")]
    challenge = await custom(ana, target=10)
    for client, done in ((ana, 1), (ben, 3), (cat, 2), (dan, 0)):
        await join(client, challenge.id)
        for _ in range(done):
            await client.check_in((await habit(client)).id)
    outsider = await make_user("eve")

    lb = await board(cat, challenge.id)

    assert [(e.user.handle, e.rank, e.points) for e in lb.entries] == [
        ("ben", 1, 3),
        ("cat", 2, 2),
        ("ana", 3, 1),
        ("dan", 4, 0),
    ]
    assert lb.me == schemas.BoardMe(rank=2, points=2)
    assert (lb.starts_on, lb.ends_on) == (challenge.starts_on, challenge.ends_on)
    assert (await board(outsider, challenge.id)).me is None  # not taking part


async def test_ties_on_the_challenge_board_share_a_rank(make_user: MakeUser) -> None:
    ana, ben, cat = [await make_user(h) for h in ("ana", "ben", "cat")]
    challenge = await custom(ana, target=10)
    for client, done in ((ana, 2), (ben, 2), (cat, 1)):
        await join(client, challenge.id)
        for _ in range(done):
            await client.check_in((await habit(client)).id)

    lb = await board(cat, challenge.id)

    assert [e.rank for e in lb.entries] == [1, 1, 3]
    assert lb.me == schemas.BoardMe(rank=3, points=1)


async def test_leaving_and_rejoining_cannot_earn_the_reward_twice(ana: RapportClient) -> None:
    challenge = await paying(ana)  # pays 300 on the third done day
    await join(ana, challenge.id)
    for _ in range(3):
        await ana.check_in((await mentor(ana)).id)
    assert rewards(await ledger(ana), challenge.id) == [300]

    await leave(ana, challenge.id)
    await join(ana, challenge.id)
    for _ in range(3):
        await ana.check_in((await mentor(ana)).id)

    assert await progress(ana, challenge.id) == (3, True)
    assert unreversed_rewards(await ledger(ana), challenge.id) == 1
    assert sum(rewards(await ledger(ana), challenge.id)) == 300


# -- paging the list ----------------------------------------------------------------------


async def test_the_list_pages_through_every_challenge_exactly_once(
    ana: RapportClient, clock: FakeClock
) -> None:
    made = [await custom(ana, target=2, title=f"Now {i}") for i in range(3)]
    made += [
        await custom(
            ana, target=2, title=f"Later {i}", starts_on="2026-03-20", ends_on="2026-03-25"
        )
        for i in range(2)
    ]

    async def walk(**params: Any) -> list[UUID]:
        seen: list[UUID] = []
        cursor: str | None = None
        for _ in range(10):
            response = await ana.request(
                "GET", CHALLENGES, params={"limit": 2, "cursor": cursor, **params}
            )
            page = msgspec.json.decode(response.content, type=schemas.ChallengePage)
            seen += [c.id for c in page.items]
            cursor = page.next_cursor
            if cursor is None:
                return seen
        raise AssertionError("the cursor never ends")

    assert sorted(await walk()) == sorted(c.id for c in made)
    assert sorted(await walk(status="active")) == sorted(c.id for c in made[:3])
    assert sorted(await walk(status="upcoming")) == sorted(c.id for c in made[3:])
    assert await walk(status="ended") == []


async def test_a_list_that_ends_exactly_at_a_page_has_no_next_cursor(ana: RapportClient) -> None:
    await custom(ana, target=2, title="One")
    await custom(ana, target=2, title="Two")

    response = await ana.request("GET", CHALLENGES, params={"limit": 2})
    page = msgspec.json.decode(response.content, type=schemas.ChallengePage)

    assert len(page.items) == 2
    assert page.next_cursor is None


# -- opting out -----------------------------------------------------------------------------


async def test_a_member_hidden_from_team_boards_is_hidden_on_team_challenge_boards(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await team_of(ana, ben)
    ben_id = (await ben.me()).id
    await ben.request("PATCH", f"{TEAMS}/{team.id}/members/{ben_id}", body={"hidden": True})
    challenge = await custom(ana, target=5, team_id=str(team.id))
    for client in (ana, ben):
        await join(client, challenge.id)
        await client.check_in((await habit(client)).id)

    lb = await board(ana, challenge.id)

    assert sorted(e.user.handle for e in lb.entries) == ["ana", "hidden"]
    assert ben_id not in [e.user.id for e in lb.entries]
