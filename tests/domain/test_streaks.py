"""Streak rules by example, and the property that the incremental fold always equals a
recomputation from the whole history."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain import streaks
from server.domain.schedule import (
    Cadence,
    Daily,
    EveryNDays,
    Schedule,
    TimesPerWeek,
    Weekdays,
    cadence,
)
from server.domain.streaks import DayRecord, recompute

MON = date(2026, 3, 9)


def day(offset: int) -> date:
    return MON + timedelta(days=offset)


def done(*offsets: int) -> list[DayRecord]:
    return [DayRecord(day=day(o), done=True) for o in offsets]


DAILY = cadence(Daily(), MON)
WEEKDAYS = cadence(Weekdays(days=(1, 2, 3, 4, 5)), MON)


def test_daily_streak_counts_consecutive_days() -> None:
    assert recompute(DAILY, done(0, 1, 2), day(2)).current == 3


def test_today_still_open_does_not_break_the_streak() -> None:
    # Done Mon-Wed; on Thursday (not yet done) the streak is still 3.
    assert recompute(DAILY, done(0, 1, 2), day(3)).current == 3


def test_a_missed_day_breaks_the_streak_once_it_is_over() -> None:
    state = recompute(DAILY, done(0, 1, 2), day(4))
    assert (state.current, state.best) == (0, 3)


def test_weekday_habit_streak_survives_weekend() -> None:
    # Mon-Fri done, weekend not due, Monday done again: 6.
    assert recompute(WEEKDAYS, done(0, 1, 2, 3, 4, 7), day(7)).current == 6
    # On Sunday the Friday streak is intact.
    assert recompute(WEEKDAYS, done(0, 1, 2, 3, 4), day(6)).current == 5


def test_skip_keeps_the_streak_without_adding_to_it() -> None:
    records = [*done(0, 1), DayRecord(day=day(2), skipped=True), *done(3)]
    assert recompute(DAILY, records, day(3)).current == 3


def test_times_per_week_streak_counts_weeks() -> None:
    cad = cadence(TimesPerWeek(times=3), MON)
    records = done(0, 2, 4, 7, 8, 9)  # three in week 1, three in week 2
    assert recompute(cad, records, day(9)).current == 2
    # Week 3 with only two done days breaks it once the week is over.
    later = recompute(cad, [*records, *done(14, 15)], day(21))
    assert (later.current, later.best) == (0, 2)


def test_freeze_earned_at_seven_covers_one_missed_day() -> None:
    records = done(*range(7), *range(8, 10))  # day 7 missed
    state = recompute(DAILY, records, day(9))
    assert state.current == 9
    assert state.freezes_used == 1
    assert state.freezes == 0


def test_no_freeze_means_the_streak_breaks() -> None:
    state = recompute(DAILY, done(*range(6), *range(7, 9)), day(8))
    assert state.current == 2


def test_at_most_two_freezes_are_held() -> None:
    state = recompute(DAILY, done(*range(35)), day(34))
    assert state.current == 35
    assert state.freezes == streaks.MAX_FREEZES


def test_two_freezes_cover_two_missed_days_but_not_three() -> None:
    base = list(range(14))
    kept = recompute(DAILY, done(*base, 16), day(16))
    assert (kept.current, kept.freezes_used) == (15, 2)
    broken = recompute(DAILY, done(*base, 17), day(17))
    assert broken.current == 1


def test_one_missed_day_costs_little_strength() -> None:
    month = recompute(DAILY, done(*range(60)), day(59)).strength
    after_miss = recompute(DAILY, done(*range(60)), day(61)).strength
    assert month > 0.95
    assert month - after_miss < 0.06


def test_completion_rate_counts_due_days_only() -> None:
    rate = streaks.completion_rate(WEEKDAYS, [day(i) for i in (0, 1, 2, 5)], day(0), day(6))
    assert rate == 0.6  # 3 of 5 weekdays; Saturday does not count


# -- incremental == recomputation ---------------------------------------------------------

schedules: st.SearchStrategy[Schedule] = st.one_of(
    st.just(Daily()),
    st.sets(st.integers(1, 7), min_size=1).map(lambda s: Weekdays(days=tuple(sorted(s)))),
    st.integers(1, 7).map(lambda n: TimesPerWeek(times=n)),
    st.integers(2, 9).map(lambda n: EveryNDays(n=n)),
)

operations = st.lists(
    st.tuples(
        st.integers(0, 3),  # days the clock moves before the operation
        st.sampled_from(["done", "skip", "undo"]),
        st.integers(0, 2),  # how many days back (limited by the window)
    ),
    max_size=60,
)


def unsettled(cad: Cadence, state: streaks.Progress, history: dict[date, DayRecord]) -> list:
    first = (
        date.min
        if state.folded_through is None
        else cad.period_end(state.folded_through) + timedelta(days=1)
    )
    return streaks.tally(cad, [r for d, r in sorted(history.items()) if d >= first])


@settings(max_examples=400, deadline=None)
@given(
    schedule=schedules,
    anchor_offset=st.integers(0, 6),
    window=st.integers(0, 2),
    ops=operations,
)
def test_incremental_streak_always_equals_recomputation(
    schedule: Schedule, anchor_offset: int, window: int, ops: list[tuple[int, str, int]]
) -> None:
    cad = cadence(schedule, MON + timedelta(days=anchor_offset))
    today = MON
    state = streaks.EMPTY
    history: dict[date, DayRecord] = {}
    for advance, action, back in ops:
        today += timedelta(days=advance)
        target = today - timedelta(days=min(back, window))
        period = cad.period_of(target)
        if period is not None and state.folded_through and period <= state.folded_through:
            continue  # the service refuses this: the period is settled
        if action == "undo":
            history.pop(target, None)
        elif target not in history:
            history[target] = DayRecord(day=target, done=action == "done", skipped=action == "skip")
        state = streaks.settle(
            state, cad, unsettled(cad, state, history), today - timedelta(days=window)
        )
        incremental = streaks.evaluate(state, cad, unsettled(cad, state, history), today)
        assert incremental == recompute(cad, history.values(), today)
