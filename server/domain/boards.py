"""Leaderboards: which period a point belongs to on a board, and competition ranks.

A team board has three periods in the *team's* time zone: the calendar week (Monday to
Sunday), the calendar month, and all time (since the member joined). A point counts in the
period of the instant it was earned, seen from the team's zone; an undo takes it back from
that same period. Ranks are competition ranks: ties share a rank and the next rank skips
(100, 80, 80, 50 -> 1, 2, 2, 4).
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

from server.domain.calendar import local_day, month_start, week_start

Period = Literal["week", "month", "all"]
PERIODS: tuple[Period, ...] = ("week", "month", "all")


def period_key(period: Period, day: date) -> str:
    """The board period ``day`` falls in.

    >>> period_key("week", date(2026, 3, 11)), period_key("month", date(2026, 3, 11))
    ('week:2026-03-09', 'month:2026-03-01')
    """
    if period == "week":
        return f"week:{week_start(day).isoformat()}"
    if period == "month":
        return f"month:{month_start(day).isoformat()}"
    return "all"


def period_keys_at(instant: datetime, tz: str) -> list[str]:
    """Every team-board period a point earned at ``instant`` counts in."""
    day = local_day(instant, tz)
    return [period_key(p, day) for p in PERIODS]


def period_bounds(period: Period, day: date) -> tuple[date | None, date | None]:
    """First and last day of the period containing ``day`` (None for all time)."""
    if period == "week":
        start = week_start(day)
        return start, date.fromordinal(start.toordinal() + 6)
    if period == "month":
        last = _calendar.monthrange(day.year, day.month)[1]
        return month_start(day), day.replace(day=last)
    return None, None


def competition_ranks(points: Sequence[int], *, before: int, first_rank: int) -> list[int]:
    """Ranks for one page of a board, points sorted high to low.

    ``before`` is how many entries precede the page on the whole board; ``first_rank`` is
    1 + the number of entries with more points than the page's first one (they differ when
    the page starts inside a tie).

    >>> competition_ranks([100, 80, 80, 50], before=0, first_rank=1)
    [1, 2, 2, 4]
    >>> competition_ranks([80, 50], before=3, first_rank=2)  # board 100, 80, 80, 80, 50
    [2, 5]
    """
    ranks: list[int] = []
    for i, value in enumerate(points):
        if i == 0:
            ranks.append(first_rank)
        elif value == points[i - 1]:
            ranks.append(ranks[-1])
        else:
            ranks.append(before + i + 1)
    return ranks
