"""Points: what a check-in earns, and why. Integer arithmetic only, no randomness.

- **Base** by difficulty: trivial 2, easy 5, medium 10, hard 20.
- **Streak multiplier**: +10 % per period of the current streak, capped at +100 % (x2.0)
  from a streak of 10. Rounded down: ``base * (100 + 10 * min(streak, 10)) // 100``.
- **Milestone bonus** when a check-in carries the streak to 7, 21, 66, 100 or 365 periods.
- **Balance bonus**: +10 once for a day on which check-ins of a results habit and of a
  relationships habit both pay. It belongs to the day, not to one check-in: undoing a
  check-in takes it back only when the day is no longer balanced.
- Points come only when a day becomes *done* (a count habit reaches its target) and the
  schedule asks for it (``earnings``); a skip, a partial count, a second count after the
  target, a day not due or beyond the period's quota earn nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Literal, TypeVar

import msgspec

from server.domain import streaks
from server.domain.schedule import Cadence

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


# -- what a done day may earn ---------------------------------------------------------------

NoPointsReason = Literal["skipped", "target_not_reached", "already_done", "not_due", "quota_met"]
NOT_DUE: NoPointsReason = "not_due"
QUOTA_MET: NoPointsReason = "quota_met"

# Why a check-in earned no check-in points, as a client can show it (``NoPoints``).
NO_POINTS: dict[NoPointsReason, str] = {
    "skipped": "a skip keeps your streak but earns no points",
    "target_not_reached": "recorded; points come when the day reaches its target",
    "already_done": "recorded; this day was already done and paid",
    NOT_DUE: "recorded; this habit is not due that day, so it earns no points",
    QUOTA_MET: "recorded; this period's check-ins already earned what the schedule asks",
}


class DayEarning(msgspec.Struct, frozen=True, kw_only=True):
    """What one done day of a habit earns: its check-in points and the milestones it crossed.

    ``why`` is None when the day pays, else why it pays nothing (``not_due``, ``quota_met``).
    """

    day: date
    points: int = 0
    milestones: tuple[int, ...] = ()
    why: str | None = None


# A habit's past difficulties: ``(until, difficulty)`` pairs, oldest first; days before
# ``until`` were priced by ``difficulty`` (days after the last pair by the current one).
DifficultyLog = tuple[tuple[date, str], ...]


def difficulty_on(day: date, current: str, log: DifficultyLog) -> str:
    """The difficulty that prices ``day``.

    >>> log = ((date(2026, 3, 10), "easy"),)
    >>> difficulty_on(date(2026, 3, 9), "hard", log), difficulty_on(date(2026, 3, 10), "hard", log)
    ('easy', 'hard')
    """
    for until, difficulty in log:
        if day < until:
            return difficulty
    return current


D = TypeVar("D", bound=str)


def change_difficulty(
    today: date, new: D, current: D, log: DifficultyLog, *, keep_from: date
) -> tuple[D, DifficultyLog]:
    """The current difficulty and log after asking for ``new`` on ``today``: it prices days
    from tomorrow on, so no day already checked in (or still open today) changes price.
    ``keep_from`` is the first day that can still be checked in; older pairs are dropped.

    >>> today = date(2026, 3, 9)
    >>> change_difficulty(today, "hard", "easy", (), keep_from=date(2026, 3, 8))
    ('hard', ((datetime.date(2026, 3, 10), 'easy'),))

    Changing again the same day keeps what today is priced by:

    >>> change_difficulty(today, "medium", "hard", ((date(2026, 3, 10), "easy"),),
    ...                   keep_from=date(2026, 3, 8))
    ('medium', ((datetime.date(2026, 3, 10), 'easy'),))
    """
    if new == current:
        return current, log
    tomorrow = today + timedelta(days=1)
    kept = tuple((until, d) for until, d in log if until > keep_from)
    if not kept or kept[-1][0] != tomorrow:
        kept += ((tomorrow, current),)
    return new, kept


def earnings(
    state: streaks.Progress,
    cadence: Cadence,
    records: Iterable[streaks.DayRecord],
    *,
    first: date,
    difficulty: Callable[[date], str],
    priced_from: date | None = None,
) -> list[DayEarning]:
    """What each done day from ``first`` on earns, given the streak state folded before
    ``records`` (the habit's days not folded into ``state``, oldest first).

    A done day pays only when the schedule asks for it: a due day, and one of the first
    ``required`` done days of its period. Its points use the streak it stands on *as of that
    day* (later days never change an earlier day's price), and it pays the milestones that
    streak crosses. The same records always give the same earnings, whatever order the
    check-ins were made in.

    >>> from server.domain.schedule import TimesPerWeek, cadence
    >>> week = cadence(TimesPerWeek(times=2), date(2026, 3, 2))
    >>> done = [streaks.DayRecord(day=date(2026, 3, d), done=True) for d in (2, 3, 4)]
    >>> [(e.day.day, e.points, e.why) for e in earnings(
    ...     streaks.EMPTY, week, done, first=date(2026, 3, 1), difficulty=lambda d: "medium")]
    [(2, 10, None), (3, 11, None), (4, 0, 'quota_met')]

    ``priced_from`` is the first day whose history this server can vouch for (after an
    import it could not verify): the streak that prices a day and crosses milestones counts
    no period before it, while the streak shown keeps the whole history.

    >>> from server.domain.schedule import Daily
    >>> daily = cadence(Daily(), date(2026, 3, 1))
    >>> month = [streaks.DayRecord(day=date(2026, 3, d), done=True) for d in range(1, 31)]
    >>> [(e.day.day, e.points, e.milestones) for e in earnings(streaks.EMPTY, daily, month,
    ...     first=date(2026, 3, 29), difficulty=lambda d: "easy", priced_from=date(2026, 3, 30))]
    [(29, 0, ()), (30, 5, ())]
    """
    out: list[DayEarning] = []
    pending: list[streaks.DayRecord] = []  # earlier records not folded into ``state`` yet
    for record in sorted(records, key=lambda r: r.day):
        state = streaks.settle(state, cadence, streaks.tally(cadence, pending), record.day)
        pending = [
            r
            for r in pending
            if (p := cadence.period_of(r.day)) is not None
            and (state.folded_through is None or p > state.folded_through)
        ]
        period = cadence.period_of(record.day)
        if record.done and record.day >= first:
            if period is None:
                out.append(DayEarning(day=record.day, why=NOT_DUE))
            elif sum(1 for r in pending if r.done and cadence.period_of(r.day) == period) >= (
                cadence.required
            ):
                out.append(DayEarning(day=record.day, why=QUOTA_MET))
            elif priced_from is not None and record.day < priced_from:
                out.append(DayEarning(day=record.day))  # history from elsewhere: no points
            else:
                before = streaks.evaluate(
                    state, cadence, streaks.tally(cadence, pending), record.day
                ).current
                after = streaks.evaluate(
                    state, cadence, streaks.tally(cadence, [*pending, record]), record.day
                ).current
                if priced_from is not None:
                    here = _periods_since(cadence, priced_from, period)
                    before, after = min(before, here - 1), min(after, here)
                out.append(
                    DayEarning(
                        day=record.day,
                        points=points_for_checkin(difficulty(record.day), after),
                        milestones=tuple(milestones_reached(before, after)),
                    )
                )
        if period is not None:
            pending.append(record)
    return out


def _periods_since(cadence: Cadence, first_day: date, period: date) -> int:
    """Periods from the one holding ``first_day`` to ``period``, both counted."""
    start = cadence.period_of(first_day)
    if start is None:  # a non-due day: count from the next due one
        start = next(
            p
            for i in range(1, 8)
            if (p := cadence.period_of(first_day + timedelta(days=i))) is not None
        )
    if period < start:
        return 0
    return 1 if period == start else cadence.periods_between(start, period) + 2
