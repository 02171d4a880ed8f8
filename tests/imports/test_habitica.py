"""The Habitica ``userdata.json`` parser, alone: bytes in, ``ImportedHabit`` values out.

The fixture's instants were chosen around both 2026 Europe/Berlin clock changes (spring
forward on 2026-03-29 at 01:00 UTC, fall back on 2026-10-25 at 01:00 UTC); the expected
days below were worked out by hand, noted next to each entry.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.services.errors import Invalid
from server.services.imports import model
from server.services.imports.habitica import looks_like, parse
from server.services.imports.model import ImportedDay, ImportedHabit, Reader
from shared import schemas
from tests.imports.bounds import invalid_or_bounded

FIXTURE = Path(__file__).parent.parent / "fixtures" / "habitica" / "userdata.json"
TODAY = date(2026, 12, 1)
BERLIN = Reader(today=TODAY, timezone="Europe/Berlin", day_start_hour=4)
UTC0 = Reader(today=TODAY, timezone="UTC", day_start_hour=0)


def fixture() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FIXTURE.read_bytes())
    return document


def encode(document: object) -> bytes:
    return json.dumps(document).encode()


def done(*days: date) -> dict[date, ImportedDay]:
    return {day: ImportedDay() for day in days}


def by_title(habits: list[ImportedHabit]) -> dict[str, ImportedHabit]:
    return {habit.title: habit for habit in habits}


def daily(**fields: Any) -> dict[str, Any]:
    task: dict[str, Any] = {"type": "daily", "text": "Stretch", "history": []}
    task.update(fields)
    return task


def habit(**fields: Any) -> dict[str, Any]:
    task: dict[str, Any] = {"type": "habit", "text": "Say thanks", "up": True, "history": []}
    task.update(fields)
    return task


def export(dailys: list[Any] | None = None, habits: list[Any] | None = None) -> bytes:
    tasks: dict[str, Any] = {}
    if dailys is not None:
        tasks["dailys"] = dailys
    if habits is not None:
        tasks["habits"] = habits
    return encode({"auth": {}, "profile": {"name": "x"}, "tasks": tasks})


def refused(data: bytes, reader: Reader = BERLIN) -> str:
    with pytest.raises(Invalid) as caught:
        parse(data, reader)
    assert caught.value.field == "file"
    return caught.value.detail


# -- the fixture, day by day --------------------------------------------------------------


def test_fixture_for_berlin_with_days_starting_at_four() -> None:
    habits = parse(FIXTURE.read_bytes(), BERLIN)

    # Dailies first, then habits, each in the file's order; the "-" only habit, the to-do
    # and the reward are left out.
    assert [h.title for h in habits] == ["Morning pages ✍️", "Gym 🏋️", "Drink water 💧"]
    pages, gym, water = habits

    assert pages.schedule == schemas.Daily()
    assert (pages.kind, pages.target, pages.archived) == ("check", 1, False)
    assert pages.days == done(
        date(2026, 3, 26),  # 07:00Z = 08:00 CET
        date(2026, 3, 27),  # 03-28 01:30Z = 02:30 CET, before 04:00: the day before
        # 03-28 23:00Z is completed: false (an unchecked daily at the day change): no day
        date(2026, 3, 28),  # 03-29 01:30Z = 03:30 CEST (clocks just sprang forward)
        date(2026, 3, 29),  # 03-29 02:30Z = 04:30 CEST
    )  # and the 2025-06-01 entry without "completed" (a merged average) is left out
    # Reminders: the winter instant 06:30Z is 07:30 CET, the summer one 19:45Z 21:45 CEST.
    assert pages.reminders == ["07:30", "21:45"]

    assert gym.schedule == schemas.Weekdays(days=[1, 3, 5])
    assert gym.kind == "check"
    assert gym.days == done(
        date(2026, 10, 23),  # "1792771200000" (a numeric string) = 16:00Z
        date(2026, 10, 24),  # 10-25 00:30Z = 02:30 CEST and 01:30Z = 02:30 CET: one day
        date(2026, 10, 26),  # 03:30Z = 04:30 CET
        # 10-27 02:00Z is completed: false: no day
        date(2026, 11, 2),  # "2026-11-02T06:00:00.000Z", an ISO string
    )
    assert gym.reminders == []  # "sometime after work" is not an instant: skipped

    assert water.schedule == schemas.Daily()
    assert water.kind == "count"
    assert water.days == {
        date(2026, 3, 28): ImportedDay(value=5),  # 22:00Z (3) + 03-29 01:45Z = 03:45 (2)
        date(2026, 3, 30): ImportedDay(value=1),  # 1 up, 2 down: the downs are not kept
        # 04-02: 0 up, 1 down: no day; 2025-05-01 has no scoredUp (merged): no day
        date(2026, 10, 24): ImportedDay(value=4),  # 10-25 02:30Z = 03:30 CET
    }
    assert water.target == 4  # the median of 1, 4, 5


def test_fixture_for_utc_with_days_starting_at_midnight() -> None:
    pages, gym, water = parse(FIXTURE.read_bytes(), UTC0)

    assert pages.days == done(date(2026, 3, 26), date(2026, 3, 28), date(2026, 3, 29))
    assert pages.reminders == ["06:30", "19:45"]
    assert gym.days == done(
        date(2026, 10, 23), date(2026, 10, 25), date(2026, 10, 26), date(2026, 11, 2)
    )
    assert water.days == {
        date(2026, 3, 28): ImportedDay(value=3),
        date(2026, 3, 29): ImportedDay(value=2),
        date(2026, 3, 30): ImportedDay(value=1),
        date(2026, 10, 25): ImportedDay(value=4),
    }
    assert water.target == 3  # the median of 1, 2, 3, 4 (the upper one)


def test_the_repeated_hour_counts_on_the_first_pass_clock() -> None:
    # Days starting at 03:00 in Berlin: 10-25 00:30Z is 02:30 CEST (the first pass, still
    # 10-24); 01:30Z is 02:30 CET, which the calendar counts as 03:30: already 10-25.
    reader = Reader(today=TODAY, timezone="Europe/Berlin", day_start_hour=3)
    gym = by_title(parse(FIXTURE.read_bytes(), reader))["Gym 🏋️"]
    assert list(gym.days) == [
        date(2026, 10, 23),
        date(2026, 10, 24),
        date(2026, 10, 25),
        date(2026, 10, 26),
        date(2026, 11, 2),
    ]


def test_days_come_out_in_order_whatever_the_file_order() -> None:
    document = fixture()
    history = document["tasks"]["dailys"][1]["history"]
    history.reverse()
    gym = by_title(parse(encode(document), BERLIN))["Gym 🏋️"]
    assert list(gym.days) == sorted(gym.days)
    assert len(gym.days) == 4


def test_challenge_tasks_are_imported_and_notes_are_not() -> None:
    document = fixture()
    assert document["tasks"]["dailys"][1]["challenge"]["id"]  # Gym is a challenge's task
    habits = by_title(parse(encode(document), BERLIN))
    assert "Gym 🏋️" in habits
    assert all(day.note is None for h in habits.values() for day in h.days.values())


def test_what_is_left_out() -> None:
    titles = {h.title for h in parse(FIXTURE.read_bytes(), BERLIN)}
    assert titles.isdisjoint({"Doomscrolling 📱", "File taxes", "Episode of a show"})


def test_an_account_with_nothing_importable_is_told_so() -> None:
    document = fixture()
    del document["tasks"]["dailys"]
    document["tasks"]["habits"] = [t for t in document["tasks"]["habits"] if not t["up"]]
    detail = refused(encode(document))
    assert "no dailies and no habits with a + button" in detail
    assert "no dailies" in refused(encode({"tasks": {}}))


# -- schedules ----------------------------------------------------------------------------

EVERY_DAY = {"m": True, "t": True, "w": True, "th": True, "f": True, "s": True, "su": True}
NO_DAY = dict.fromkeys(EVERY_DAY, False)
TUE_SAT = {**NO_DAY, "t": True, "s": True}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"frequency": "daily", "everyX": 1}, schemas.Daily()),
        ({"frequency": "daily", "everyX": 3}, schemas.EveryNDays(n=3)),
        ({"frequency": "daily", "everyX": 3.0}, schemas.EveryNDays(n=3)),
        ({"frequency": "daily", "everyX": 365}, schemas.EveryNDays(n=365)),
        ({"frequency": "daily", "everyX": 9999}, schemas.EveryNDays(n=365)),
        ({"frequency": "daily", "everyX": 0}, schemas.TimesPerWeek(times=1)),
        ({"frequency": "weekly", "everyX": 1, "repeat": EVERY_DAY}, schemas.Daily()),
        ({"frequency": "weekly", "everyX": 1, "repeat": TUE_SAT}, schemas.Weekdays(days=[2, 6])),
        ({"frequency": "weekly", "everyX": 1, "repeat": NO_DAY}, schemas.TimesPerWeek(times=1)),
        ({"frequency": "weekly", "everyX": 0, "repeat": TUE_SAT}, schemas.TimesPerWeek(times=1)),
        # Every 2 weeks: 2 days in 14 is once a week; 1 day in 14 is every 14 days.
        ({"frequency": "weekly", "everyX": 2, "repeat": TUE_SAT}, schemas.TimesPerWeek(times=1)),
        (
            {"frequency": "weekly", "everyX": 2, "repeat": {**NO_DAY, "m": True}},
            schemas.EveryNDays(n=14),
        ),
        ({"frequency": "weekly", "everyX": 3, "repeat": EVERY_DAY}, schemas.TimesPerWeek(times=2)),
        ({"frequency": "weekly", "everyX": 100, "repeat": TUE_SAT}, schemas.EveryNDays(n=350)),
        # Habitica's defaults: weekly, every week, every day ticked.
        ({}, schemas.Daily()),
        ({"frequency": None, "everyX": None, "repeat": None}, schemas.Daily()),
        ({"repeat": {"m": False}}, schemas.Weekdays(days=[2, 3, 4, 5, 6, 7])),
        ({"frequency": "monthly", "everyX": 1, "daysOfMonth": [15]}, schemas.EveryNDays(n=30)),
        ({"frequency": "monthly", "everyX": 1, "daysOfMonth": [1, 15]}, schemas.EveryNDays(n=15)),
        (
            {"frequency": "monthly", "weeksOfMonth": [0, 2], "repeat": {**NO_DAY, "t": True}},
            schemas.EveryNDays(n=15),
        ),
        # 2 weeks of the month times 2 weekdays: 4 in 30 days, a little under once a week.
        (
            {"frequency": "monthly", "everyX": 1, "weeksOfMonth": [0, 2], "repeat": TUE_SAT},
            schemas.EveryNDays(n=8),
        ),
        (
            {"frequency": "monthly", "daysOfMonth": [1, 8, 15, 22, 29]},
            schemas.TimesPerWeek(times=1),
        ),
        ({"frequency": "monthly", "everyX": 3, "daysOfMonth": [1]}, schemas.EveryNDays(n=90)),
        ({"frequency": "monthly", "everyX": 1}, schemas.EveryNDays(n=30)),
        ({"frequency": "monthly", "everyX": 0}, schemas.TimesPerWeek(times=1)),
        ({"frequency": "yearly", "everyX": 1}, schemas.EveryNDays(n=365)),
        ({"frequency": "yearly", "everyX": 2}, schemas.EveryNDays(n=365)),
    ],
)
def test_daily_schedules(fields: dict[str, Any], expected: schemas.Schedule) -> None:
    (imported,) = parse(export(dailys=[daily(**fields)]), BERLIN)
    assert imported.schedule == expected
    assert imported.kind == "check"
    # The result is one the API itself would take.
    msgspec.convert(msgspec.to_builtins(imported.schedule), schemas.Schedule)


# -- habits -------------------------------------------------------------------------------


def test_a_habit_pressed_once_a_day_is_a_check_habit() -> None:
    history = [
        {"date": 1774864800000, "value": 1, "scoredUp": 1, "scoredDown": 0},
        {"date": 1775124000000, "value": 2, "scoredUp": 1.0, "scoredDown": 3},
    ]
    (imported,) = parse(export(habits=[habit(history=history)]), BERLIN)
    assert (imported.kind, imported.target) == ("check", 1)
    assert imported.schedule == schemas.Daily()
    assert imported.days == done(date(2026, 3, 30), date(2026, 4, 2))


@pytest.mark.parametrize(
    ("up", "down", "imported"),
    [(True, True, True), (True, False, True), (None, True, True), (False, True, False)],
)
def test_only_habits_with_a_plus_button(up: bool | None, down: bool, imported: bool) -> None:
    task = habit(up=up, down=down)
    if up is None:
        del task["up"]  # Habitica's default is a + button
    data = export(dailys=[daily()], habits=[task])
    assert len(parse(data, BERLIN)) == (2 if imported else 1)


def test_a_habit_with_neither_button_is_left_out() -> None:
    assert "no dailies" in refused(export(habits=[habit(up=False, down=False)]))


def test_entries_on_one_day_merge() -> None:
    # Two completed entries of a daily on one day: one done day. Two habit entries on one
    # day: their presses add up.
    dailys = [daily(history=[{"date": 1774864800000, "completed": True}] * 3)]
    habits = [habit(history=[{"date": 1774864800000, "scoredUp": 2}] * 3)]
    stretch, thanks = parse(export(dailys, habits), BERLIN)
    assert stretch.days == done(date(2026, 3, 30))
    assert thanks.days == {date(2026, 3, 30): ImportedDay(value=6)}
    assert (thanks.kind, thanks.target) == ("count", 6)


def test_a_count_target_stays_within_bounds() -> None:
    history = [{"date": 1774864800000, "scoredUp": 100_000}]
    (thanks,) = parse(export(habits=[habit(history=history)]), BERLIN)
    assert thanks.target == model.MAX_TARGET


def test_titles_are_cleaned() -> None:
    task = daily(text="  **Read**\n 20 pages\u202e 📚 ")
    (imported,) = parse(export(dailys=[task]), BERLIN)
    assert imported.title == "**Read** 20 pages 📚"
    assert refused(export(dailys=[daily(text=" \n ")])).endswith("a habit without a name")


# -- reminders ----------------------------------------------------------------------------


def test_reminders() -> None:
    reminders = [
        {"time": "2026-01-10T06:30:00.000Z"},
        {"time": "2026-01-11T06:30:00Z"},  # the same wall-clock time: once
        {"time": "2026-01-10T07:00:00"},  # no zone: skipped
        {"time": "0001-01-01T00:00:00+14:00"},  # out of range in Berlin: skipped
        {"time": 1774864800000},  # not a string: skipped
        {},
        {"time": "2026-07-01T05:00:00+00:00"},
        {"time": "2026-07-01T06:00:00+00:00"},
        {"time": "2026-07-01T07:00:00+00:00"},
        {"time": "2026-07-01T08:00:00+00:00"},
        {"time": "2026-07-01T09:00:00+00:00"},  # a sixth: past the five kept
    ]
    (imported,) = parse(export(dailys=[daily(reminders=reminders)]), BERLIN)
    assert imported.reminders == ["07:30", "07:00", "08:00", "09:00", "10:00"]
    (utc,) = parse(export(dailys=[daily(reminders=reminders[:1])]), UTC0)
    assert utc.reminders == ["06:30"]


@pytest.mark.parametrize("reminders", ["07:30", [["07:30"]], ["07:30"], 7])
def test_reminders_of_the_wrong_shape_are_refused(reminders: object) -> None:
    assert "reminders" in refused(export(dailys=[daily(reminders=reminders)]))


# -- refused files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "not JSON"),
        (b"Task Name,Task ID,Task Type,Date,Value\n", "not JSON"),
        (b"\xff\xfe{}", "not JSON"),
        (b'{"tasks": {"dailys": [{"text": "x", "value": NaN}]}}', "not JSON"),
        (b'{"tasks": {"dailys": [{"text": "x", "value": Infinity}]}}', "not JSON"),
        (b'{"tasks": {"dailys": [{"text": "x", "value": 1e400}]}}', "not JSON"),
        (b"[" * 10_000 + b"]" * 10_000, "nested too deeply"),
        (b'{"tasks": ' + b'{"a": ' * 10_000 + b"1" + b"}" * 10_001, "nested too deeply"),
        (b"[]", "not an object"),
        (b'"userdata"', "not an object"),
        (b"{}", 'no "tasks" object'),
        (b'{"format": "rapport/v1", "profile": {}, "habits": []}', 'no "tasks" object'),
        (b'{"auth": {}, "profile": {}, "stats": {}}', 'no "tasks" object'),
        (b'{"tasks": []}', 'no "tasks" object'),
        (b'{"tasks": null}', 'no "tasks" object'),
        (b'{"tasks": {"dailys": "Stretch"}}', "tasks.dailys: 'Stretch' is not a list"),
        (b'{"tasks": {"habits": {"0": {}}}}', "tasks.habits: "),
        (b'{"tasks": {"dailys": ["Stretch"]}}', "tasks.dailys[0]: 'Stretch' is not a task"),
        (b'{"tasks": {"dailys": [null]}}', "tasks.dailys[0]: None is not a task"),
        (b'{"tasks": {"dailys": [{}]}}', "tasks.dailys[0].text: None is not"),
        (b'{"tasks": {"dailys": [{"text": 7}]}}', "tasks.dailys[0].text: 7 is not"),
        (b'{"tasks": {"habits": [{"text": ["x"]}]}}', "tasks.habits[0].text"),
    ],
)
def test_refused_files(data: bytes, says: str) -> None:
    assert says in refused(data)


def test_a_byte_order_mark_is_fine() -> None:
    assert len(parse(b"\xef\xbb\xbf" + FIXTURE.read_bytes(), BERLIN)) == 3


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"frequency": "fortnightly"}, "frequency: 'fortnightly' is not one of daily"),
        ({"frequency": 1}, "frequency: 1 is not one of"),
        ({"everyX": 2.5}, "everyX: 2.5 is not a whole number from 0 to 9999"),
        ({"everyX": -1}, "everyX: -1 is not a whole number"),
        ({"everyX": 10_000}, "everyX: 10000 is not a whole number"),
        ({"everyX": 1e308}, "everyX: 1e+308 is not a whole number"),
        ({"everyX": 10**30}, "everyX: "),
        ({"everyX": True}, "everyX: True is not a whole number"),
        ({"everyX": "2"}, "everyX: '2' is not a whole number"),
        ({"repeat": "mwf"}, "repeat: 'mwf' is not an object of weekdays"),
        ({"repeat": {"m": "yes"}}, "repeat.m: 'yes' is not true or false"),
        ({"frequency": "monthly", "daysOfMonth": "15"}, "daysOfMonth: '15' is not a list"),
        ({"frequency": "monthly", "daysOfMonth": [32]}, "daysOfMonth[0]: 32 is not a whole"),
        ({"frequency": "monthly", "weeksOfMonth": [5]}, "weeksOfMonth[0]: 5 is not a whole"),
        ({"history": "none"}, "history: 'none' is not a list"),
        ({"history": [[1774864800000, True]]}, "history[0]: [1774864800000, True] is not an"),
        ({"history": [{"date": 1774864800000, "completed": "yes"}]}, "completed: 'yes' is not"),
        ({"history": [{"date": 1774864800000, "completed": 1}]}, "completed: 1 is not"),
    ],
)
def test_refused_dailies(fields: dict[str, Any], says: str) -> None:
    detail = refused(export(dailys=[daily(**fields)]))
    assert detail.startswith("tasks.dailys[0]")
    assert says in detail


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        ({"scoredUp": -1}, "scoredUp: -1 is not a whole number from 0 to 100000"),
        ({"scoredUp": 1.5}, "scoredUp: 1.5 is not a whole number"),
        ({"scoredUp": 100_001}, "scoredUp: 100001 is not a whole number"),
        ({"scoredUp": 1e308}, "scoredUp: 1e+308 is not a whole number"),
        ({"scoredUp": "3"}, "scoredUp: '3' is not a whole number"),
        ({"scoredUp": False}, "scoredUp: False is not a whole number"),
    ],
)
def test_refused_habits(entry: dict[str, Any], says: str) -> None:
    history = [{"date": 1774864800000, **entry}]
    detail = refused(export(habits=[habit(history=history)]))
    assert detail.startswith("tasks.habits[0] ('Say thanks').history[0]")
    assert says in detail


def test_a_habit_flag_of_the_wrong_type_is_refused() -> None:
    assert "tasks.habits[0].up: 'true' is not true or false" in refused(
        export(habits=[habit(up="true")])
    )


def test_presses_adding_up_past_the_bound_are_refused() -> None:
    history = [{"date": 1774864800000, "scoredUp": 60_000}] * 2
    assert "120000 is not a value from 0 to 100000" in refused(
        export(habits=[habit(history=history)])
    )


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("tomorrow", "'tomorrow' is not a time (epoch milliseconds or an ISO 8601 instant)"),
        ("", "'' is not a time"),
        ("NaN", "'NaN' is not a time"),
        ("2026-03-30T10:00:00", "has no time zone"),
        ("x" * 100, "is not a time"),
        (None, "None is not a time"),
        (True, "True is not a time"),
        ([1774864800000], "[1774864800000] is not a time"),
        ({"$date": 1774864800000}, "is not a time"),
        (-1774864800000, "-1774864800000 is outside 2000-01-01 to today (2026-12-01)"),
        (0, "0 is outside 2000-01-01"),
        ("-5", "'-5' is outside 2000-01-01"),
        (1e20, "1e+20 is outside"),
        (10**40, "is outside"),
        ("1e20", "'1e20' is outside"),
        ("0001-01-01T00:00:00+14:00", "is outside"),
        ("9999-12-31T23:59:59-14:00", "is outside"),
        (946_598_400_000, "1999-12-30 is outside"),  # 1999-12-31T00:00Z = 01:00 CET
        (1_796_187_600_000, "2026-12-02 is outside"),  # 2026-12-02T05:00Z: tomorrow
    ],
)
def test_refused_dates(raw: object, says: str) -> None:
    history = [{"date": raw, "completed": True}]
    detail = refused(export(dailys=[daily(history=history)]))
    assert detail.startswith("tasks.dailys[0] ('Stretch').history[0].date")
    assert says in detail


def test_dates_at_the_edges_of_the_history() -> None:
    history = [
        {"date": 946_688_400_000, "completed": True},  # 2000-01-01T01:00Z = 02:00 CET
        {"date": 946_695_600_000, "completed": True},  # 03:00Z = 04:00 CET: 2000-01-01
        {"date": "1796079600000", "completed": True},  # 2026-11-30T23:00Z = 12-01 00:00
    ]
    detail = refused(export(dailys=[daily(history=history)]))
    assert "1999-12-31 is outside" in detail  # 02:00 local is still the day before
    (imported,) = parse(export(dailys=[daily(history=history[1:])]), BERLIN)
    assert imported.days == done(date(2000, 1, 1), date(2026, 11, 30))


def test_entries_that_say_nothing_are_not_checked_for_more_than_their_date() -> None:
    # A merged average may carry any value; an unchecked daily's entry is no day.
    history = [
        {"date": 1774864800000, "value": "whatever", "isDue": "?"},
        {"date": 1774864800000, "completed": False},
        {"date": 1774864800000, "completed": None},
    ]
    (imported,) = parse(export(dailys=[daily(history=history)]), BERLIN)
    assert imported.days == {}


# -- bounds -------------------------------------------------------------------------------


def test_too_many_habits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "MAX_HABITS", 2)
    assert len(parse(export(dailys=[daily(), daily()]), BERLIN)) == 2
    assert "1 to 2 habits" in refused(export(dailys=[daily()] * 3))
    assert "1 to 2 habits" in refused(export(dailys=[daily()], habits=[habit()] * 2))
    # Habits that are left out do not count.
    assert len(parse(export(dailys=[daily()], habits=[habit(up=False)] * 5), BERLIN)) == 1


def test_too_many_days_or_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    days = [{"date": 1774864800000 + n * 86_400_000, "completed": True} for n in range(3)]
    monkeypatch.setattr(model, "MAX_DAYS_PER_HABIT", 2)
    assert "more history than one import takes" in refused(export([daily(history=days)]))
    monkeypatch.setattr(model, "MAX_DAYS_PER_HABIT", 20_000)
    monkeypatch.setattr(model, "MAX_ROWS", 5)
    assert len(parse(export([daily(history=days)] * 1), BERLIN)[0].days) == 3
    assert "more history than one import takes" in refused(export([daily(history=days)] * 2))


def test_too_many_entries_in_one_task(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "MAX_DAYS_PER_HABIT", 3)
    entries = [{"date": 1774864800000, "completed": False}] * 4
    assert "(3 entries a task)" in refused(export([daily(history=entries)]))


def test_progress_is_reported_through_the_tally(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    reader = Reader(today=TODAY, timezone="UTC", progress=seen.append)
    days = [{"date": 1_000_000_000_000 + n * 86_400_000, "completed": True} for n in range(5001)]
    parse(export([daily(history=days)]), reader)
    assert seen == [5000]


# -- detection ----------------------------------------------------------------------------


def test_looks_like() -> None:
    assert looks_like(fixture())
    assert looks_like({"tasks": {"todos": []}})
    assert looks_like({"tasks": {}, "stats": {"lvl": 3}})
    assert looks_like({"auth": {"local": {}}, "profile": {"name": "Ada"}})
    assert not looks_like({"format": "rapport/v1", "profile": {}, "habits": [], "ledger": []})
    assert not looks_like({"tasks": {"something": []}})
    assert not looks_like({"tasks": [], "profile": {}})
    assert not looks_like({"profile": "Ada"})
    assert not looks_like({})
    assert not looks_like([{"tasks": {"dailys": []}}])
    assert not looks_like(None)
    assert not looks_like("userdata.json")


# -- anything at all ----------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["2026-03-30T10:00:00Z", "1774864800000", "daily", "weekly", "monthly"]),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=25,
)
HABITICA_KEYS = st.sampled_from(
    [
        *("tasks", "dailys", "habits", "text", "history", "date", "completed", "scoredUp"),
        *("up", "frequency", "everyX", "repeat", "daysOfMonth", "weeksOfMonth", "reminders"),
        "time",
    ]
)
HABITICA_SHAPED = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(HABITICA_KEYS, inner),
    max_leaves=30,
)


def only_invalid(data: bytes, reader: Reader = BERLIN) -> None:
    invalid_or_bounded(parse, data, reader)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_habits_or_invalid(data: bytes) -> None:
    only_invalid(data)


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES | HABITICA_SHAPED)
def test_any_json_gives_habits_or_invalid(value: object) -> None:
    only_invalid(encode(value))
    only_invalid(encode({"tasks": {"dailys": [value], "habits": [value]}}))


def paths(value: object, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*here, index))
    return found


FIXTURE_PATHS = [path for path in paths(fixture()) if path]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(FIXTURE_PATHS), st.booleans(), JSON_VALUES),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from([BERLIN, UTC0]),
)
def test_a_mutated_fixture_gives_habits_or_invalid(
    mutations: list[tuple[tuple[Any, ...], bool, object]], reader: Reader
) -> None:
    document: Any = copy.deepcopy(fixture())
    for path, delete, value in mutations:
        parent = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            if delete and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation moved this path away
    only_invalid(encode(document), reader)


def test_all_history_entries_are_bounded_before_any_is_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Entries that import nothing (``completed: false``) still cost reading: the file's
    entries in all are bounded by the rows one import takes."""
    monkeypatch.setattr(model, "MAX_ROWS", 5)
    entries = [{"date": 1774864800000 + n * 86_400_000, "completed": False} for n in range(3)]
    assert "6 entries; at most 5" in refused(export([daily(history=entries)] * 2))
    assert parse(export([daily(history=entries[:2])] * 2 + [daily()]), BERLIN)
