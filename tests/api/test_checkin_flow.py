"""The core loop end to end: adopt a habit, check in, see it everywhere."""

from __future__ import annotations

from uuid import uuid4

import pytest

from shared import schemas
from shared.client import ApiError, RapportClient
from tests.conftest import FakeClock


async def test_adopt_check_in_and_see_today(ana: RapportClient) -> None:
    habit = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    assert habit.title == "Deliver on a promise"
    assert habit.category == "results"

    result = await ana.check_in(habit.id)
    assert result.streak.current == 1
    assert result.points_awarded == 5  # easy = 5, streak 1 -> x1.1 = 5.5, rounded down
    assert result.points_total == 5
    assert [b.slug for b in result.badges_earned] == ["first-checkin"]

    today = await ana.today()
    assert today.day.isoformat() == "2026-03-11"
    [entry] = today.habits
    assert (entry.done, entry.streak, entry.due) == (True, 1, True)
    assert today.points_today == 5

    me = await ana.me()
    assert (me.points, me.xp, me.level) == (5, 5, 1)


async def test_streak_grows_day_by_day(ana: RapportClient, clock: FakeClock) -> None:
    habit = await ana.create_habit(
        schemas.HabitCreate(title="Ship", category="results", schedule=schemas.Daily())
    )
    streaks = []
    for _ in range(8):
        streaks.append((await ana.check_in(habit.id)).streak.current)
        clock.advance(days=1)
    assert streaks == [1, 2, 3, 4, 5, 6, 7, 8]
    stats = await ana.stats(habit.id)
    assert (stats.current_streak, stats.best_streak, stats.total_checkins) == (8, 8, 8)
    # Seven days in a row earned one streak freeze.
    assert stats.streak_freezes == 1


async def test_replay_same_id_counts_once(ana: RapportClient) -> None:
    habit = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    body = schemas.CheckInCreate(id=uuid4(), note="told Ana it's done")
    first = await ana.check_in(habit.id, body)
    response = await ana.request("POST", f"/api/v1/habits/{habit.id}/checkins", body=body)
    assert response.status_code == 200
    assert (
        response.content
        == (await ana.request("POST", f"/api/v1/habits/{habit.id}/checkins", body=body)).content
    )
    assert (await ana.me()).points == first.points_total

    with pytest.raises(ApiError) as err:
        await ana.check_in(habit.id, schemas.CheckInCreate(id=body.id, note="different"))
    assert err.value.status == 409
