"""Points: what a check-in earns, and why. Integer arithmetic only, no randomness.

- **Base** by difficulty: trivial 2, easy 5, medium 10, hard 20.
- **Streak multiplier**: +10 % per period of the current streak, capped at +100 % (x2.0)
  from a streak of 10. Rounded down: ``base * (100 + 10 * min(streak, 10)) // 100``.
- **Milestone bonus** when a check-in carries the streak to 7, 21, 66, 100 or 365 periods.
- **Balance bonus**: +10 once for a day with at least one results habit and one
  relationships habit done. It belongs to the day, not to one check-in: undoing a check-in
  takes it back only when the day is no longer balanced.
- Points come only when a day becomes *done* (a count habit reaches its target); a skip,
  a partial count or a second count after the target earn nothing.
"""

from __future__ import annotations

from typing import Literal

Difficulty = Literal["trivial", "easy", "medium", "hard"]

BASE_POINTS: dict[str, int] = {"trivial": 2, "easy": 5, "medium": 10, "hard": 20}
STREAK_STEP_PERCENT = 10
STREAK_CAP = 10
MILESTONE_BONUS: dict[int, int] = {7: 25, 21: 75, 66: 250, 100: 400, 365: 1500}
BALANCE_BONUS = 10


def streak_multiplier_percent(streak: int) -> int:
    """The multiplier in percent: 100 + 10 per streak period, at most 200.

    >>> streak_multiplier_percent(0), streak_multiplier_percent(3), streak_multiplier_percent(40)
    (100, 130, 200)
    """
    return 100 + STREAK_STEP_PERCENT * min(max(streak, 0), STREAK_CAP)


def points_for_checkin(difficulty: str, streak: int) -> int:
    """Points for a day done, with the streak it now stands on.

    >>> points_for_checkin("medium", 3)
    13
    >>> points_for_checkin("hard", 12)
    40
    """
    return BASE_POINTS[difficulty] * streak_multiplier_percent(streak) // 100


def milestones_reached(before: int, after: int) -> list[int]:
    """Milestones passed when the streak moves from ``before`` to ``after``.

    >>> milestones_reached(6, 7), milestones_reached(7, 8), milestones_reached(20, 66)
    ([7], [], [21, 66])
    """
    return [m for m in sorted(MILESTONE_BONUS) if before < m <= after]


def milestone_bonus(milestone: int) -> int:
    return MILESTONE_BONUS[milestone]
