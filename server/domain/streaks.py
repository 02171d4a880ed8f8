"""Streaks that respect schedules, kept incrementally and equal to a recomputation.

A streak counts consecutive *complete periods* (see ``schedule``): days for daily and
weekday habits, weeks for "N times a week", N-day blocks for "every N days".

- A period is **complete** when its done days reach the cadence's requirement: +1.
- It is **kept** when done + skipped days reach it: the streak neither grows nor breaks.
- It is **missed** otherwise: a held streak freeze is used automatically and the streak
  survives; with no freeze left the streak drops to 0.
- The period containing today is **open**: it adds to the streak once complete, and never
  breaks it while the day is still running.
- Freezes are earned, never bought: one each time the streak reaches a multiple of 7
  periods, at most 2 held at a time.

The stored ``Progress`` is the fold of every period that can no longer change (older than
the backdating window). Reading a streak folds the few recent periods on top of it, so a
check-in costs O(window), whatever the length of the history, and ``recompute`` (the fold
of the whole history from scratch) always gives the same answer — a property the tests
check with hypothesis, undo included.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import msgspec

from server.domain import strength
from server.domain.schedule import Cadence

FREEZE_EVERY = 7
MAX_FREEZES = 2


class DayRecord(msgspec.Struct, frozen=True, kw_only=True):
    """What one day of a habit amounts to: done (target reached) and/or skipped."""

    day: date
    done: bool = False
    skipped: bool = False
    on_break: bool = False  # a planned break's day, not done (read as skipped)


def is_due(cad: Cadence, records: Iterable[DayRecord], day: date) -> bool:
    """Does ``day`` ask for this habit? A due day whose period's target is not met yet (a
    period completed on ``day`` itself still counts it as due, and done), and not a day
    of a planned break.

    >>> from server.domain.schedule import TimesPerWeek, cadence
    >>> twice = cadence(TimesPerWeek(times=2), date(2026, 3, 2))
    >>> done = [DayRecord(day=date(2026, 3, d), done=True) for d in (2, 3)]
    >>> is_due(twice, done[:1], date(2026, 3, 4)), is_due(twice, done, date(2026, 3, 4))
    (True, False)
    >>> is_due(twice, done, date(2026, 3, 3))
    True
    """
    period = cad.period_of(day)
    if period is None:
        return False
    if any(r.day == day and r.on_break for r in records):
        return False  # a planned break asks for nothing (domain/breaks.py)
    in_period = [r for r in records if cad.period_of(r.day) == period]
    done = sum(1 for r in in_period if r.done)
    return done < cad.required or any(r.day == day and r.done for r in in_period)


class PeriodTally(msgspec.Struct, frozen=True, kw_only=True):
    period: date
    done: int = 0
    skipped: int = 0


class Progress(msgspec.Struct, frozen=True, kw_only=True):
    """Streak and strength state after folding every period up to ``folded_through``."""

    folded_through: date | None = None
    current: int = 0
    best: int = 0
    freezes: int = 0
    freezes_used: int = 0
    strength: float = 0.0


EMPTY = Progress()


def tally(cadence: Cadence, days: Iterable[DayRecord]) -> list[PeriodTally]:
    """Group day records into period tallies, oldest first. Non-due days do not count."""
    done: dict[date, int] = {}
    skipped: dict[date, int] = {}
    for record in days:
        period = cadence.period_of(record.day)
        if period is None:
            continue
        done.setdefault(period, 0)
        skipped.setdefault(period, 0)
        if record.done:
            done[period] += 1
        elif record.skipped:
            skipped[period] += 1
    return [PeriodTally(period=p, done=done[p], skipped=skipped[p]) for p in sorted(done)]


def _complete(state: Progress, period: date, decay: float) -> Progress:
    current = state.current + 1
    earned = current % FREEZE_EVERY == 0 and state.freezes < MAX_FREEZES
    return msgspec.structs.replace(
        state,
        folded_through=period,
        current=current,
        best=max(state.best, current),
        freezes=state.freezes + (1 if earned else 0),
        strength=strength.after_period(state.strength, 1.0, decay),
    )


def _missed(state: Progress, periods: int, result: float, decay: float) -> Progress:
    """``periods`` missed periods, the last of which had ``result`` (0 for empty ones)."""
    used = min(periods, state.freezes) if state.current > 0 else 0
    score = strength.after_missed_periods(state.strength, periods - 1, decay)
    score = strength.after_period(score, result, decay)
    return msgspec.structs.replace(
        state,
        current=state.current if used == periods else 0,
        freezes=state.freezes - used,
        freezes_used=state.freezes_used + used,
        strength=score,
    )


def _close(state: Progress, cadence: Cadence, item: PeriodTally, decay: float) -> Progress:
    """Fold one closed period with activity, after the empty periods before it."""
    if state.folded_through is not None:
        gap = cadence.periods_between(state.folded_through, item.period)
        if gap > 0:
            state = _missed(state, gap, 0.0, decay)
    if item.done >= cadence.required:
        return _complete(state, item.period, decay)
    if item.done + item.skipped >= cadence.required:
        return msgspec.structs.replace(state, folded_through=item.period)
    state = _missed(state, 1, item.done / cadence.required, decay)
    return msgspec.structs.replace(state, folded_through=item.period)


def _boundary(cadence: Cadence, day: date) -> date:
    """Periods that start before this day are closed on ``day``."""
    period = cadence.period_of(day)
    return day if period is None else period


def _decay(cadence: Cadence) -> float:
    return strength.decay_per_period(cadence.required, cadence.days_per_period)


def settle(
    state: Progress, cadence: Cadence, tallies: Iterable[PeriodTally], before: date
) -> Progress:
    """Fold into ``state`` every tally of a period that is closed on day ``before``.

    Called with the first day of the backdating window: those periods can no longer change.
    """
    boundary = _boundary(cadence, before)
    decay = _decay(cadence)
    for item in tallies:
        if item.period >= boundary:
            break
        if state.folded_through is not None and item.period <= state.folded_through:
            continue
        state = _close(state, cadence, item, decay)
    return state


def evaluate(
    state: Progress, cadence: Cadence, tallies: Iterable[PeriodTally], today: date
) -> Progress:
    """The streak and strength as of ``today``, given the tallies not yet in ``state``.

    Closed periods are folded; empty due periods up to today count as missed; today's
    open period counts only once complete. The result is for display, not for storing.
    """
    boundary = _boundary(cadence, today)
    decay = _decay(cadence)
    open_item: PeriodTally | None = None
    for item in tallies:
        if state.folded_through is not None and item.period <= state.folded_through:
            continue
        if item.period >= boundary:
            if item.period == boundary:
                open_item = item
            break
        state = _close(state, cadence, item, decay)
    if state.folded_through is not None:
        # With a non-due today, ``boundary`` is today and every due period before it is closed.
        gap = cadence.periods_between(state.folded_through, boundary)
        if gap > 0:
            state = _missed(state, gap, 0.0, decay)
    if open_item is not None and open_item.done >= cadence.required:
        state = _complete(state, open_item.period, decay)
    return state


def recompute(cadence: Cadence, days: Iterable[DayRecord], today: date) -> Progress:
    """The streak from scratch over the whole history: the reference ``evaluate`` matches."""
    return evaluate(EMPTY, cadence, tally(cadence, days), today)


def completion_rate(
    cadence: Cadence,
    done_days: Iterable[date],
    first: date,
    last: date,
    days_off: frozenset[date] = frozenset(),
) -> float:
    """Done due days over the done days the schedule asks for in ``first..last`` (max 1.0).
    Break days (``days_off``) ask for nothing.

    A daily habit done 21 of 28 days scores 0.75; "3 times a week" expects 12 in 28 days.
    With 7 of the 28 days on a break, 21 done days score 1.0.
    """
    span = (last - first).days + 1
    if span <= 0:
        return 0.0
    days = [first + timedelta(days=i) for i in range(span)]
    if cadence.due_weekdays is not None:
        expected = float(sum(1 for d in days if cadence.is_due_weekday(d) and d not in days_off))
    else:
        asked = sum(1 for d in days if d not in days_off)
        expected = asked * cadence.required / cadence.period_days
    done = sum(1 for d in set(done_days) if first <= d <= last and cadence.is_due_weekday(d))
    return round(min(1.0, done / expected), 4) if expected > 0 else 0.0
