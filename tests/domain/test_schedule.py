from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from server.domain.schedule import Daily, EveryNDays, TimesPerWeek, Weekdays, cadence

ANCHOR = date(2026, 3, 11)  # a Wednesday
MON, FRI, SAT, SUN = date(2026, 3, 9), date(2026, 3, 13), date(2026, 3, 14), date(2026, 3, 15)


def test_daily_habit_is_due_every_day_in_one_day_periods() -> None:
    cad = cadence(Daily(), ANCHOR)
    assert cad.period_of(SAT) == SAT
    assert cad.periods_between(MON, FRI) == 3


def test_weekday_habit_is_not_due_at_weekends() -> None:
    cad = cadence(Weekdays(days=(1, 2, 3, 4, 5)), ANCHOR)
    assert cad.period_of(FRI) == FRI
    assert cad.period_of(SAT) is None
    assert cad.period_of(SUN) is None
    # Friday -> next Monday: no due day in between.
    assert cad.periods_between(FRI, MON + timedelta(days=7)) == 0
    assert cad.periods_between(MON, FRI) == 3


def test_times_per_week_periods_are_iso_weeks() -> None:
    cad = cadence(TimesPerWeek(times=3), ANCHOR)
    assert cad.required == 3
    assert cad.period_of(SUN) == MON
    assert cad.period_of(MON + timedelta(days=7)) == MON + timedelta(days=7)
    assert cad.periods_between(MON, MON + timedelta(days=21)) == 2


def test_every_n_days_blocks_start_on_the_anchor_day() -> None:
    cad = cadence(EveryNDays(n=3), ANCHOR)
    assert cad.period_of(ANCHOR + timedelta(days=2)) == ANCHOR
    assert cad.period_of(ANCHOR + timedelta(days=3)) == ANCHOR + timedelta(days=3)
    assert cad.period_of(ANCHOR - timedelta(days=1)) == ANCHOR - timedelta(days=3)


weekday_sets = st.sets(st.integers(1, 7), min_size=1).map(lambda s: tuple(sorted(s)))
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@given(weekdays=weekday_sets, a=days, span=st.integers(0, 60))
def test_due_days_between_matches_counting_them_one_by_one(
    weekdays: tuple[int, ...], a: date, span: int
) -> None:
    cad = cadence(Weekdays(days=weekdays), ANCHOR)
    b = a + timedelta(days=span)
    expected = sum(1 for i in range(1, span) if (a + timedelta(days=i)).isoweekday() in weekdays)
    assert cad.periods_between(a, b) == expected


@given(n=st.integers(2, 30), day=days)
def test_a_day_lies_inside_its_period(n: int, day: date) -> None:
    cad = cadence(EveryNDays(n=n), ANCHOR)
    period = cad.period_of(day)
    assert period is not None
    assert period <= day <= cad.period_end(period)
