"""When reminders ring (``server/domain/reminders.py``): the user's zone and day start,
odd offsets, clock changes, quiet hours, lateness."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest

from server.domain.reminders import (
    MAX_REMINDERS,
    QuietHours,
    deferred,
    instant_of,
    is_late,
    normalised,
    rings,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("day", "at", "zone", "start", "expected"),
    [
        (date(2026, 3, 10), time(8, 0), "Asia/Kathmandu", 0, utc(2026, 3, 10, 2, 15)),  # +5:45
        # Lord Howe: +10:30 in winter, +11 in summer; its clocks move by half an hour.
        (date(2026, 7, 1), time(8, 0), "Australia/Lord_Howe", 0, utc(2026, 6, 30, 21, 30)),
        (date(2026, 4, 5), time(1, 45), "Australia/Lord_Howe", 0, utc(2026, 4, 4, 14, 45)),
        (date(2026, 10, 4), time(2, 15), "Australia/Lord_Howe", 0, utc(2026, 10, 3, 15, 45)),
        # Berlin's spring-forward night skips 02:00-03:00; its fall-back night repeats it.
        (date(2026, 3, 29), time(2, 30), "Europe/Berlin", 0, utc(2026, 3, 29, 1, 30)),
        (date(2026, 10, 25), time(2, 30), "Europe/Berlin", 0, utc(2026, 10, 25, 0, 30)),
        # With days starting at 04:00, 01:30 of Tuesday's day is on Wednesday's date.
        (date(2026, 3, 10), time(1, 30), "Europe/Berlin", 4, utc(2026, 3, 11, 0, 30)),
        (date(2026, 3, 10), time(4, 0), "Europe/Berlin", 4, utc(2026, 3, 10, 3, 0)),
        (date(2026, 3, 10), time(23, 59), "America/New_York", 0, utc(2026, 3, 11, 3, 59)),
    ],
)
def test_a_reminder_rings_at_its_local_time_on_the_users_day(
    day: date, at: time, zone: str, start: int, expected: datetime
) -> None:
    assert instant_of(day, at, zone, start) == expected


def test_a_clock_change_night_rings_each_reminder_once() -> None:
    """Every day of the two weeks around each of Berlin's 2026 changes rings 02:30 exactly
    once, and the moments are a day apart (23 or 25 hours across a change)."""
    for change in (date(2026, 3, 29), date(2026, 10, 25)):
        days = [change + timedelta(days=n) for n in range(-7, 8)]
        found = rings(days, ["02:30"], "Europe/Berlin")
        assert [r.day for r in found] == days
        gaps = {b.at - a.at for a, b in itertools.pairwise(found)}
        assert gaps <= {timedelta(hours=23), timedelta(hours=24), timedelta(hours=25)}


def test_quiet_hours_defer_a_reminder_to_their_end_across_midnight() -> None:
    night = QuietHours(time(22), time(7))
    found = rings([date(2026, 3, 10)], ["06:00", "12:00", "23:00"], "Europe/Berlin", 0, night)
    # 06:00 is quiet: 07:00; 23:00 is quiet: 07:00 the next morning, after the noon one.
    assert [(r.local_time, r.at) for r in found] == [
        ("06:00", utc(2026, 3, 10, 6, 0)),
        ("12:00", utc(2026, 3, 10, 11, 0)),
        ("23:00", utc(2026, 3, 11, 6, 0)),
    ]
    daytime = QuietHours(time(9), time(17))
    assert deferred(utc(2026, 3, 10, 12), "UTC", daytime) == utc(2026, 3, 10, 17)
    assert deferred(utc(2026, 3, 10, 17), "UTC", daytime) == utc(2026, 3, 10, 17)


def test_a_reminder_over_30_minutes_late_is_dropped() -> None:
    at = utc(2026, 3, 10, 8)
    assert not is_late(at, at + timedelta(minutes=29))
    assert is_late(at, at + timedelta(minutes=31))


def test_times_are_kept_once_in_order_and_at_most_five() -> None:
    assert normalised(["18:00", "08:30", "08:30", "00:00"]) == ["00:00", "08:30", "18:00"]
    with pytest.raises(ValueError, match="at most"):
        normalised([f"0{n}:00" for n in range(MAX_REMINDERS + 1)])
    for bad in ("24:00", "8:30", "08:60", "08:30:00", ""):
        with pytest.raises(ValueError, match="HH:MM"):
            normalised([bad])
