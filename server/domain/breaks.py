"""Planned breaks: a habit (or all of a user's habits) paused from one day to another.

Documented with the streak rules in docs/gamification.md, "Planned breaks".

- **A break day counts as a skipped day** unless the habit was done that day: the streak
  neither grows nor breaks, due counts and strength leave it alone, no reminder rings.
  Done on a break day is still done (and paid, like any done day).
- **Only today and later.** A break starts today at the earliest (a missed day already
  past is skipped by a check-in within the backdating window, which re-prices what
  follows), at most ``MAX_AHEAD_DAYS`` ahead, and lasts at most ``MAX_DAYS`` days. Since
  a break never reaches a past day, creating one never changes a price already paid.
- **Ending** a break keeps the days already behind: it then ends yesterday (and one that
  has not begun yet disappears). Today and later ask for the habit again.

A break earns nothing and costs nothing, like a skip (which a player can already make
every day); it only spares a streak during a holiday. What would be abuse, a break laid
over days already missed to mend a broken streak, is what "only today and later" forbids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from server.domain.streaks import DayRecord

MAX_DAYS = 92
MAX_AHEAD_DAYS = 365
MAX_PENDING = 50  # a user's breaks that have not ended yet


@dataclass(frozen=True)
class Span:
    starts_on: date
    ends_on: date


def problem(span: Span, today: date) -> tuple[str, str] | None:
    """Why a new break is refused (the field at fault, the reason), or None.

    >>> today = date(2026, 7, 1)
    >>> problem(Span(date(2026, 7, 1), date(2026, 7, 14)), today) is None
    True
    >>> problem(Span(date(2026, 6, 30), date(2026, 7, 14)), today)
    ('starts_on', 'a break starts today or later; skip a past day with a check-in instead')
    >>> problem(Span(date(2026, 7, 10), date(2026, 7, 9)), today)
    ('ends_on', 'a break ends on or after the day it starts')
    >>> problem(Span(date(2026, 7, 1), date(2026, 10, 1)), today)
    ('ends_on', 'a break lasts at most 92 days')
    """
    shaped = shape_problem(span)
    if shaped is not None:
        return shaped
    if span.starts_on < today:
        return "starts_on", "a break starts today or later; skip a past day with a check-in instead"
    if span.starts_on > today + timedelta(days=MAX_AHEAD_DAYS):
        return "starts_on", f"a break starts at most {MAX_AHEAD_DAYS} days ahead"
    return None


def shape_problem(span: Span) -> tuple[str, str] | None:
    """What is wrong with a break whatever the day (an imported one may be long past).

    >>> shape_problem(Span(date(2026, 7, 10), date(2026, 7, 9)))
    ('ends_on', 'a break ends on or after the day it starts')
    """
    if span.ends_on < span.starts_on:
        return "ends_on", "a break ends on or after the day it starts"
    if (span.ends_on - span.starts_on).days + 1 > MAX_DAYS:
        return "ends_on", f"a break lasts at most {MAX_DAYS} days"
    return None


def carried_problem(spans: Sequence[Span], today: date) -> str | None:
    """Why the breaks a moved account brings (an export) are refused, or None: each has
    the shape of a break, none starts more than ``MAX_AHEAD_DAYS`` ahead, and at most
    ``MAX_PENDING`` have not ended. (Past ones are history: a streak they kept stays kept.)

    >>> today = date(2026, 7, 1)
    >>> carried_problem([Span(date(2025, 1, 1), date(2025, 1, 9))], today) is None
    True
    >>> carried_problem([Span(date(2176, 1, 1), date(2176, 1, 9))], today)
    'a break starts at most 365 days ahead'
    """
    for span in spans:
        shaped = shape_problem(span)
        if shaped is not None:
            return shaped[1]
        if span.starts_on > today + timedelta(days=MAX_AHEAD_DAYS):
            return f"a break starts at most {MAX_AHEAD_DAYS} days ahead"
    if sum(1 for span in spans if span.ends_on >= today) > MAX_PENDING:
        return f"at most {MAX_PENDING} breaks not ended yet"
    return None


def ended(span: Span, today: date) -> Span | None:
    """What is left of a break ended today: the days already behind, or nothing.

    >>> ended(Span(date(2026, 7, 1), date(2026, 7, 14)), date(2026, 7, 5))
    Span(starts_on=datetime.date(2026, 7, 1), ends_on=datetime.date(2026, 7, 4))
    >>> ended(Span(date(2026, 7, 5), date(2026, 7, 14)), date(2026, 7, 5)) is None
    True
    >>> ended(Span(date(2026, 7, 1), date(2026, 7, 3)), date(2026, 7, 5))  # over already
    Span(starts_on=datetime.date(2026, 7, 1), ends_on=datetime.date(2026, 7, 3))
    """
    if span.starts_on >= today:
        return None
    return Span(span.starts_on, min(span.ends_on, today - timedelta(days=1)))


def days_off(spans: Iterable[Span], first: date, last: date) -> frozenset[date]:
    """The break days from ``first`` through ``last``.

    >>> sorted(d.day for d in days_off([Span(date(2026, 7, 3), date(2026, 7, 9))],
    ...                                date(2026, 7, 1), date(2026, 7, 5)))
    [3, 4, 5]
    """
    out: set[date] = set()
    for span in spans:
        day = max(span.starts_on, first)
        while day <= min(span.ends_on, last):
            out.add(day)
            day += timedelta(days=1)
    return frozenset(out)


def with_days_off(records: Iterable[DayRecord], off: frozenset[date]) -> list[DayRecord]:
    """A habit's day records with its break days read as skipped unless done.

    >>> done = DayRecord(day=date(2026, 7, 3), done=True)
    >>> partial = DayRecord(day=date(2026, 7, 4))
    >>> off = days_off([Span(date(2026, 7, 3), date(2026, 7, 5))], date(2026, 7, 1),
    ...                date(2026, 7, 5))
    >>> [(r.day.day, r.done, r.skipped) for r in with_days_off([done, partial], off)]
    [(3, True, False), (4, False, True), (5, False, True)]
    """
    out = {}
    for record in records:
        if record.day in off and not record.done:
            record = DayRecord(day=record.day, done=False, skipped=True, on_break=True)
        out[record.day] = record
    for day in off - out.keys():
        out[day] = DayRecord(day=day, done=False, skipped=True, on_break=True)
    return [out[day] for day in sorted(out)]
