"""When a habit's reminders ring: local times of the user's day, turned into instants.

A habit has up to 5 reminder times, ``"HH:MM"`` on a 24-hour clock in the user's own time
zone (documented with examples in docs/gamification.md, "Reminders").

- **Which calendar date.** A reminder belongs to the user's day, which starts at their
  day-start hour: with days starting at 04:00, a ``01:30`` reminder of Tuesday's day rings
  at 01:30 on Wednesday's calendar date (still Tuesday for the user).
- **Clock changes.** A time the clocks skip (02:30 on the spring-forward night in Berlin)
  rings once, at the same distance past the skipped hour's start as it was meant (03:30,
  summer time); a time the clocks repeat (02:30 on the fall-back night) rings once, at its
  first pass.
- **Quiet hours** (``start``-``end``, may span midnight) defer a reminder to their end.
- **Late.** A reminder whose moment passed more than 30 minutes ago (the server was down)
  is dropped, never sent at the wrong moment.

The pure rules here know nothing about habits being due or done; the caller says which
days ask for a reminder (``services/reminders.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from server.domain.calendar import zone

MAX_REMINDERS = 5
LATE_AFTER = timedelta(minutes=30)
_HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
HH_MM_PATTERN = _HH_MM.pattern


def parse_time(text: str) -> time:
    """``"HH:MM"`` (24 h) as a time; ValueError for anything else.

    >>> parse_time("08:30"), parse_time("23:59")
    (datetime.time(8, 30), datetime.time(23, 59))
    """
    if not _HH_MM.match(text):
        raise ValueError(f"{text!r} is not a time HH:MM")
    return time(int(text[:2]), int(text[3:]))


def normalised(times: Iterable[str]) -> list[str]:
    """Reminder times as stored: valid, each once, in order of the day.

    >>> normalised(["18:00", "08:30", "18:00"])
    ['08:30', '18:00']
    """
    kept = sorted({parse_time(t).strftime("%H:%M") for t in times})
    if len(kept) > MAX_REMINDERS:
        raise ValueError(f"at most {MAX_REMINDERS} reminder times")
    return kept


def _order_in_day(at: time, day_start_hour: int) -> timedelta:
    """How far into the user's day a clock time is (its day starts at day_start_hour)."""
    minutes = (at.hour - day_start_hour) % 24 * 60 + at.minute
    return timedelta(minutes=minutes)


def instant_of(day: date, at: time, timezone: str, day_start_hour: int = 0) -> datetime:
    """The UTC instant the reminder ``at`` of the user's day ``day`` rings.

    >>> berlin = "Europe/Berlin"
    >>> instant_of(date(2026, 3, 10), time(8, 30), berlin)
    datetime.datetime(2026, 3, 10, 7, 30, tzinfo=datetime.timezone.utc)
    >>> instant_of(date(2026, 3, 10), time(1, 30), berlin, 4)  # Tuesday's day, on Wednesday
    datetime.datetime(2026, 3, 11, 0, 30, tzinfo=datetime.timezone.utc)
    >>> instant_of(date(2026, 3, 29), time(2, 30), berlin)  # skipped: 03:30 summer time
    datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.timezone.utc)
    >>> instant_of(date(2026, 10, 25), time(2, 30), berlin)  # repeated: the first pass
    datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.timezone.utc)
    """
    calendar_day = day + timedelta(days=1) if at.hour < day_start_hour else day
    wall = datetime.combine(calendar_day, at, tzinfo=zone(timezone))  # fold=0: first pass
    # A skipped wall time reads with the offset from before the change: the same distance
    # past the change, on the new clock.
    return wall.astimezone(UTC)


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def contains(self, at: time) -> bool:
        """Whether a wall-clock time is quiet (``start`` inclusive, ``end`` exclusive).

        >>> night = QuietHours(time(22), time(7))
        >>> night.contains(time(23, 30)), night.contains(time(6, 59)), night.contains(time(7))
        (True, True, False)
        """
        if self.start <= self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end


def deferred(instant: datetime, timezone: str, quiet: QuietHours | None) -> datetime:
    """``instant``, or the end of the quiet hours it falls in (the user's wall clock).

    >>> night = QuietHours(time(22), time(7))
    >>> deferred(datetime(2026, 3, 10, 22, 30, tzinfo=UTC), "Europe/Berlin", night)
    datetime.datetime(2026, 3, 11, 6, 0, tzinfo=datetime.timezone.utc)
    >>> deferred(datetime(2026, 3, 10, 12, 0, tzinfo=UTC), "Europe/Berlin", night)
    datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.timezone.utc)
    """
    if quiet is None:
        return instant
    local = instant.astimezone(zone(timezone))
    if not quiet.contains(local.time().replace(tzinfo=None)):
        return instant
    end_day = local.date()
    if local.time().replace(tzinfo=None) >= quiet.end:
        end_day += timedelta(days=1)
    return datetime.combine(end_day, quiet.end, tzinfo=zone(timezone)).astimezone(UTC)


@dataclass(frozen=True)
class Ring:
    """One reminder of one habit on one of the user's days."""

    day: date
    local_time: str  # "HH:MM" as the user set it
    at: datetime  # UTC, after quiet hours


def rings(
    days: Iterable[date],
    times: Iterable[str],
    timezone: str,
    day_start_hour: int = 0,
    quiet: QuietHours | None = None,
) -> list[Ring]:
    """Every reminder of the given days, in order of the moment it rings.

    >>> [r.at.isoformat() for r in rings([date(2026, 3, 10)], ["18:00", "08:30"], "UTC")]
    ['2026-03-10T08:30:00+00:00', '2026-03-10T18:00:00+00:00']
    """
    out = []
    for day in days:
        for text in times:
            at = instant_of(day, parse_time(text), timezone, day_start_hour)
            out.append(Ring(day=day, local_time=text, at=deferred(at, timezone, quiet)))
    return sorted(out, key=lambda r: (r.at, r.local_time))


def is_late(ring_at: datetime, now: datetime) -> bool:
    """A reminder more than 30 minutes past its moment is dropped, not sent.

    >>> t = datetime(2026, 3, 10, 8, 30, tzinfo=UTC)
    >>> is_late(t, t + timedelta(minutes=30)), is_late(t, t + timedelta(minutes=31))
    (False, True)
    """
    return now - ring_at > LATE_AFTER
