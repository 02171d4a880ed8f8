"""Loop's SQLite backup, read by ``imports.loop_backup.parse`` without a server.

Backups are built when the tests run by ``tests/fixtures/make_loop_backup.py`` from the
descriptions below (nothing binary is committed): the history mirrors the CSV fixture, a
daily habit across both 2026 Europe/Berlin clock changes, a 3-in-7 habit with every kind of
value, a numerical habit, an archived one with a reminder; then older backups without the
optional columns, and files built to hurt.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.services.errors import Invalid
from server.services.imports import loop_backup, model
from server.services.imports.loop_backup import parse
from server.services.imports.model import ImportedDay, Reader
from shared import schemas
from tests.fixtures.make_loop_backup import make_backup, timestamp
from tests.imports.bounds import by_title, done, invalid_or_bounded, skipped

TODAY = date(2026, 11, 2)
BERLIN = Reader(today=TODAY, timezone="Europe/Berlin", day_start_hour=4)

HABITS: list[dict[str, object]] = [
    # ids and positions in different orders: habits come in the order of position.
    {"id": 7, "name": "Meditate", "position": 0, "reminder_hour": 7, "reminder_min": 5},
    {"id": 3, "name": "Run", "position": 1, "freq_num": 3, "freq_den": 7},
    {"id": 5, "name": "Read pages", "position": 2, "type": 1, "target_value": 10.0},
    {"id": 1, "name": "Écrire 日記 ✍", "position": 3, "freq_num": 1, "freq_den": 14},
    {"id": 2, "name": "Floss", "position": 4, "freq_num": 5, "freq_den": 7, "archived": 1,
     "reminder_hour": 21, "reminder_min": 30},
]  # fmt: skip
MEDITATE = [
    (date(2026, 3, 26), 2, None),
    (date(2026, 3, 27), -1, None),
    (date(2026, 3, 28), 2, None),
    (date(2026, 3, 29), 2, "Clocks went forward, a 23-hour day"),
    (date(2026, 3, 30), 1, None),
    (date(2026, 3, 31), 2, None),
    (date(2026, 4, 1), 2, None),
    (date(2026, 10, 22), 2, None),
    (date(2026, 10, 23), 0, "a note on a no"),
    (date(2026, 10, 24), 2, None),
    (date(2026, 10, 25), 2, 'Clocks went back, slept "an extra hour"'),
    (date(2026, 10, 26), 3, "Travel day"),
    (date(2026, 10, 27), 2, ""),
    (date(2026, 10, 28), 2, None),
]
RUN = [
    (date(2026, 10, 19), 0, None),
    (date(2026, 10, 20), 1, None),
    (date(2026, 10, 21), 2, None),
    (date(2026, 10, 22), -1, None),
    (date(2026, 10, 23), 3, "Knee sore"),
    (date(2026, 10, 24), 1, None),
    (date(2026, 10, 25), 2, "Sunday long run"),
]
PAGES = [
    (date(2026, 10, 22), 100_000, None),
    (date(2026, 10, 23), 2_500, None),
    (date(2026, 10, 24), 0, None),
    (date(2026, 10, 25), 499, None),
    (date(2026, 10, 26), 500, None),
    (date(2026, 10, 27), 9_500, 'Ch. 3, "The Gap"'),
    (date(2026, 10, 28), 12_000, None),
    (date(2026, 10, 29), -1, None),
]
JOURNAL = [(date(2026, 10, 25), 2, "Über die Zeitumstellung\nzweite Zeile")]
FLOSS = [(date(2026, 3, 1), 3, None), (date(2026, 3, 2), 2, None), (date(2026, 2, 28), 0, None)]


def rows(habit: int, entries: Iterable[tuple[date, int, str | None]]) -> list[dict[str, object]]:
    return [{"habit": habit, "day": d, "value": v, "notes": n} for d, v, n in entries]


REPETITIONS = [
    *rows(7, MEDITATE), *rows(3, RUN), *rows(5, PAGES), *rows(1, JOURNAL), *rows(2, FLOSS),
    *rows(99, [(date(2026, 10, 1), 2, None)]),  # a habit the file does not hold
]  # fmt: skip


@cache
def sample() -> bytes:
    return make_backup(HABITS, REPETITIONS)


def one(
    habit: Mapping[str, object] | None = None,
    repetitions: Iterable[Mapping[str, object]] = (),
    *,
    omit: Iterable[str] = (),
    habits_sql: str | None = None,
    repetitions_sql: str | None = None,
    after: str = "",
) -> bytes:
    """A backup of one habit (id 1, daily yes/no unless told) and the given rows."""
    base: dict[str, object] = {"id": 1, "name": "Run", "position": 0}
    return make_backup(
        [{**base, **(habit or {})}],
        repetitions,
        omit=omit,
        habits_sql=habits_sql,
        repetitions_sql=repetitions_sql,
        after=after,
    )


# -- what comes in -------------------------------------------------------------------------


def test_habits_come_in_position_order_with_their_rules() -> None:
    habits = parse(sample(), BERLIN)
    assert [h.title for h in habits] == ["Meditate", "Run", "Read pages", "Écrire 日記 ✍", "Floss"]
    rules = {h.title: (h.schedule, h.kind, h.target, h.archived, h.reminders) for h in habits}
    assert rules == {
        "Meditate": (schemas.Daily(), "check", 1, False, ["07:05"]),
        "Run": (schemas.TimesPerWeek(times=3), "check", 1, False, []),
        "Read pages": (schemas.Daily(), "count", 10, False, []),
        "Écrire 日記 ✍": (schemas.EveryNDays(n=14), "check", 1, False, []),
        "Floss": (schemas.TimesPerWeek(times=5), "check", 1, True, ["21:30"]),
    }


def test_the_history_day_by_day() -> None:
    habits = by_title(parse(sample(), BERLIN))
    # 2026-03-29 and 2026-10-25 (Berlin's clock changes) are one day each; -1, 0 and 1
    # (unknown, no, implied) are not check-ins, and their notes go with them.
    assert habits["Meditate"].days == {
        date(2026, 3, 26): done(),
        date(2026, 3, 28): done(),
        date(2026, 3, 29): done("Clocks went forward, a 23-hour day"),
        date(2026, 3, 31): done(),
        date(2026, 4, 1): done(),
        date(2026, 10, 22): done(),
        date(2026, 10, 24): done(),
        date(2026, 10, 25): done('Clocks went back, slept "an extra hour"'),
        date(2026, 10, 26): skipped("Travel day"),
        date(2026, 10, 27): done(),  # an empty note is no note
        date(2026, 10, 28): done(),
    }
    assert habits["Run"].days == {
        date(2026, 10, 21): done(),
        date(2026, 10, 23): skipped("Knee sore"),
        date(2026, 10, 25): done("Sunday long run"),
    }
    assert habits["Read pages"].days == {  # thousandths, rounded half up; 0 is nothing
        date(2026, 10, 22): ImportedDay(value=100),
        date(2026, 10, 23): ImportedDay(value=3),
        date(2026, 10, 26): ImportedDay(value=1),
        date(2026, 10, 27): ImportedDay(value=10, note='Ch. 3, "The Gap"'),
        date(2026, 10, 28): ImportedDay(value=12),
    }
    assert habits["Écrire 日記 ✍"].days == {
        date(2026, 10, 25): done("Über die Zeitumstellung\nzweite Zeile")
    }
    assert habits["Floss"].days == {date(2026, 3, 1): skipped(), date(2026, 3, 2): done()}


def test_a_day_is_the_utc_date_of_its_timestamp_whatever_the_users_zone() -> None:
    expected = parse(sample(), BERLIN)
    for zone in ("UTC", "Pacific/Kiritimati", "America/Los_Angeles"):
        assert parse(sample(), Reader(today=TODAY, timezone=zone, day_start_hour=5)) == expected
    # A timestamp that is not midnight (never written by Loop) still counts for its date.
    late = timestamp(date(2026, 3, 29)) + 23 * 3_600_000
    data = one(repetitions=[{"habit": 1, "timestamp": late, "value": 2}])
    assert parse(data, BERLIN)[0].days == {date(2026, 3, 29): done()}


def test_an_older_backup_without_the_optional_columns() -> None:
    old = ["notes", "question", "uuid", "target_type", "target_value", "type", "archived"]
    old += ["reminder_hour", "reminder_min", "reminder_days", "unit"]
    data = make_backup(
        [h for h in HABITS if h["name"] != "Read pages"],
        [r for r in REPETITIONS if r["habit"] != 5],
        omit=old,
    )
    result = by_title(parse(data, BERLIN))
    assert list(result) == ["Meditate", "Run", "Écrire 日記 ✍", "Floss"]
    assert not result["Floss"].archived  # no archived column: not archived
    assert result["Floss"].reminders == []
    assert result["Run"].days == {
        date(2026, 10, 21): done(),
        date(2026, 10, 23): skipped(),  # no notes column: no notes
        date(2026, 10, 25): done(),
    }


@pytest.mark.parametrize(
    ("hour", "minute", "reminders"),
    [
        (7, 5, ["07:05"]),
        (0, 0, ["00:00"]),
        (23, 59, ["23:59"]),
        (None, None, []),
        (8, None, []),
        (24, 0, []),
        (-1, 30, []),
        (8, 60, []),
        ("eight", 5, []),
    ],
)
def test_a_reminder_is_its_time(hour: object, minute: object, reminders: list[str]) -> None:
    data = one({"reminder_hour": hour, "reminder_min": minute})
    assert parse(data, BERLIN)[0].reminders == reminders


NO_DEFAULT_TARGET = (
    'CREATE TABLE "Habits" (id INTEGER PRIMARY KEY, name TEXT, position INTEGER,'
    " freq_num INTEGER, freq_den INTEGER, type INTEGER, target_value REAL)"
)


@pytest.mark.parametrize(
    ("target_value", "target"), [(10.0, 10), (2.5, 3), (0.0, 1), (15_000, 10_000), (None, 6)]
)
def test_a_count_habits_target(target_value: object, target: int) -> None:
    days = [(date(2026, 10, 1), 4_000, None), (date(2026, 10, 2), 6_000, None)]
    days.append((date(2026, 10, 3), 9_000, None))
    data = one(
        {"type": 1, "target_value": target_value},
        rows(1, days),
        habits_sql=NO_DEFAULT_TARGET,  # Loop's own column is NOT NULL: older files had NULLs
    )
    habit = parse(data, BERLIN)[0]
    assert (habit.kind, habit.target) == ("count", target)


def test_a_backup_in_wal_mode_reads_the_same() -> None:
    # Android keeps its databases in WAL mode; the backup's header may say so.
    data = make_backup(HABITS, REPETITIONS, after="PRAGMA journal_mode=WAL;")
    assert data[18:20] == b"\x02\x02"
    assert parse(data, BERLIN) == parse(sample(), BERLIN)


def test_progress_is_reported_as_rows_are_read() -> None:
    seen: list[int] = []
    days = [date.fromordinal(date(2005, 1, 1).toordinal() + n) for n in range(5_001)]
    data = one(repetitions=rows(1, [(d, 2, None) for d in days]))
    [habit] = parse(data, Reader(today=TODAY, progress=seen.append))
    assert len(habit.days) == 5_001
    assert seen == [5_000]


# -- refused files -------------------------------------------------------------------------

GOOD_DAY: dict[str, object] = {"habit": 1, "day": date(2026, 10, 1), "value": 2}
TABLES = (
    'CREATE TABLE "Habits" (id INTEGER PRIMARY KEY, name TEXT, position INTEGER,'
    " freq_num INTEGER, freq_den INTEGER)"
)
HABITS_VIEW = (
    "CREATE VIEW Habits AS SELECT 1 AS id, 'x' AS name, 0 AS position, 1 AS freq_num, 1 AS freq_den"
)
VIRTUAL = "CREATE VIRTUAL TABLE Habits USING fts5(id, name, position, freq_num, freq_den)"
GENERATED = (
    'CREATE TABLE "Habits" (id INTEGER PRIMARY KEY, position INTEGER, freq_num INTEGER,'
    " freq_den INTEGER, name TEXT GENERATED ALWAYS AS (hex(zeroblob(100000000))) VIRTUAL)"
)
SAME_DAY = {"habit": 1, "value": 0, "timestamp": timestamp(date(2026, 10, 1)) + 1}
TWO_IDS = [{"id": 1, "name": "A", "position": 0}, {"id": 1, "name": "B", "position": 1}]


def hostile_cases() -> list[object]:
    header = b"SQLite format 3\x00"
    cases: list[tuple[bytes, str, str]] = [
        (b"", "not an SQLite database", "empty"),
        (b"PK\x03\x04" + b"\x00" * 200, "not an SQLite database", "a zip"),
        (header + b"\x00" * 84 + b"junk" * 100, "SQLite cannot read it", "header then junk"),
        (sample()[: len(sample()) // 3], "SQLite cannot read it", "truncated"),
        (make_backup([], habits_sql=HABITS_VIEW), "Habits is not an ordinary table", "a view"),
        (
            one(
                repetitions_sql="CREATE TABLE r (habit, timestamp, value);"
                " CREATE VIEW Repetitions AS SELECT * FROM r"
            ),
            "its Repetitions is not an ordinary table",
            "Repetitions a view",
        ),
        (make_backup([], habits_sql=VIRTUAL), "Habits is not an ordinary table", "virtual"),
        (one(habits_sql=GENERATED), "Habits table has generated or hidden columns", "generated"),
        (one(repetitions_sql=""), "it has no Repetitions table", "no Repetitions"),
        (make_backup([], habits_sql=""), "it has no Habits table", "no Habits"),
        (one(omit=["name"]), "its Habits table has no name column", "no name column"),
        (one(omit=["freq_num", "freq_den"]), "no freq_num, freq_den column", "no frequency"),
        (one(omit=["value"]), "its Repetitions table has no value column", "no value"),
        (
            one(repetitions=[{"habit": 1, "timestamp": "2026-10-01", "value": 2}]),
            "Repetitions row id 1: timestamp is text, not a whole number",
            "text timestamp",
        ),
        (
            one(repetitions=[{"habit": 1, "timestamp": 1.5e12 + 0.5, "value": 2}]),
            "timestamp is a real number",
            "real timestamp",
        ),
        (
            one(repetitions=[{**GOOD_DAY, "value": b"\x02"}]),
            "Repetitions row id 1: value is a blob, not a whole number",
            "blob value",
        ),
        (one(repetitions=[{**GOOD_DAY, "habit": b"\x01"}]), "habit is a blob", "blob habit"),
        (
            one(repetitions=[{"habit": 1, "timestamp": 2**63 - 1, "value": 2}]),
            r"timestamp 9223372036854775807 is outside 2000-01-01 to today \(2026-11-02\)",
            "huge timestamp",
        ),
        (
            one(repetitions=[{"habit": 1, "timestamp": -(2**63), "value": 2}]),
            "timestamp -9223372036854775808 is outside",
            "most negative timestamp",
        ),
        (
            one(repetitions=[{**GOOD_DAY, "day": date(1999, 12, 31)}]),
            "Repetitions row id 1: timestamp 946598400000 is outside 2000-01-01",
            "before 2000",
        ),
        (
            one(repetitions=[{**GOOD_DAY, "day": date(2026, 11, 3), "value": 3}]),
            r"is outside 2000-01-01 to today \(2026-11-02\)",
            "after today",
        ),
        (
            one(repetitions=[{**GOOD_DAY, "value": 5}]),
            "Repetitions row id 1: value 5 is not -1, 0, 1, 2 or 3",
            "yes/no value 5",
        ),
        (
            one({"type": 1}, [{**GOOD_DAY, "value": -5}]),
            "value -5 is not an amount from 0 to 100000",
            "negative amount",
        ),
        (
            one({"type": 1}, [{**GOOD_DAY, "value": 10**17}]),
            "is not an amount from 0 to 100000",
            "huge amount",
        ),
        (
            one({"type": 1, "target_type": 1, "name": "Coffee"}),
            r"Habits row id 1: 'Coffee' is an 'at most' habit .* Delete that habit in Loop",
            "at most",
        ),
        (one({"type": 2}), "Habits row id 1: type 2 is not one of 0, 1", "unknown type"),
        (one({"archived": "yes"}), "archived is text, not a whole number", "text archived"),
        (one({"freq_den": 0}), "freq_den 0 is not from 1 to 100000", "zero frequency"),
        (one({"freq_num": None}), "freq_num is NULL, not a whole number", "NULL frequency"),
        (one({"name": b"Run"}), "Habits row id 1: name is a blob, not text", "blob name"),
        (one({"name": "\n\t"}), "Habits row id 1: a habit without a name", "empty name"),
        (one({"position": "first"}), "position is text", "text position"),
        (one({"type": 1, "target_value": "ten"}), "target_value is text", "text target"),
        (
            one({"type": 1}, after="UPDATE Habits SET target_value = -1.0"),
            "target_value -1.0 is not a number from 0 up",
            "negative target",
        ),
        (
            one(repetitions=[{**GOOD_DAY, "notes": b"\x00\x01"}]),
            "Repetitions row id 1: notes is a blob, not text",
            "blob note",
        ),
        (
            one(repetitions=[GOOD_DAY, SAME_DAY]),
            "Repetitions row id 2: a second row for its habit on the same day",
            "a day twice",
        ),
        (
            one(repetitions=[{**GOOD_DAY, "notes": "n" * 2_000_000}]),
            r"SQLite cannot read it \(string or blob too big\)",
            "a note of 2 MB",
        ),
        (
            make_backup(TWO_IDS, habits_sql=TABLES.replace("INTEGER PRIMARY KEY", "INTEGER")),
            "Habits row id 1: id 1 is there twice",
            "an id twice",
        ),
        (make_backup([], []), "the file must hold 1 to 500 habits", "no habits"),
    ]
    return [pytest.param(data, message, id=name) for data, message, name in cases]


@pytest.mark.parametrize(("data", "message"), hostile_cases())
def test_a_bad_file_is_refused_saying_what_and_where(data: bytes, message: str) -> None:
    with pytest.raises(Invalid, match=message) as refused:
        parse(data, BERLIN)
    assert refused.value.field == "file"


def test_a_file_larger_than_the_bound_is_refused_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loop_backup, "MAX_BYTES", len(sample()) - 1)
    with pytest.raises(Invalid, match="larger than"):
        parse(sample(), BERLIN)


def test_a_read_that_runs_long_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    # 30,000 rows read well within the budget; with no budget left the first look at the
    # clock (after 10,000 SQLite steps) stops the read.
    days = [date.fromordinal(date(2001, 1, 1).toordinal() + n) for n in range(9_000)]
    data = one(repetitions=rows(1, [(d, 0, None) for d in days]))
    assert parse(data, BERLIN)[0].days == {}
    monkeypatch.setattr(loop_backup, "BUDGET_SECONDS", 0.0)
    with pytest.raises(Invalid, match="reading it takes longer than 0 seconds"):
        parse(data, BERLIN)


def test_the_budget_covers_every_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    # With the clock looked at every step, even the check of the tables is stopped.
    monkeypatch.setattr(loop_backup, "BUDGET_SECONDS", 0.0)
    monkeypatch.setattr(loop_backup, "STEPS", 1)
    with pytest.raises(Invalid, match="takes longer"):
        parse(sample(), BERLIN)


def test_too_many_rows_refuse_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "MAX_ROWS", 20)
    with pytest.raises(Invalid, match=r"more history than one import takes \(20 rows"):
        parse(sample(), BERLIN)  # 33 rows, 21 of them check-ins


def test_too_many_check_ins_refuse_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "MAX_DAYS_PER_HABIT", 8)
    with pytest.raises(Invalid, match="more history than one import takes"):
        parse(sample(), BERLIN)  # Meditate has 11


def test_too_many_habits_refuse_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "MAX_HABITS", 4)
    with pytest.raises(Invalid, match="must hold 1 to 4 habits"):
        parse(sample(), BERLIN)


def test_the_temporary_copy_is_removed_even_on_failure(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    good, bad = sample(), one(repetitions=[{**GOOD_DAY, "value": 9}])
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    parse(good, BERLIN)
    with pytest.raises(Invalid):
        parse(bad, BERLIN)
    assert list(tmp_path.iterdir()) == []


# -- whatever the bytes --------------------------------------------------------------------


def outcome(data: bytes) -> None:
    invalid_or_bounded(parse, data, BERLIN)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.binary(max_size=2_000)
    | st.builds(lambda tail: b"SQLite format 3\x00" + tail, st.binary(max_size=4_000))
)
def test_any_bytes_fail_only_with_invalid(data: bytes) -> None:
    outcome(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(16, 20_000), st.integers(1, 255)), min_size=1, max_size=8))
def test_a_damaged_backup_fails_only_with_invalid(flips: list[tuple[int, int]]) -> None:
    data = bytearray(sample())
    for at, mask in flips:
        data[at % len(data)] ^= mask
    outcome(bytes(data))
