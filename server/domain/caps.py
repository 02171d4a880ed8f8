"""Caps: how much of the game one account may claim, so that no number of API calls
turns into unbounded points (docs/gamification.md, "Fair play").

- at most 30 active (not archived) habits: the whole catalog and some of your own;
  creating or unarchiving one more is 409 ``limit-reached``, and an import brings the
  habits past the cap in archived;
- at most 5 challenges started by one user in any 7 days; one more is 409 ``limit-reached``;
- a habit's check-ins pay only what its schedule asks (``scoring.earnings``); the rest are
  recorded with ``points_awarded: 0`` and a reason.

With 30 habits, the most a day's check-ins can pay is 30 x 40 (hard, streak x2.0) = 1,200
points, plus the milestone and balance bonuses that real streaks earn.
"""

from __future__ import annotations

from datetime import timedelta

MAX_ACTIVE_HABITS = 30
CHALLENGES_STARTED = 5
CHALLENGES_STARTED_WINDOW = timedelta(days=7)


def may_add_habit(active: int) -> bool:
    """Room for one more active habit?

    >>> may_add_habit(29), may_add_habit(30)
    (True, False)
    """
    return active < MAX_ACTIVE_HABITS


def room_for_habits(active: int) -> int:
    """How many more active habits the account may have (an import brings the rest in
    archived, so no file gets past the cap).

    >>> room_for_habits(0), room_for_habits(28), room_for_habits(31)
    (30, 2, 0)
    """
    return max(0, MAX_ACTIVE_HABITS - active)


def may_start_challenge(started_in_window: int) -> bool:
    """May the user start one more challenge, having started this many in the window?

    >>> may_start_challenge(4), may_start_challenge(5)
    (True, False)
    """
    return started_in_window < CHALLENGES_STARTED
