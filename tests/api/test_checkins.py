"""Check-ins through the HTTP API: the backdating window, conflicts, count habits, undo,
schedules and streaks, the balance bonus, and idempotency under concurrent requests."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import msgspec
from litestar import Litestar

from shared import schemas
from shared.client import ApiError, RapportClient
from tests.conftest import FakeClock, MakeUser, fails, overlapping_client

WED = date(2026, 3, 11)  # the clock fixture's day


async def status_of(call: Awaitable[httpx.Response]) -> int:
    try:
        return (await call).status_code
    except ApiError as error:
        return error.status


def field_names(error: ApiError) -> list[str]:
    assert error.problem is not None
    return [e.field for e in error.problem.errors or []]


async def daily_habit(
    client: RapportClient, *, category: schemas.Category = "results", **fields: Any
) -> schemas.Habit:
    return await client.create_habit(
        schemas.HabitCreate(title="Ship it", category=category, schedule=schemas.Daily(), **fields)
    )


async def ledger(client: RapportClient) -> list[schemas.LedgerEntry]:
    return (await client.points(limit=200)).items


def checkins_path(habit_id: UUID) -> str:
    return f"/api/v1/habits/{habit_id}/checkins"


# -- the day of a check-in ----------------------------------------------------------------


async def test_check_in_defaults_to_today(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    result = await ana.check_in(habit.id)
    assert result.checkin.day == WED
    assert result.checkin.habit_id == habit.id
    assert (result.checkin.value, result.checkin.skip) == (1, False)


async def test_check_in_day_is_the_users_local_day(make_user: MakeUser) -> None:
    # Wed 12:00 UTC is Thu 02:00 on Kiritimati (UTC+14).
    early = await make_user("kiri", timezone="Pacific/Kiritimati")
    habit = await daily_habit(early)
    assert (await early.check_in(habit.id)).checkin.day == WED + timedelta(days=1)

    # With the day starting at 04:00, 02:00 still belongs to Wednesday.
    late = await make_user("owl", timezone="Pacific/Kiritimati", day_start_hour=4)
    habit = await daily_habit(late)
    assert (await late.check_in(habit.id)).checkin.day == WED


async def test_check_in_for_yesterday_is_accepted(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    yesterday = WED - timedelta(days=1)
    response = await ana.request(
        "POST", checkins_path(habit.id), body=schemas.CheckInCreate(day=yesterday)
    )
    assert response.status_code == 201
    result = msgspec.json.decode(response.content, type=schemas.CheckInResult)
    assert result.checkin.day == yesterday
    assert result.points_awarded > 0
    assert [c.day for c in (await ana.checkins(habit.id)).items] == [yesterday]


async def test_check_in_two_days_ago_is_422_and_records_nothing(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    error = await fails(ana.check_in(habit.id, schemas.CheckInCreate(day=WED - timedelta(days=2))))
    assert error.status == 422
    assert field_names(error) == ["day"]
    assert (await ana.checkins(habit.id)).items == []
    assert (await ana.me()).points == 0


async def test_check_in_for_tomorrow_is_422_and_records_nothing(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    error = await fails(ana.check_in(habit.id, schemas.CheckInCreate(day=WED + timedelta(days=1))))
    assert error.status == 422
    assert field_names(error) == ["day"]
    assert (await ana.checkins(habit.id)).items == []


# -- conflicts ----------------------------------------------------------------------------


async def test_second_check_in_of_check_habit_same_day_is_409(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    first = await ana.check_in(habit.id)
    error = await fails(ana.check_in(habit.id))
    assert error.status == 409
    assert len((await ana.checkins(habit.id)).items) == 1
    assert (await ana.me()).points == first.points_total


async def test_check_in_after_skip_same_day_is_409(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    skipped = await ana.check_in(habit.id, schemas.CheckInCreate(skip=True))
    assert skipped.checkin.skip is True
    assert skipped.points_awarded == 0

    error = await fails(ana.check_in(habit.id))
    assert error.status == 409
    assert [c.skip for c in (await ana.checkins(habit.id)).items] == [True]
    assert (await ana.me()).points == 0


async def test_skip_after_check_in_same_day_is_409(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    await ana.check_in(habit.id)
    error = await fails(ana.check_in(habit.id, schemas.CheckInCreate(skip=True)))
    assert error.status == 409


async def test_same_id_with_a_different_body_is_409(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    checkin_id = uuid4()
    await ana.check_in(habit.id, schemas.CheckInCreate(id=checkin_id))
    error = await fails(ana.check_in(habit.id, schemas.CheckInCreate(id=checkin_id, note="x")))
    assert error.status == 409


async def test_check_habit_with_value_above_one_is_422(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    error = await fails(ana.check_in(habit.id, schemas.CheckInCreate(value=2)))
    assert error.status == 422
    assert field_names(error) == ["value"]


async def test_check_in_with_unknown_field_is_400(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    error = await fails(ana.request("POST", checkins_path(habit.id), body={"valeu": 1}))
    assert error.status == 400
    assert (await ana.checkins(habit.id)).items == []


async def test_check_in_of_archived_habit_is_409(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    await ana.update_habit(habit.id, schemas.HabitPatch(archived=True))
    error = await fails(ana.check_in(habit.id))
    assert error.status == 409


async def test_check_in_of_unknown_habit_is_404(ana: RapportClient) -> None:
    assert (await fails(ana.check_in(uuid4()))).status == 404


# -- count habits -------------------------------------------------------------------------


async def test_count_habit_awards_points_only_when_target_is_reached(ana: RapportClient) -> None:
    habit = await daily_habit(ana, kind="count", target=3)

    partial = await ana.check_in(habit.id, schemas.CheckInCreate(value=1))
    assert partial.points_awarded == 0
    assert partial.streak.current == 0
    assert (await ana.today()).habits[0].done is False

    reached = await ana.check_in(habit.id, schemas.CheckInCreate(value=2))
    assert reached.points_awarded == 5  # easy, streak 1
    assert reached.streak.current == 1
    assert reached.points_total == 5

    beyond = await ana.check_in(habit.id, schemas.CheckInCreate(value=1))
    assert beyond.points_awarded == 0
    assert beyond.points_total == 5

    [entry] = (await ana.today()).habits
    assert (entry.value, entry.done) == (4, True)
    assert (await ana.me()).points == 5
    assert [e.reason for e in await ledger(ana)] == ["checkin"]
    assert (await ana.stats(habit.id)).total_checkins == 1


async def test_undoing_the_count_that_reached_the_target_takes_the_points_back(
    ana: RapportClient,
) -> None:
    habit = await daily_habit(ana, kind="count", target=3)
    await ana.check_in(habit.id, schemas.CheckInCreate(value=1))
    reached = await ana.check_in(habit.id, schemas.CheckInCreate(value=2))
    await ana.undo(habit.id, reached.checkin.id)

    assert (await ana.me()).points == 0
    [entry] = (await ana.today()).habits
    assert (entry.value, entry.done) == (1, False)
    assert (await ana.stats(habit.id)).total_checkins == 0


# -- undo ---------------------------------------------------------------------------------


async def test_undo_reverses_points_exactly(ana: RapportClient) -> None:
    earlier = await daily_habit(ana)
    await ana.check_in(earlier.id)
    previous = (await ana.me()).points
    assert previous > 0

    habit = await ana.create_habit(schemas.HabitCreate(template="ship-to-a-high-standard"))
    result = await ana.check_in(habit.id)
    assert result.points_awarded > 0
    assert (await ana.me()).points == previous + result.points_awarded

    response = await ana.request("DELETE", f"{checkins_path(habit.id)}/{result.checkin.id}")
    assert response.status_code == 204

    me = await ana.me()
    assert me.points == previous
    assert me.xp == previous
    entries = await ledger(ana)
    undos = [e for e in entries if e.reason.startswith("undo:")]
    assert [(e.reason, e.amount, e.habit_id) for e in undos] == [
        ("undo:checkin", -result.points_awarded, habit.id)
    ]
    assert sum(e.amount for e in entries) == me.points
    assert (await ana.checkins(habit.id)).items == []
    stats = await ana.stats(habit.id)
    assert (stats.current_streak, stats.total_checkins, stats.last_done_on) == (0, 0, None)


async def test_undone_day_can_be_checked_in_again(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    first = await ana.check_in(habit.id)
    await ana.undo(habit.id, first.checkin.id)
    again = await ana.check_in(habit.id)
    assert again.points_awarded == first.points_awarded
    assert (await ana.me()).points == first.points_awarded


async def test_undo_twice_is_404(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    result = await ana.check_in(habit.id)
    await ana.undo(habit.id, result.checkin.id)
    error = await fails(ana.undo(habit.id, result.checkin.id))
    assert error.status == 404
    assert (await ana.me()).points == 0


async def test_undo_of_unknown_check_in_is_404(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    assert (await fails(ana.undo(habit.id, uuid4()))).status == 404


async def test_undo_of_someone_elses_check_in_is_404(
    ana: RapportClient, ben: RapportClient
) -> None:
    habit = await daily_habit(ana)
    result = await ana.check_in(habit.id)
    bens_habit = await daily_habit(ben)

    assert (await fails(ben.undo(habit.id, result.checkin.id))).status == 404
    assert (await fails(ben.undo(bens_habit.id, result.checkin.id))).status == 404

    assert (await ana.me()).points == result.points_total
    assert [c.id for c in (await ana.checkins(habit.id)).items] == [result.checkin.id]


async def test_undo_under_another_habit_path_is_404(ana: RapportClient) -> None:
    habit = await daily_habit(ana)
    other = await daily_habit(ana)
    result = await ana.check_in(habit.id)
    assert (await fails(ana.undo(other.id, result.checkin.id))).status == 404
    assert len((await ana.checkins(habit.id)).items) == 1


async def test_undo_of_yesterdays_check_in_is_allowed(ana: RapportClient, clock: FakeClock) -> None:
    habit = await daily_habit(ana)
    result = await ana.check_in(habit.id)
    clock.advance(days=1)
    await ana.undo(habit.id, result.checkin.id)
    assert (await ana.me()).points == 0


async def test_undo_outside_the_window_is_422_and_changes_nothing(
    ana: RapportClient, clock: FakeClock
) -> None:
    habit = await daily_habit(ana)
    result = await ana.check_in(habit.id)
    clock.advance(days=3)
    error = await fails(ana.undo(habit.id, result.checkin.id))
    assert error.status == 422
    assert (await ana.me()).points == result.points_total
    assert [c.id for c in (await ana.checkins(habit.id)).items] == [result.checkin.id]


# -- schedules and streaks ----------------------------------------------------------------


async def test_weekday_habit_streak_survives_weekend(ana: RapportClient, clock: FakeClock) -> None:
    habit = await ana.create_habit(
        schemas.HabitCreate(
            title="Stand-up notes",
            category="results",
            schedule=schemas.Weekdays(days=[1, 2, 3, 4, 5]),
        )
    )
    clock.set(datetime(2026, 3, 13, 12, 0, tzinfo=UTC))  # Friday
    friday = await ana.check_in(habit.id)
    assert friday.streak.current == 1

    clock.set(datetime(2026, 3, 16, 12, 0, tzinfo=UTC))  # Monday
    monday = await ana.check_in(habit.id)
    assert monday.checkin.day == date(2026, 3, 16)
    assert (monday.streak.current, monday.streak.best) == (2, 2)
    assert (await ana.stats(habit.id)).current_streak == 2


async def test_daily_habit_streak_breaks_over_an_empty_weekend(
    ana: RapportClient, clock: FakeClock
) -> None:
    habit = await daily_habit(ana)
    clock.set(datetime(2026, 3, 13, 12, 0, tzinfo=UTC))  # Friday
    await ana.check_in(habit.id)
    clock.set(datetime(2026, 3, 16, 12, 0, tzinfo=UTC))  # Monday
    assert (await ana.check_in(habit.id)).streak.current == 1


async def test_skip_keeps_the_streak_without_extending_it(
    ana: RapportClient, clock: FakeClock
) -> None:
    habit = await daily_habit(ana)
    assert (await ana.check_in(habit.id)).streak.current == 1

    clock.advance(days=1)
    skipped = await ana.check_in(habit.id, schemas.CheckInCreate(skip=True))
    assert skipped.streak.current == 1
    assert skipped.points_awarded == 0

    clock.advance(days=1)
    assert (await ana.check_in(habit.id)).streak.current == 2
    assert (await ana.stats(habit.id)).total_checkins == 2


# -- the balance bonus --------------------------------------------------------------------


async def test_results_and_relationships_on_one_day_earn_the_balance_bonus(
    ana: RapportClient,
) -> None:
    results = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    relationships = await ana.create_habit(
        schemas.HabitCreate(template="stay-positive-and-courteous")
    )
    first = await ana.check_in(results.id)
    assert first.points_awarded == 5

    second = await ana.check_in(relationships.id)
    assert second.points_awarded == 2 + 10  # trivial at streak 1, plus the bonus

    bonuses = [e for e in await ledger(ana) if e.reason == "balance_bonus"]
    assert [(e.amount, e.day, e.habit_id) for e in bonuses] == [(10, WED, None)]
    me = await ana.me()
    assert me.points == 17
    assert "balanced-1" in {b.slug for b in await ana.badges()}


async def test_balance_bonus_is_awarded_once_per_day(ana: RapportClient) -> None:
    for template in (
        "deliver-on-a-promise",
        "stay-positive-and-courteous",
        "learn-one-thing",
        "check-capacity-before-yes",
    ):
        habit = await ana.create_habit(schemas.HabitCreate(template=template))
        await ana.check_in(habit.id)
    reasons = Counter(e.reason for e in await ledger(ana))
    assert reasons["balance_bonus"] == 1


async def test_undoing_one_side_of_a_balanced_day_reverses_the_bonus(
    ana: RapportClient,
) -> None:
    results = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    relationships = await ana.create_habit(
        schemas.HabitCreate(template="stay-positive-and-courteous")
    )
    await ana.check_in(results.id)
    balanced = await ana.check_in(relationships.id)
    assert (await ana.me()).points == 17

    await ana.undo(relationships.id, balanced.checkin.id)

    entries = await ledger(ana)
    undone = sorted((e.reason, e.amount) for e in entries if e.reason.startswith("undo:"))
    assert undone == [("undo:balance_bonus", -10), ("undo:checkin", -2)]
    me = await ana.me()
    assert me.points == 5
    assert sum(e.amount for e in entries) == 5
    assert (await ana.balance()).last_7_days.relationships == 0

    # Balancing the day again earns the bonus again, once.
    again = await ana.check_in(relationships.id)
    assert again.points_awarded == 12
    assert (await ana.me()).points == 17


# -- concurrency --------------------------------------------------------------------------


async def test_concurrent_replays_of_one_check_in_count_once(app: Litestar) -> None:
    async with overlapping_client(app) as (ana, in_flight):
        habit = await daily_habit(ana)
        body = schemas.CheckInCreate(id=uuid4(), note="done")
        in_flight.most = 0
        responses = await asyncio.gather(
            *(ana.request("POST", checkins_path(habit.id), body=body) for _ in range(10))
        )
        assert in_flight.most > 1, "the requests did not overlap"
        assert sorted(r.status_code for r in responses) == [200] * 9 + [201]
        results = {r.content for r in responses}
        assert len(results) == 1

        result = msgspec.json.decode(responses[0].content, type=schemas.CheckInResult)
        assert result.checkin.id == body.id
        assert (await ana.me()).points == result.points_awarded == 5
        assert [e.reason for e in await ledger(ana)] == ["checkin"]
        assert [c.id for c in (await ana.checkins(habit.id)).items] == [body.id]


async def test_concurrent_distinct_check_ins_of_a_check_habit_record_one(app: Litestar) -> None:
    async with overlapping_client(app) as (ana, in_flight):
        habit = await daily_habit(ana)
        in_flight.most = 0
        statuses = await asyncio.gather(
            *(
                status_of(
                    ana.request(
                        "POST", checkins_path(habit.id), body=schemas.CheckInCreate(id=uuid4())
                    )
                )
                for _ in range(10)
            )
        )
        assert in_flight.most > 1, "the requests did not overlap"
        assert sorted(statuses) == [201] + [409] * 9
        assert len((await ana.checkins(habit.id)).items) == 1
        assert (await ana.me()).points == 5
        assert [e.reason for e in await ledger(ana)] == ["checkin"]


async def test_concurrent_counts_of_a_count_habit_all_add_up(app: Litestar) -> None:
    async with overlapping_client(app) as (ana, in_flight):
        habit = await daily_habit(ana, kind="count", target=3)
        in_flight.most = 0
        responses = await asyncio.gather(
            *(ana.request("POST", checkins_path(habit.id), body={"value": 1}) for _ in range(10))
        )
        assert in_flight.most > 1, "the requests did not overlap"
        assert [r.status_code for r in responses] == [201] * 10
        [entry] = (await ana.today()).habits
        assert (entry.value, entry.done) == (10, True)
        # The target was reached once, so the day was paid once.
        assert (await ana.me()).points == 5
        assert [e.reason for e in await ledger(ana)] == ["checkin"]


# -- listing ------------------------------------------------------------------------------


async def test_list_check_ins_by_day_range(ana: RapportClient, clock: FakeClock) -> None:
    habit = await daily_habit(ana)
    await ana.check_in(habit.id, schemas.CheckInCreate(day=WED - timedelta(days=1)))
    await ana.check_in(habit.id)
    clock.advance(days=1)
    await ana.check_in(habit.id, schemas.CheckInCreate(note="thursday"))

    every = (await ana.checkins(habit.id)).items
    assert [c.day.day for c in every] == [10, 11, 12]
    assert [c.note for c in every] == [None, None, "thursday"]

    middle = (await ana.checkins(habit.id, first=WED, last=WED)).items
    assert [c.day for c in middle] == [WED]

    page = await ana.checkins(habit.id, limit=2)
    assert len(page.items) == 2
    assert page.next_cursor is not None
    rest = await ana.checkins(habit.id, limit=2, cursor=page.next_cursor)
    assert [c.day.day for c in rest.items] == [12]
    assert rest.next_cursor is None
