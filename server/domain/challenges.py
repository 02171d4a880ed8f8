"""Challenges and peer confirmations: status from dates, what counts, what they pay.

- A challenge is **upcoming** before ``starts_on``, **active** from ``starts_on`` to
  ``ends_on`` inclusive, **ended** after (no scheduled job: computed from the dates).
- A done day counts towards a challenge when its habit matches the goal (the goal's
  category, or the catalog template the habit was adopted from) and the day lies inside
  the challenge's dates.
- Reaching the target pays the reward once. An undo that drops progress below the target
  takes the reward back; reaching it again pays it again, so it is paid at most once net.
- A custom challenge pays ``10 x target`` points, at most 500; templates carry their own
  curated reward.
- A witnessed check-in: a relationships habit may name a teammate who confirms it within
  72 hours. A confirmation pays the person who did the habit 5 points and the witness 2.
  Each person may ask for at most 5 confirmations and give at most 5 a day.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

Status = Literal["upcoming", "active", "ended"]

CONFIRMATION_TTL = timedelta(hours=72)
CONFIRMATIONS_PER_DAY = 5
CONFIRMED_BONUS = 5
WITNESS_BONUS = 2
MAX_CHALLENGE_DAYS = 92
CUSTOM_REWARD_PER_TARGET = 10
MAX_REWARD = 500


def status(starts_on: date, ends_on: date, today: date) -> Status:
    """Where a challenge stands on ``today``.

    >>> status(date(2026, 3, 9), date(2026, 3, 15), date(2026, 3, 15))
    'active'
    """
    if today < starts_on:
        return "upcoming"
    return "active" if today <= ends_on else "ended"


def counts_towards(
    goal_category: str | None,
    goal_template: str | None,
    habit_category: str,
    habit_template: str | None,
) -> bool:
    if goal_template is not None:
        return habit_template == goal_template
    return goal_category is None or goal_category == habit_category


def custom_reward(target: int) -> int:
    """Points a custom challenge pays.

    >>> custom_reward(5), custom_reward(80)
    (50, 500)
    """
    return min(CUSTOM_REWARD_PER_TARGET * target, MAX_REWARD)


def crossing(before: int, after: int, target: int) -> int:
    """+1 when progress reaches the target, -1 when it falls back below it, else 0."""
    if before < target <= after:
        return 1
    if after < target <= before:
        return -1
    return 0
