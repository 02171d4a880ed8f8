from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain import badges, balance, levels, scoring, strength
from server.domain.badges import Achievements, BadgeDefinition, StreakRule, TotalCheckins


@pytest.mark.parametrize(
    ("difficulty", "streak", "points"),
    [
        ("trivial", 0, 2),
        ("easy", 1, 5),  # 5 * 1.1 = 5.5, rounded down
        ("medium", 3, 13),
        ("hard", 10, 40),
        ("hard", 400, 40),  # the multiplier stops at x2
    ],
)
def test_points_for_a_checkin(difficulty: str, streak: int, points: int) -> None:
    assert scoring.points_for_checkin(difficulty, streak) == points


@given(st.integers(0, 1000), st.integers(0, 1000))
def test_multiplier_is_bounded_and_never_shrinks_with_the_streak(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert (
        100
        <= scoring.streak_multiplier_percent(low)
        <= scoring.streak_multiplier_percent(high)
        <= 200
    )


def test_milestones_are_paid_once_when_crossed() -> None:
    assert scoring.milestones_reached(6, 7) == [7]
    assert scoring.milestones_reached(7, 7) == []
    assert scoring.milestones_reached(65, 66) == [66]
    assert [scoring.milestone_bonus(m) for m in (7, 21, 66, 100, 365)] == [25, 75, 250, 400, 1500]


def test_balanced_day_needs_both_categories() -> None:
    assert balance.is_balanced({"results", "relationships"})
    assert not balance.is_balanced({"results"})
    assert balance.meter(results=0, relationships=0) == (0, 0, None)
    assert balance.meter(results=3, relationships=1) == (3, 1, 0.25)


@pytest.mark.parametrize(
    ("xp", "level"), [(0, 1), (49, 1), (50, 2), (149, 2), (150, 3), (500, 5), (2249, 9)]
)
def test_level_curve(xp: int, level: int) -> None:
    assert levels.level_for_xp(xp) == level


@given(st.integers(0, 10_000_000))
def test_level_is_the_highest_whose_threshold_is_reached(xp: int) -> None:
    level = levels.level_for_xp(xp)
    assert levels.xp_for_level(level) <= xp < levels.xp_for_level(level + 1)


def test_daily_strength_halves_in_about_two_weeks() -> None:
    decay = strength.decay_per_period(1, 1.0)
    assert strength.after_missed_periods(1.0, 13, decay) == pytest.approx(0.5)


def test_badges_are_earned_once_in_catalog_order() -> None:
    defs = [
        BadgeDefinition(slug="ten", title="Ten", description="", rule=TotalCheckins(count=10)),
        BadgeDefinition(slug="week", title="Week", description="", rule=StreakRule(days=7)),
    ]
    facts = Achievements(total_checkins=10, streak=7)
    assert [b.slug for b in badges.newly_earned(defs, facts, set())] == ["ten", "week"]
    assert [b.slug for b in badges.newly_earned(defs, facts, {"ten"})] == ["week"]
    assert badges.newly_earned(defs, Achievements(total_checkins=9, streak=6), set()) == []


def test_the_domain_and_the_contract_name_the_same_values() -> None:
    """The pure domain cannot import the contract, so it spells its closed sets itself;
    they must stay the contract's."""
    from typing import get_args

    from shared import schemas

    assert get_args(scoring.NoPointsReason) == get_args(schemas.NoPointsReason)
    assert set(scoring.NO_POINTS) == set(get_args(schemas.NoPointsReason))
    assert get_args(scoring.Difficulty) == get_args(schemas.Difficulty)
