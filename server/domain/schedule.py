"""Schedules: which days a habit is due and which period a day belongs to.

Every schedule is reduced to a ``Cadence``: fixed-length periods counted from an anchor
day, the number of done days a period needs, and (for weekday schedules) which days of the
week are due at all. Streaks and strength count periods, so a weekdays-only habit streaks
over due days and ignores weekends, and a "3 times a week" habit streaks in weeks.

| schedule            | period            | a period is complete with |
|---------------------|-------------------|---------------------------|
| daily               | one day           | 1 done day                |
| weekdays [1..7]     | one due day       | 1 done day                |
| times_per_week N    | ISO week (Mon-Sun)| N done days               |
| every_n_days N      | N-day block from the habit's anchor day | 1 done day  |
"""

from __future__ import annotations

from datetime import date, timedelta

import msgspec

# Any Monday works as the anchor of ISO weeks.
_A_MONDAY = date(2001, 1, 1)


class Daily(msgspec.Struct, frozen=True, kw_only=True, tag="daily", tag_field="type"):
    pass


class Weekdays(msgspec.Struct, frozen=True, kw_only=True, tag="weekdays", tag_field="type"):
    days: tuple[int, ...]  # ISO weekdays, 1 = Monday .. 7 = Sunday


class TimesPerWeek(
    msgspec.Struct, frozen=True, kw_only=True, tag="times_per_week", tag_field="type"
):
    times: int


class EveryNDays(msgspec.Struct, frozen=True, kw_only=True, tag="every_n_days", tag_field="type"):
    n: int


Schedule = Daily | Weekdays | TimesPerWeek | EveryNDays


class Cadence(msgspec.Struct, frozen=True, kw_only=True):
    """Period arithmetic for one habit. Periods are named by their first day."""

    period_days: int
    anchor: date
    required: int
    due_weekdays: frozenset[int] | None = None

    @property
    def days_per_period(self) -> float:
        """Average calendar days a period spans (7/k for a k-weekday schedule)."""
        if self.due_weekdays is not None:
            return 7 / len(self.due_weekdays)
        return float(self.period_days)

    def is_due_weekday(self, day: date) -> bool:
        return self.due_weekdays is None or day.isoweekday() in self.due_weekdays

    def period_of(self, day: date) -> date | None:
        """First day of the period ``day`` is in, or None when ``day`` is never due."""
        if not self.is_due_weekday(day):
            return None
        offset = (day - self.anchor).days
        return self.anchor + timedelta(days=offset - offset % self.period_days)

    def period_end(self, period: date) -> date:
        return period + timedelta(days=self.period_days - 1)

    def periods_between(self, earlier: date, later: date) -> int:
        """How many due periods lie strictly between two period starts.

        >>> Cadence(period_days=1, anchor=date(2001, 1, 1), required=1).periods_between(
        ...     date(2026, 1, 1), date(2026, 1, 4))
        2
        """
        if later <= earlier:
            return 0
        if self.due_weekdays is None:
            return (later - earlier).days // self.period_days - 1
        return self._due_days_in(earlier + timedelta(days=1), later - timedelta(days=1))

    def _due_days_in(self, first: date, last: date) -> int:
        assert self.due_weekdays is not None
        span = (last - first).days + 1
        if span <= 0:
            return 0
        full_weeks, rest = divmod(span, 7)
        count = full_weeks * len(self.due_weekdays)
        start = first.isoweekday()
        count += sum(1 for i in range(rest) if (start - 1 + i) % 7 + 1 in self.due_weekdays)
        return count


def cadence(schedule: Schedule, anchor: date) -> Cadence:
    """The cadence of ``schedule`` for a habit whose anchor day is ``anchor``.

    ``anchor`` only matters for every_n_days: its blocks start on the habit's anchor day.
    """
    match schedule:
        case Daily():
            return Cadence(period_days=1, anchor=_A_MONDAY, required=1)
        case Weekdays(days=days):
            return Cadence(
                period_days=1, anchor=_A_MONDAY, required=1, due_weekdays=frozenset(days)
            )
        case TimesPerWeek(times=times):
            return Cadence(period_days=7, anchor=_A_MONDAY, required=times)
        case EveryNDays(n=n):
            return Cadence(period_days=n, anchor=anchor, required=1)
    raise TypeError(f"unknown schedule {schedule!r}")  # pragma: no cover
