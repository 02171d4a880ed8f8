"""``GET /api/v1/catalog/rules``: the numbers clients explain the game with are the numbers
the server pays with."""

from __future__ import annotations

from datetime import date, timedelta

import msgspec
import pytest

from server.settings import Settings
from shared import schemas
from shared.client import ApiError, RapportClient
from tests.conftest import FakeClock

TODAY = date(2026, 3, 11)  # the clock fixture's day


async def test_every_difficulty_is_published_with_what_a_first_check_in_pays(
    ana: RapportClient,
) -> None:
    rules = await ana.rules()
    published = {p.difficulty: p.points for p in rules.points}
    assert set(published) == {"trivial", "easy", "medium", "hard"}
    assert [p.points for p in rules.points] == sorted(published.values())
    for difficulty, points in published.items():
        habit = await ana.create_habit(
            schemas.HabitCreate(
                title=f"A {difficulty} habit",
                category="results",
                schedule=schemas.Daily(),
                difficulty=difficulty,
            )
        )
        result = await ana.check_in(habit.id, schemas.CheckInCreate())
        # A first day done stands on a streak of 1: one step of the multiplier.
        step = 100 + rules.streak_step_percent
        # All on one side (results): no balance bonus, no milestone on day one.
        assert result.points_awarded == points * step // 100


async def test_rules_name_milestones_freezes_and_levels(ana: RapportClient) -> None:
    rules = await ana.rules()
    assert [m.streak for m in rules.milestones][:1] == [rules.freeze_every]
    assert all(m.bonus > 0 for m in rules.milestones)
    assert rules.max_multiplier_percent > 100 + rules.streak_step_percent
    assert rules.max_freezes >= 1
    assert rules.balance_bonus > 0
    me = await ana.me()
    assert me.level == 1
    assert rules.xp_step > 0


async def test_rules_need_a_token(ana: RapportClient) -> None:
    anonymous = RapportClient(http=ana.http)
    with pytest.raises(ApiError) as refused:
        await anonymous.rules()
    assert refused.value.status == 401


class TestAnotherBackdatingWindow:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return msgspec.structs.replace(settings, backdate_days=3)

    async def test_the_window_published_is_the_one_enforced(self, ana: RapportClient) -> None:
        rules = await ana.rules()
        assert rules.backdate_days == 3
        habit = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
        first = TODAY - timedelta(days=rules.backdate_days)
        await ana.check_in(habit.id, schemas.CheckInCreate(day=first))
        with pytest.raises(ApiError) as refused:
            await ana.check_in(habit.id, schemas.CheckInCreate(day=first - timedelta(days=1)))
        assert refused.value.status in (400, 422)


async def test_yesterday_shows_what_it_asked_and_what_was_done(ana: RapportClient) -> None:
    habit = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    yesterday = TODAY - timedelta(days=1)
    before = await ana.today(day=yesterday)
    [item] = before.habits
    assert before.day == yesterday
    assert (item.due, item.done) == (True, False)
    await ana.check_in(habit.id, schemas.CheckInCreate(day=yesterday))
    after = await ana.today(day=yesterday)
    assert after.habits[0].done
    assert after.points_today > 0  # the points went to yesterday
    today = await ana.today()
    assert (today.day, today.habits[0].done) == (TODAY, False)
    # Outside the window, as for a check-in: refused, nothing shown.
    for day in (TODAY - timedelta(days=2), TODAY + timedelta(days=1)):
        with pytest.raises(ApiError) as refused:
            await ana.today(day=day)
        assert refused.value.status == 422


async def test_a_result_names_the_milestone_it_paid_once(
    ana: RapportClient, clock: FakeClock
) -> None:
    rules = await ana.rules()
    first = rules.milestones[0].streak
    habit = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    results = []
    for _ in range(first + 1):
        results.append(await ana.check_in(habit.id, schemas.CheckInCreate()))
        clock.advance(days=1)
    assert [r.milestones for r in results[: first - 1]] == [[]] * (first - 1)
    assert results[first - 1].milestones == [first]
    assert results[first - 1].streak.current == first
    assert results[first].milestones == []
    ledger = await ana.points(limit=50)
    assert [e.reason for e in ledger.items].count(f"milestone:{first}") == 1
