"""Challenges and peer confirmations: status from dates, what counts, what they pay.

- A challenge is **upcoming** before ``starts_on``, **active** from ``starts_on`` to
  ``ends_on`` inclusive, **ended** after (no scheduled job: computed from the dates).
- A done day counts towards a challenge when its habit matches the goal (the goal's
  category, or the catalog template the habit was adopted from) and the day lies inside
  the challenge's dates.
- Reaching the target pays the reward once. An undo that drops progress below the target
  takes the reward back; reaching it again pays it again, so it is paid at most once net.
- Only a catalog template pays a reward (its own, curated), once per challenge and person,
  and a person takes part in one challenge of a template at a time; a challenge described
  by its maker pays nothing (``reward``).
- A witnessed check-in: a relationships habit, or a results habit adopted from a catalog
  template with a natural witness (``witnessed`` in seed/habits.toml: "Deliver on a
  promise"), may name a teammate who confirms it within 72 hours. A confirmation pays the
  person who did the habit 5 points and the witness 2. Each person may ask for at most 5
  confirmations and give at most 5 a day.
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
# A challenge starts at most this many days ahead: planned, not parked at the end of time.
MAX_LEAD_DAYS = 365


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


def may_take_witness(category: str, template_witnessed: bool) -> bool:
    """Whether a check-in of a habit may name a witness: any relationships habit, and a
    habit adopted from a catalog template marked ``witnessed`` (a promise is kept *to*
    someone). A custom results habit has nobody to vouch for it.

    >>> may_take_witness("relationships", False), may_take_witness("results", True)
    (True, True)
    >>> may_take_witness("results", False)
    False
    """
    return category == "relationships" or template_witnessed


def reward(template_reward: int | None) -> int:
    """What reaching a challenge's target pays: a catalog template's curated reward, once
    per person and template for overlapping dates. A challenge described by its maker pays
    nothing, for everyone or for a team (bragging rights and badges): its maker, alone in a
    challenge or in a team of one, could otherwise mint points.

    >>> reward(100), reward(None)
    (100, 0)
    """
    return template_reward or 0


def crossing(before: int, after: int, target: int) -> int:
    """+1 when progress reaches the target, -1 when it falls back below it, else 0."""
    if before < target <= after:
        return 1
    if after < target <= before:
        return -1
    return 0
