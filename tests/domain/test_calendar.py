from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.calendar import UnknownTimeZone, local_day, week_start, zone

ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",  # 30-minute DST shift
    "Asia/Kathmandu",  # +05:45, no DST
    "Pacific/Chatham",  # +12:45 / +13:45
    "Pacific/Apia",  # skipped 2011-12-30 entirely
]


def test_early_morning_counts_for_yesterday_when_day_starts_at_four() -> None:
    # 01:30 in Berlin on 10 March is still 9 March when the day starts at 04:00.
    instant = datetime(2026, 3, 10, 0, 30, tzinfo=UTC)
    assert local_day(instant, "Europe/Berlin", 4) == date(2026, 3, 9)
    assert local_day(instant, "Europe/Berlin", 0) == date(2026, 3, 10)


def test_same_instant_is_different_days_in_different_zones() -> None:
    instant = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    assert local_day(instant, "UTC") == date(2026, 3, 10)
    assert local_day(instant, "Asia/Tokyo") == date(2026, 3, 11)
    assert local_day(instant, "America/Los_Angeles") == date(2026, 3, 10)


def test_spring_forward_day_still_exists_with_day_start_in_the_gap() -> None:
    # US clocks jump 02:00 -> 03:00 on 2026-03-08; a day starting at 02:00 still exists.
    before = datetime(2026, 3, 8, 6, 59, tzinfo=UTC)  # 01:59 EST
    after = datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 03:00 EDT
    assert local_day(before, "America/New_York", 2) == date(2026, 3, 7)
    assert local_day(after, "America/New_York", 2) == date(2026, 3, 8)


def test_fall_back_hour_is_not_a_new_day() -> None:
    # Berlin repeats 02:00-03:00 on 2026-10-25; both passes are the same day.
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    assert local_day(first, "Europe/Berlin", 0) == local_day(second, "Europe/Berlin", 0)


def test_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        local_day(datetime(2026, 1, 1), "UTC")


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "/UTC", " UTC"])
def test_unknown_zone_names_are_refused(name: str) -> None:
    with pytest.raises(UnknownTimeZone):
        zone(name)


def test_week_starts_on_monday() -> None:
    assert week_start(date(2026, 3, 11)) == date(2026, 3, 9)
    assert week_start(date(2026, 3, 9)) == date(2026, 3, 9)
    assert week_start(date(2026, 3, 15)) == date(2026, 3, 9)


instants = st.datetimes(
    min_value=datetime(2010, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(instant=instants, tz=st.sampled_from(ZONES), hour=st.integers(0, 23))
def test_local_days_never_skip_or_repeat(instant: datetime, tz: str, hour: int) -> None:
    """Walking forward in 15-minute steps across a day, the local day moves by 0 or 1."""
    days = [local_day(instant + timedelta(minutes=15 * i), tz, hour) for i in range(4 * 26)]
    steps = {(b - a).days for a, b in itertools.pairwise(days)}
    assert steps <= {0, 1}
    assert (days[-1] - days[0]).days in (1, 2)


@settings(max_examples=200, deadline=None)
@given(instant=instants, tz=st.sampled_from(ZONES), hour=st.integers(0, 23))
def test_day_start_hour_shifts_the_wall_clock(instant: datetime, tz: str, hour: int) -> None:
    local = instant.astimezone(zone(tz))
    if local.fold:
        return  # the repeated hour: see test_a_day_never_starts_twice_when_clocks_go_back
    wall = local.replace(tzinfo=None)
    assert local_day(instant, tz, hour) == (wall - timedelta(hours=hour)).date()


def test_a_day_never_starts_twice_when_clocks_go_back() -> None:
    # Chatham went from 03:45 back to 02:45 on 2016-04-03. With the day starting at 03:00,
    # 03:30 (first pass) is already the 3rd; 02:50 (second pass) must not be the 2nd again.
    first_pass = datetime(2016, 4, 2, 13, 45, tzinfo=UTC)  # 03:30 +13:45
    second_pass = datetime(2016, 4, 2, 14, 0, tzinfo=UTC)  # 02:45 +12:45, the second pass
    assert local_day(first_pass, "Pacific/Chatham", 3) == date(2016, 4, 3)
    assert local_day(second_pass, "Pacific/Chatham", 3) == date(2016, 4, 3)
    before_start = datetime(2016, 4, 2, 13, 0, tzinfo=UTC)  # 02:45 +13:45, the first pass
    assert local_day(before_start, "Pacific/Chatham", 3) == date(2016, 4, 2)


@settings(max_examples=50, deadline=None)
@given(tz=st.sampled_from(ZONES), hour=st.integers(0, 23), year=st.integers(2011, 2034))
def test_every_date_of_a_year_is_some_instant_s_day(tz: str, hour: int, year: int) -> None:
    start = datetime(year, 1, 1, tzinfo=UTC)
    seen = {local_day(start + timedelta(minutes=30 * i), tz, hour) for i in range(2 * 24 * 366)}
    first, last = min(seen), max(seen)
    if tz == "Pacific/Apia" and year == 2011:
        # Samoa skipped 30 December 2011 by law: the only day that truly does not exist.
        seen.add(date(2011, 12, 30))
    assert len(seen) == (last - first).days + 1
