"""Team leaderboards through the HTTP API: competition ranks, the caller's own standing,
paging, the "around" view, and periods cut in the *team's* time zone (API.md: calendar
weeks starting Monday and months in the team's zone; ties share a rank).

Points here come from trivial daily habits: each check-in on a first day pays 2 points
(base 2, streak 1 -> x1.1, rounded down), so a member with ``n`` such check-ins has 2n."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient

from shared import schemas
from shared.client import RapportClient
from tests.conftest import FakeClock, MakeUser, fails, team_of

TEAMS = "/api/v1/teams"
TRIVIAL = 2  # points of a trivial habit's first check-in


async def user_id(client: RapportClient) -> UUID:
    return (await client.me()).id


async def get_team(client: RapportClient, team_id: UUID) -> schemas.Team:
    response = await client.request("GET", f"{TEAMS}/{team_id}")
    return msgspec.json.decode(response.content, type=schemas.Team)


async def board(client: RapportClient, team_id: UUID, **params: Any) -> schemas.Leaderboard:
    response = await client.request("GET", f"{TEAMS}/{team_id}/leaderboard", params=params)
    assert response.status_code == 200
    return msgspec.json.decode(response.content, type=schemas.Leaderboard)


async def habit(
    client: RapportClient,
    *,
    difficulty: schemas.Difficulty = "trivial",
    category: schemas.Category = "results",
) -> schemas.Habit:
    return await client.create_habit(
        schemas.HabitCreate(
            title="Ship", category=category, schedule=schemas.Daily(), difficulty=difficulty
        )
    )


async def earn(client: RapportClient, check_ins: int) -> int:
    """Check in ``check_ins`` fresh trivial habits today; the points they paid."""
    total = 0
    for _ in range(check_ins):
        total += (await client.check_in((await habit(client)).id)).points_awarded
    assert total == TRIVIAL * check_ins
    return total


def standing(lb: schemas.Leaderboard) -> list[tuple[str, int, int]]:
    return [(e.user.handle, e.rank, e.points) for e in lb.entries]


def points_of(lb: schemas.Leaderboard, handle: str) -> int | None:
    return next((e.points for e in lb.entries if e.user.handle == handle), None)


# -- who may read a board -----------------------------------------------------------------


async def test_a_non_member_gets_404_and_an_anonymous_caller_401(
    http: AsyncTestClient[Litestar], ana: RapportClient, ben: RapportClient
) -> None:
    team = await team_of(ana)
    path = f"{TEAMS}/{team.id}/leaderboard"

    assert (await fails(ben.request("GET", path))).status == 404
    assert (await fails(ben.request("GET", f"{TEAMS}/{uuid4()}/leaderboard"))).status == 404
    assert (await fails(RapportClient(http=http).request("GET", path))).status == 401


async def test_an_unknown_period_is_a_client_error(ana: RapportClient) -> None:
    team = await team_of(ana)
    error = await fails(
        ana.request("GET", f"{TEAMS}/{team.id}/leaderboard", params={"period": "year"})
    )
    assert error.status in (400, 422)


# -- ranks --------------------------------------------------------------------------------


async def test_ties_share_a_rank_and_the_next_rank_skips(make_user: MakeUser) -> None:
    ana, ben, cat, dan, eve = [await make_user(h) for h in ("ana", "ben", "cat", "dan", "eve")]
    team = await team_of(ana, ben, cat, dan, eve)
    for client, check_ins in ((ana, 4), (ben, 2), (cat, 2), (dan, 2), (eve, 1)):
        await earn(client, check_ins)

    lb = await board(ana, team.id)

    assert [e.rank for e in lb.entries] == [1, 2, 2, 2, 5]
    assert {h: (r, p) for h, r, p in standing(lb)} == {
        "ana": (1, 8),
        "ben": (2, 4),
        "cat": (2, 4),
        "dan": (2, 4),
        "eve": (5, 2),
    }
    assert lb.next_cursor is None
    for client, rank, points in ((ana, 1, 8), (cat, 2, 4), (eve, 5, 2)):
        assert (await board(client, team.id)).me == schemas.BoardMe(rank=rank, points=points)


async def test_my_standing_is_given_even_when_i_am_not_on_the_page(make_user: MakeUser) -> None:
    ana, ben, cat = [await make_user(h) for h in ("ana", "ben", "cat")]
    team = await team_of(ana, ben, cat)
    await earn(ana, 3)
    await earn(ben, 2)
    await earn(cat, 1)

    lb = await board(cat, team.id, limit=1)

    assert standing(lb) == [("ana", 1, 6)]
    assert lb.me == schemas.BoardMe(rank=3, points=2)
    assert lb.next_cursor is not None


async def test_a_member_without_points_stands_after_everyone_with_zero(
    make_user: MakeUser,
) -> None:
    ana, ben, cat = [await make_user(h) for h in ("ana", "ben", "cat")]
    team = await team_of(ana, ben, cat)
    await earn(ana, 1)
    await earn(ben, 1)

    assert (await board(cat, team.id)).me == schemas.BoardMe(rank=3, points=0)


async def test_pages_follow_the_cursor_and_cover_every_entry_exactly_once(
    make_user: MakeUser,
) -> None:
    clients = [await make_user(h) for h in ("ana", "ben", "cat", "dan", "eve", "fay", "gus")]
    team = await team_of(*clients)
    for client, check_ins in zip(clients, (3, 2, 2, 2, 2, 1, 1), strict=True):
        await earn(client, check_ins)
    whole = await board(clients[0], team.id, limit=50)

    pages: list[schemas.Leaderboard] = []
    cursor: str | None = None
    while True:
        page = await board(clients[3], team.id, limit=2, cursor=cursor)
        pages.append(page)
        assert len(page.entries) <= 2
        cursor = page.next_cursor
        if cursor is None:
            break
        assert len(pages) < 10, "the cursor never ends"

    walked = [e for page in pages for e in page.entries]
    assert len(pages) == 4
    assert [e.user.id for e in walked] == [e.user.id for e in whole.entries]
    assert len({e.user.id for e in walked}) == 7
    # A page that starts inside a tie still carries the tie's rank.
    assert [e.rank for e in walked] == [1, 2, 2, 2, 2, 6, 6]
    assert [(e.rank, e.points) for e in walked] == [(e.rank, e.points) for e in whole.entries]
    assert all(page.me == schemas.BoardMe(rank=2, points=4) for page in pages)


async def test_around_view_gives_the_top_three_and_my_neighbours(make_user: MakeUser) -> None:
    handles = ["aaa", "bbb", "ccc", "ddd", "eee", "fff", "ggg", "hhh", "iii"]
    clients = [await make_user(h) for h in handles]
    team = await team_of(*clients)
    # aaa has the most points (9 check-ins), iii the fewest (1): ranks 1..9 in handle order.
    for client, check_ins in zip(clients, range(9, 0, -1), strict=True):
        await earn(client, check_ins)
    ggg = clients[6]

    lb = await board(ggg, team.id, view="around")

    assert lb.me == schemas.BoardMe(rank=7, points=6)
    assert standing(lb) == [
        ("aaa", 1, 18),
        ("bbb", 2, 16),
        ("ccc", 3, 14),
        ("eee", 5, 10),
        ("fff", 6, 8),
        ("ggg", 7, 6),
        ("hhh", 8, 4),
        ("iii", 9, 2),
    ]
    assert [e.me for e in lb.entries].count(True) == 1
    assert next(e for e in lb.entries if e.me).user.handle == "ggg"


async def test_around_view_at_the_top_repeats_nobody(make_user: MakeUser) -> None:
    clients = [await make_user(h) for h in ("aaa", "bbb", "ccc", "ddd", "eee", "fff")]
    team = await team_of(*clients)
    for client, check_ins in zip(clients, range(6, 0, -1), strict=True):
        await earn(client, check_ins)

    lb = await board(clients[1], team.id, view="around")

    assert [h for h, _, _ in standing(lb)] == ["aaa", "bbb", "ccc", "ddd"]
    assert [r for _, r, _ in standing(lb)] == [1, 2, 3, 4]
    assert lb.me == schemas.BoardMe(rank=2, points=10)


# -- periods ------------------------------------------------------------------------------


async def test_week_month_and_all_time_each_keep_their_own_points(
    ana: RapportClient, clock: FakeClock
) -> None:
    team = await team_of(ana, timezone="UTC")
    wednesday = await earn(ana, 2)  # Wed 2026-03-11

    week = await board(ana, team.id, period="week")
    assert (week.period, week.starts_on, week.ends_on) == (
        "week",
        date(2026, 3, 9),
        date(2026, 3, 15),
    )
    assert week.me == schemas.BoardMe(rank=1, points=wednesday)
    month = await board(ana, team.id, period="month")
    assert (month.starts_on, month.ends_on) == (date(2026, 3, 1), date(2026, 3, 31))
    assert month.me is not None
    assert month.me.points == wednesday
    whole = await board(ana, team.id, period="all")
    assert whole.period == "all"
    assert whole.starts_on == date(2026, 3, 11)
    assert whole.ends_on == date(2026, 3, 11)
    assert whole.me is not None
    assert whole.me.points == wednesday
    assert (await board(ana, team.id)).period == "week"  # the default

    clock.set(datetime(2026, 3, 16, 9, 0, tzinfo=UTC))  # the next Monday
    monday = await earn(ana, 1)
    week = await board(ana, team.id, period="week")
    assert (week.starts_on, week.ends_on) == (date(2026, 3, 16), date(2026, 3, 22))
    assert week.me == schemas.BoardMe(rank=1, points=monday)
    month = await board(ana, team.id, period="month")
    assert month.me is not None
    assert month.me.points == wednesday + monday

    clock.set(datetime(2026, 4, 1, 9, 0, tzinfo=UTC))
    month = await board(ana, team.id, period="month")
    assert (month.starts_on, month.ends_on) == (date(2026, 4, 1), date(2026, 4, 30))
    assert month.entries == []
    assert month.me == schemas.BoardMe(rank=1, points=0)
    whole = await board(ana, team.id, period="all")
    assert whole.ends_on == date(2026, 4, 1)
    assert whole.me is not None
    assert whole.me.points == wednesday + monday


# Sunday 2026-03-15 19:00 in Los Angeles (PDT, UTC-7) is Monday 2026-03-16 15:00 in
# Auckland (NZDT, UTC+13): a new week on an Auckland team's board.
SUNDAY_EVENING_LA = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
# Sunday 2026-03-15 23:00 in Auckland: still the week of Monday 9 March there.
SUNDAY_NIGHT_AUCKLAND = datetime(2026, 3, 15, 10, 0, tzinfo=UTC)
# Tuesday 2026-03-31 19:00 in Los Angeles is Wednesday 1 April 15:00 in Auckland.
MARCH_31_EVENING_LA = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)
# Tuesday 2026-03-31 23:00 in Auckland: still March there.
MARCH_31_NIGHT_AUCKLAND = datetime(2026, 3, 31, 10, 0, tzinfo=UTC)


async def auckland_team_with_la_member(
    make_user: MakeUser, **fields: Any
) -> tuple[schemas.Team, RapportClient, RapportClient]:
    kiwi = await make_user("kiwi", timezone="Pacific/Auckland")
    lou = await make_user("lou", timezone="America/Los_Angeles")
    team = await team_of(kiwi, lou, timezone="Pacific/Auckland", **fields)
    assert team.timezone == "Pacific/Auckland"
    return team, kiwi, lou


async def test_a_sunday_evening_in_la_counts_in_the_next_week_of_an_auckland_team(
    make_user: MakeUser, clock: FakeClock
) -> None:
    team, kiwi, lou = await auckland_team_with_la_member(make_user)
    saturday_habit, sunday_habit = await habit(lou), await habit(lou)

    clock.set(datetime(2026, 3, 14, 20, 0, tzinfo=UTC))  # Sat 13:00 LA, Sun 09:00 Auckland
    saturday = (await lou.check_in(saturday_habit.id)).points_awarded

    clock.set(SUNDAY_EVENING_LA)
    result = await lou.check_in(sunday_habit.id)
    assert result.checkin.day == date(2026, 3, 15)  # Sunday, Lou's day
    sunday = result.points_awarded
    assert sunday > 0

    current = await board(kiwi, team.id, period="week")
    assert (current.starts_on, current.ends_on) == (date(2026, 3, 16), date(2026, 3, 22))
    assert points_of(current, "lou") == sunday
    assert (await board(lou, team.id, period="week")).me == schemas.BoardMe(rank=1, points=sunday)

    clock.set(SUNDAY_NIGHT_AUCKLAND)  # read the previous week's board
    previous = await board(kiwi, team.id, period="week")
    assert previous.starts_on == date(2026, 3, 9)
    assert points_of(previous, "lou") == saturday


async def test_the_last_evening_of_march_in_la_counts_in_april_for_an_auckland_team(
    make_user: MakeUser, clock: FakeClock
) -> None:
    team, kiwi, lou = await auckland_team_with_la_member(make_user)
    early, late = await habit(lou), await habit(lou)

    clock.set(datetime(2026, 3, 30, 20, 0, tzinfo=UTC))  # Mon 30 LA, Tue 31 Auckland: March
    in_march = (await lou.check_in(early.id)).points_awarded

    clock.set(MARCH_31_EVENING_LA)
    result = await lou.check_in(late.id)
    assert result.checkin.day == date(2026, 3, 31)  # still March for Lou
    in_april = result.points_awarded

    april = await board(kiwi, team.id, period="month")
    assert (april.starts_on, april.ends_on) == (date(2026, 4, 1), date(2026, 4, 30))
    assert points_of(april, "lou") == in_april

    clock.set(MARCH_31_NIGHT_AUCKLAND)
    march = await board(kiwi, team.id, period="month")
    assert march.starts_on == date(2026, 3, 1)
    assert points_of(march, "lou") == in_march


async def test_undo_takes_points_and_goal_progress_back_from_the_week_they_were_added(
    make_user: MakeUser, clock: FakeClock
) -> None:
    team, kiwi, lou = await auckland_team_with_la_member(
        make_user, goal={"target": 3, "category": "results"}
    )
    kept, undone = await habit(lou), await habit(lou)
    other = await habit(lou, category="relationships")  # not counted by a results goal

    clock.set(SUNDAY_NIGHT_AUCKLAND)  # Sunday 03:00 in LA, Sunday 23:00 in Auckland
    kept_points = (await lou.check_in(kept.id)).points_awarded
    result = await lou.check_in(undone.id)
    undone_points = result.points_awarded
    await lou.check_in(other.id)
    before = await get_team(kiwi, team.id)
    assert before.goal is not None
    assert (before.goal.week_starts_on, before.goal.progress) == (date(2026, 3, 9), 2)
    lou_before = (await lou.me()).points
    assert lou_before >= kept_points + undone_points
    assert points_of(await board(kiwi, team.id, period="week"), "lou") == lou_before

    clock.set(datetime(2026, 3, 15, 12, 0, tzinfo=UTC))  # Monday 01:00 in Auckland
    await lou.undo(undone.id, result.checkin.id)

    this_week = await board(kiwi, team.id, period="week")
    assert this_week.starts_on == date(2026, 3, 16)
    assert points_of(this_week, "lou") in (None, 0)  # nothing taken from the new week
    assert (await board(lou, team.id, period="week")).me == schemas.BoardMe(rank=1, points=0)
    goal_now = (await get_team(kiwi, team.id)).goal
    assert goal_now is not None
    assert (goal_now.week_starts_on, goal_now.progress) == (date(2026, 3, 16), 0)

    lou_total = (await lou.me()).points
    assert lou_total == lou_before - undone_points
    month = await board(kiwi, team.id, period="month")
    everything = await board(kiwi, team.id, period="all")
    assert points_of(month, "lou") == points_of(everything, "lou") == lou_total

    clock.set(datetime(2026, 3, 15, 10, 30, tzinfo=UTC))  # back to Sunday 23:30, Auckland
    last_week = await board(kiwi, team.id, period="week")
    assert last_week.starts_on == date(2026, 3, 9)
    assert points_of(last_week, "lou") == lou_total
    goal_then = (await get_team(kiwi, team.id)).goal
    assert goal_then is not None
    assert (goal_then.week_starts_on, goal_then.progress) == (date(2026, 3, 9), 1)


async def test_team_goal_counts_matching_check_ins_of_every_member_this_week(
    make_user: MakeUser,
) -> None:
    ana, ben = [await make_user(h) for h in ("ana", "ben")]
    team = await team_of(ana, ben, timezone="UTC", goal={"target": 3, "category": "results"})

    await earn(ana, 2)
    await earn(ben, 1)
    await ben.check_in((await habit(ben, category="relationships")).id)

    goal = (await get_team(ana, team.id)).goal
    assert goal is not None
    assert (goal.target, goal.category, goal.week_starts_on, goal.progress) == (
        3,
        "results",
        date(2026, 3, 9),
        3,
    )


async def test_undo_on_the_same_day_takes_the_points_off_the_board(
    ana: RapportClient, ben: RapportClient
) -> None:
    team = await team_of(ana, ben)
    await earn(ben, 1)
    h = await habit(ana, difficulty="hard")
    result = await ana.check_in(h.id)
    assert [e.user.handle for e in (await board(ben, team.id)).entries] == ["ana", "ben"]

    await ana.undo(h.id, result.checkin.id)

    for period in ("week", "month", "all"):
        lb = await board(ben, team.id, period=period)
        assert points_of(lb, "ana") in (None, 0)
        assert lb.entries[0].user.handle == "ben"
        assert lb.entries[0].rank == 1


async def test_undoing_a_check_in_from_before_joining_leaves_the_team_alone(
    ana: RapportClient, ben: RapportClient
) -> None:
    h = await habit(ana)
    result = await ana.check_in(h.id)  # Ana is in no team yet
    team = await team_of(ben, ana, timezone="UTC", goal={"target": 5, "category": "results"})
    await earn(ben, 1)

    await ana.undo(h.id, result.checkin.id)

    for period in ("week", "month", "all"):
        lb = await board(ben, team.id, period=period)
        assert points_of(lb, "ana") in (None, 0), period
        assert (await board(ana, team.id, period=period)).me == schemas.BoardMe(rank=2, points=0), (
            period
        )
    goal = (await get_team(ben, team.id)).goal
    assert goal is not None
    assert goal.progress == 1  # Ben's check-in; Ana's undo took nothing it had not given
