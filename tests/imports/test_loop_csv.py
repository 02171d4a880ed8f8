"""Loop's "Export as CSV" ZIP, read by ``imports.loop_csv.parse`` without a server.

``tests/fixtures/loop2026/`` is today's layout, written by hand from the format's facts:
five habits (a daily yes/no habit whose history crosses both 2026 Europe/Berlin clock
changes day by day, a 3-in-7 habit with every kind of value, a numerical "at least 10
pages" habit, a 1-in-14 habit with a non-ASCII name, an archived habit), notes with a
comma, quotes and a line break, and the derived Scores.csv and root Checkmarks.csv that the
parser must leave alone. ``tests/fixtures/loop/`` is the older layout.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.services.archives import MAX_ENTRY_BYTES
from server.services.errors import Invalid
from server.services.imports import model
from server.services.imports.loop_csv import parse
from server.services.imports.model import ImportedDay, ImportedHabit, Reader
from shared import schemas
from tests.imports.bounds import by_title, done, invalid_or_bounded, skipped

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TODAY = date(2026, 11, 2)
# A zone with both clock changes and a late day start: neither may move a Loop date.
BERLIN = Reader(today=TODAY, timezone="Europe/Berlin", day_start_hour=4)
NEW_HEADER = (
    "Position,Name,Type,Question,Description,FrequencyNumerator,FrequencyDenominator,Color,"
    "Unit,Target Type,Target Value,Archived?\n"
)
RUN = "001,Run,YES_NO,Q,,1,1,#FF8F00,,,,false\n"
PAGES = "001,Read,NUMERICAL,Q,,1,1,#FF8F00,pages,AT_LEAST,10,false\n"


def zipped(
    folder: str, *, leave_out: tuple[str, ...] = (), extra: dict[str, str | bytes] | None = None
) -> bytes:
    root = FIXTURES / folder
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*.csv")):
            name = path.relative_to(root).as_posix()
            if name not in leave_out:
                archive.writestr(name, path.read_bytes())
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def archive(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for name, content in files.items():
            out.writestr(name, content)
    return buffer.getvalue()


def one_habit(habit_row: str, checkmarks: str, *, header: str = "Date,Value,Notes\n") -> bytes:
    """Today's layout with one habit at position 001 and its Checkmarks.csv."""
    return archive(
        {"Habits.csv": NEW_HEADER + habit_row, "001 X/Checkmarks.csv": header + checkmarks}
    )


@pytest.fixture(scope="module")
def fixture_habits() -> dict[str, ImportedHabit]:
    return by_title(parse(zipped("loop2026"), BERLIN))


# -- today's layout ------------------------------------------------------------------------


def test_habits_come_in_position_order_with_their_rules(
    fixture_habits: dict[str, ImportedHabit],
) -> None:
    habits = parse(zipped("loop2026"), BERLIN)
    assert [h.title for h in habits] == ["Meditate", "Run", "Read pages", "Écrire 日記 ✍", "Floss"]
    rules = {h.title: (h.schedule, h.kind, h.target, h.archived, h.reminders) for h in habits}
    assert rules == {
        "Meditate": (schemas.Daily(), "check", 1, False, []),
        "Run": (schemas.TimesPerWeek(times=3), "check", 1, False, []),
        "Read pages": (schemas.Daily(), "count", 10, False, []),
        "Écrire 日記 ✍": (schemas.EveryNDays(n=14), "check", 1, False, []),
        "Floss": (schemas.TimesPerWeek(times=5), "check", 1, True, []),
    }


def test_a_daily_habit_crosses_both_clock_changes_day_by_day(
    fixture_habits: dict[str, ImportedHabit],
) -> None:
    # Loop's dates are the user's own days: 2026-03-29 (23 hours in Berlin) and 2026-10-25
    # (25 hours) are one day each, nothing shifts. NO (10-23), YES_AUTO (03-30) and
    # UNKNOWN (03-27) are not check-ins.
    assert fixture_habits["Meditate"].days == {
        date(2026, 3, 26): done(),
        date(2026, 3, 28): done(),
        date(2026, 3, 29): done("Clocks went forward, a 23-hour day"),
        date(2026, 3, 31): done(),
        date(2026, 4, 1): done(),
        date(2026, 10, 22): done(),
        date(2026, 10, 24): done(),
        date(2026, 10, 25): done('Clocks went back, slept "an extra hour"'),
        date(2026, 10, 26): skipped("Travel day"),
        date(2026, 10, 27): done(),
        date(2026, 10, 28): done(),
    }


def test_only_what_the_user_entered_comes_in(fixture_habits: dict[str, ImportedHabit]) -> None:
    run = fixture_habits["Run"]
    assert run.days == {
        date(2026, 3, 29): done(),
        date(2026, 3, 30): done(),
        date(2026, 10, 21): done(),
        date(2026, 10, 23): skipped("Knee sore"),
        date(2026, 10, 25): done("Sunday long run"),
        date(2026, 10, 27): done(),
    }
    for absent in (date(2026, 3, 27), date(2026, 3, 28), date(2026, 10, 19), date(2026, 10, 20)):
        assert absent not in run.days  # blank, YES_AUTO, NO, YES_AUTO
    for absent in (date(2026, 10, 22), date(2026, 10, 24), date(2026, 10, 26), date(2026, 10, 28)):
        assert absent not in run.days  # UNKNOWN, YES_AUTO, NO, YES_AUTO


def test_numerical_values_are_thousandths_rounded_half_up(
    fixture_habits: dict[str, ImportedHabit],
) -> None:
    pages = fixture_habits["Read pages"]
    assert pages.days == {
        date(2026, 10, 22): ImportedDay(value=100),  # 100000
        date(2026, 10, 23): ImportedDay(value=3),  # 2500: half up, not to even
        date(2026, 10, 26): ImportedDay(value=1),  # 500
        date(2026, 10, 27): ImportedDay(value=10, note='Ch. 3, "The Gap"'),  # 9500
        date(2026, 10, 28): ImportedDay(value=12),  # 12000
    }
    assert date(2026, 10, 25) not in pages.days  # 499 rounds to 0: not a check-in
    assert date(2026, 10, 24) not in pages.days  # 0


def test_a_non_ascii_name_and_a_note_over_two_lines(
    fixture_habits: dict[str, ImportedHabit],
) -> None:
    assert fixture_habits["Écrire 日記 ✍"].days == {
        date(2026, 10, 11): done(),
        date(2026, 10, 25): done("Über die Zeitumstellung\nzweite Zeile"),
    }


def test_an_archived_habit_keeps_its_history(fixture_habits: dict[str, ImportedHabit]) -> None:
    floss = fixture_habits["Floss"]
    assert floss.archived
    assert floss.days == {date(2026, 3, 1): skipped(), date(2026, 3, 2): done()}


def test_the_days_do_not_depend_on_the_users_zone() -> None:
    for reader in (Reader(today=TODAY), Reader(today=TODAY, timezone="Pacific/Kiritimati")):
        assert parse(zipped("loop2026"), reader) == parse(zipped("loop2026"), BERLIN)


def test_derived_files_are_never_unpacked() -> None:
    # Scores.csv and the root Checkmarks.csv replaced by files that fail when read: not
    # UTF-8, and more than an entry may unpack to.
    hostile: dict[str, str | bytes] = {
        "Scores.csv": b"\xff\xfe\x00 not text",
        "Checkmarks.csv": "\n" * (MAX_ENTRY_BYTES + 1),
        "001 Meditate/Scores.csv": b"\xff" * 10,
    }
    data = zipped(
        "loop2026", leave_out=("Scores.csv", "Checkmarks.csv", "001 Meditate/Scores.csv"),
        extra=hostile,
    )  # fmt: skip
    assert parse(data, BERLIN) == parse(zipped("loop2026"), BERLIN)


def test_folders_of_unknown_positions_and_other_files_are_ignored() -> None:
    data = zipped(
        "loop2026",
        extra={
            "009 Ghost/Checkmarks.csv": b"\xff not even text",
            "001 Meditate/Other.csv": b"\xff",
            "notes.txt": b"\xff",
        },
    )
    assert parse(data, BERLIN) == parse(zipped("loop2026"), BERLIN)


def test_a_habit_without_a_folder_has_no_history() -> None:
    habits = parse(zipped("loop2026", leave_out=("002 Run/Checkmarks.csv",)), BERLIN)
    assert by_title(habits)["Run"].days == {}


def test_a_numerical_habit_without_a_target_takes_its_typical_day() -> None:
    row = "001,Read,NUMERICAL,Q,,1,1,#FF8F00,pages,,,false\n"
    habit = parse(one_habit(row, "2026-10-03,4000,\n2026-10-02,7000,\n2026-10-01,5000,\n"), BERLIN)
    assert (habit[0].kind, habit[0].target) == ("count", 5)


@pytest.mark.parametrize(
    ("written", "target"),
    [("10", 10), ("10.0", 10), ("2.5", 3), ("0.4", 1), ("1", 1), ("15000", model.MAX_TARGET)],
)
def test_a_target_is_in_the_unit_rounded_half_up_and_bounded(written: str, target: int) -> None:
    row = f"001,Read,NUMERICAL,Q,,1,1,#FF8F00,pages,AT_LEAST,{written},false\n"
    assert parse(one_habit(row, ""), BERLIN)[0].target == target


def test_numerical_blanks_unknowns_and_skips() -> None:
    habit = parse(
        one_habit(
            PAGES, "2026-10-04,SKIP,rest\n2026-10-03,UNKNOWN,\n2026-10-02,-1,\n2026-10-01,,\n"
        ),
        BERLIN,
    )[0]
    assert habit.days == {date(2026, 10, 4): skipped("rest")}


def test_the_header_may_be_quoted_padded_and_start_with_a_bom() -> None:
    header = '\ufeff"Position", "Name", "Type", "FrequencyNumerator", "FrequencyDenominator"\n'
    data = archive(
        {
            "Habits.csv": (header + '"001","Run","YES_NO","2","7"\n').encode(),
            "001 Run/Checkmarks.csv": "Date,Value\n2026-10-01,YES_MANUAL\n",
        }
    )
    [habit] = parse(data, BERLIN)
    assert (habit.title, habit.schedule, habit.archived) == (
        "Run",
        schemas.TimesPerWeek(times=2),
        False,
    )
    assert habit.days == {date(2026, 10, 1): done()}


def test_a_title_is_cleaned_and_a_note_bounded() -> None:
    row = '001,"Read\n  20\u202e pages",YES_NO,Q,,1,1,#FF8F00,,,,false\n'
    habit = parse(one_habit(row, f'2026-10-01,YES_MANUAL,"{"n" * 600}\x07"\n'), BERLIN)[0]
    assert habit.title == "Read 20 pages"
    assert habit.days[date(2026, 10, 1)].note == "n" * 500


def test_progress_is_reported_as_rows_are_read() -> None:
    seen: list[int] = []
    rows = "".join(
        f"{date.fromordinal(date(2005, 1, 1).toordinal() + n)},YES_MANUAL,\n" for n in range(5_001)
    )
    reader = Reader(today=TODAY, progress=seen.append)
    [habit] = parse(one_habit(RUN, rows), reader)
    assert len(habit.days) == 5_001
    assert seen == [5_000]


def test_short_rows_read_as_blank_fields() -> None:
    habits = NEW_HEADER + "001,Run,YES_NO,Q,,1,1\n"  # no Color, ..., Archived?
    data = archive(
        {"Habits.csv": habits, "001 Run/Checkmarks.csv": "Date,Value,Notes\n2026-10-01\n"}
    )
    [habit] = parse(data, BERLIN)
    assert (habit.title, habit.archived, habit.days) == ("Run", False, {})


def damaged_name(where: str) -> bytes:
    """A non-ASCII entry name (stored as UTF-8, flagged so) made invalid UTF-8."""
    name = "001 Écrire/Checkmarks.csv"
    data = bytearray(archive({"Habits.csv": NEW_HEADER + RUN, name: "Date,Value\n"}))
    encoded = name.encode()
    at = data.find(encoded) if where == "local" else data.rfind(encoded)
    data[at + 4 : at + 6] = b"\xff\xff"
    return bytes(data)


@pytest.mark.parametrize(
    ("where", "message"),
    [("local", "001 .* is damaged in the archive"), ("central", "not a ZIP file")],
)
def test_a_damaged_entry_name_is_refused(where: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        parse(damaged_name(where), BERLIN)


# -- the older layout ----------------------------------------------------------------------


def test_the_older_layout_reads_as_it_always_did() -> None:
    habits = parse(zipped("loop"), Reader(today=date(2026, 3, 11)))
    assert [h.title for h in habits] == ["Meditate", "Run", "Read pages"]
    meditate, run, pages = habits
    assert (meditate.schedule, meditate.kind, meditate.target) == (schemas.Daily(), "check", 1)
    assert meditate.days == {
        date(2026, 3, 5): done(),
        date(2026, 3, 7): done(),
        date(2026, 3, 8): skipped("sick"),
        date(2026, 3, 9): done("calm"),
        date(2026, 3, 10): done(),
    }  # the 0 on the 6th is not a check-in
    assert (run.schedule, run.kind) == (schemas.TimesPerWeek(times=3), "check")
    assert set(run.days) == {date(2026, 3, d) for d in (2, 4, 6, 9)}  # the implied 1 is not
    # Any other number makes a count habit: rounded half to even, its target the median.
    assert (pages.kind, pages.target) == ("count", 12)
    assert pages.days == {
        date(2026, 3, 7): ImportedDay(value=8),
        date(2026, 3, 9): ImportedDay(value=20),
        date(2026, 3, 10): ImportedDay(value=12),  # 12.5
    }


def test_the_older_layout_counts_a_2_as_2_in_a_count_habit() -> None:
    habits_csv = "Position,Name,Question,Description,NumRepetitions,Interval,Color\n001,W,Q,,,,#1\n"
    data = archive(
        {
            "Habits.csv": habits_csv,
            "001 W/Checkmarks.csv": "Date,Value\n2026-03-03,0.2\n2026-03-02,3\n2026-03-01,2\n",
        }
    )
    [habit] = parse(data, Reader(today=date(2026, 3, 11)))
    assert habit.schedule == schemas.Daily()  # blank NumRepetitions and Interval: 1 and 1
    assert (habit.kind, habit.target) == ("count", 2)
    assert habit.days == {
        date(2026, 3, 1): ImportedDay(value=2),
        date(2026, 3, 2): skipped(),
        date(2026, 3, 3): ImportedDay(value=1),  # at least 1
    }


# -- refused files -------------------------------------------------------------------------

OLD_HEADER = "Position,Name,Question,Description,NumRepetitions,Interval,Color\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"PK\x03\x04 not really", "not a ZIP file", id="not a zip"),
        pytest.param(b"", "not a ZIP file", id="empty"),
        pytest.param(archive({"habits.txt": "x"}), "Habits.csv is missing", id="no Habits.csv"),
        pytest.param(
            archive({"Habits.csv": "Id,Title,Frequency\n1,Run,daily\n"}),
            "not a Loop CSV export: Habits.csv has neither",
            id="unknown header",
        ),
        pytest.param(archive({"Habits.csv": ""}), "not a Loop CSV export", id="empty Habits.csv"),
        pytest.param(
            archive({"Habits.csv": b"\xff\xfe" + NEW_HEADER.encode("utf-16-le")}),
            "Habits.csv is not UTF-8",
            id="not UTF-8",
        ),
        pytest.param(
            archive({"Habits.csv": "Position,Name,Type\n001,Run,YES_NO\n"}),
            "Habits.csv: no FrequencyNumerator, FrequencyDenominator column",
            id="missing columns",
        ),
        pytest.param(
            archive({"Habits.csv": NEW_HEADER}), "must hold 1 to 500 habits", id="no habits"
        ),
        pytest.param(
            one_habit(RUN, "03/10/2026,YES_MANUAL,\n"),
            r"001 X/Checkmarks.csv, line 2: '03/10/2026' is not a date",
            id="bad date",
        ),
        pytest.param(
            one_habit(RUN, "2026-10-01,YES_MANUAL,\n1999-12-31,YES_MANUAL,\n"),
            r"line 3: 1999-12-31 is outside 2000-01-01 to today \(2026-11-02\)",
            id="before 2000",
        ),
        pytest.param(
            one_habit(RUN, "2026-11-03,YES_MANUAL,\n"),
            r"line 2: 2026-11-03 is outside 2000-01-01 to today \(2026-11-02\)",
            id="after today",
        ),
        pytest.param(
            one_habit(RUN, "2026-10-01,YES_MANUAL,\n2026-10-01,NO,\n"),
            r"line 3: 2026-10-01 is there twice \(001 X/Checkmarks.csv, line 2\)",
            id="a day twice",
        ),
        pytest.param(
            one_habit(RUN, "2026-10-01,2,\n"), "'2' is not YES_MANUAL", id="yes/no number"
        ),
        pytest.param(one_habit(PAGES, "2026-10-01,nan,\n"), "'nan' is not an amount", id="nan"),
        pytest.param(one_habit(PAGES, "2026-10-01,inf,\n"), "'inf' is not an amount", id="inf"),
        pytest.param(one_habit(PAGES, "2026-10-01,1e19,\n"), "'1e19' is not an amount", id="1e19"),
        pytest.param(one_habit(PAGES, "2026-10-01,-5,\n"), "'-5' is not an amount", id="negative"),
        pytest.param(one_habit(PAGES, "2026-10-01,ten,\n"), "'ten' is not a number", id="text"),
        pytest.param(
            one_habit("001,Coffee,NUMERICAL,Q,,1,1,#1,cups,AT_MOST,2,false\n", ""),
            r"Habits.csv, line 2: 'Coffee' is an 'at most' habit .* Delete that habit in Loop",
            id="at most",
        ),
        pytest.param(
            one_habit("001,Read,NUMERICAL,Q,,1,1,#1,p,EXACTLY,2,false\n", ""),
            "Target Type 'EXACTLY' is not AT_LEAST",
            id="unknown target type",
        ),
        pytest.param(
            one_habit("001,Read,NUMERICAL,Q,,1,1,#1,p,AT_LEAST,-3,false\n", ""),
            "Target Value '-3' is not a number from 0 up",
            id="negative target",
        ),
        pytest.param(
            one_habit("001,Read,NUMERICAL,Q,,1,1,#1,p,AT_LEAST,nan,false\n", ""),
            "Target Value 'nan' is not a number from 0 up",
            id="nan target",
        ),
        pytest.param(
            one_habit("001,Run,BOOLEAN,Q,,1,1,#1,,,,false\n", ""),
            "Type 'BOOLEAN' is not YES_NO or NUMERICAL",
            id="unknown type",
        ),
        pytest.param(
            one_habit("001,Run,YES_NO,Q,,0,7,#1,,,,false\n", ""),
            "FrequencyNumerator 0 is not from 1 to 100000",
            id="zero frequency",
        ),
        pytest.param(
            one_habit("001,Run,YES_NO,Q,,1," + "9" * 5000 + ",#1,,,,false\n", ""),
            "FrequencyDenominator '9999.* is not a whole number",
            id="huge frequency",
        ),
        pytest.param(
            one_habit("001,Run,YES_NO,Q,,1,1,#1,,,,maybe\n", ""),
            "Archived\\? 'maybe' is not true or false",
            id="archived flag",
        ),
        pytest.param(
            one_habit("001, ,YES_NO,Q,,1,1,#1,,,,false\n", ""),
            "Habits.csv, line 2: a habit without a name",
            id="no name",
        ),
        pytest.param(
            archive({"Habits.csv": NEW_HEADER + RUN + RUN}),
            r"Habits.csv, line 3: Position 1 is taken \(Habits.csv, line 2\)",
            id="a position twice",
        ),
        pytest.param(
            archive(
                {
                    "Habits.csv": NEW_HEADER + RUN,
                    "001 Run/Checkmarks.csv": "Date,Value\n",
                    "1 Run again/Checkmarks.csv": "Date,Value\n",
                }
            ),
            "two folders hold habit 1's history",
            id="two folders",
        ),
        pytest.param(
            one_habit(RUN, "", header="Day,Status\n"),
            "001 X/Checkmarks.csv: no Date, Value column",
            id="checkmarks header",
        ),
        pytest.param(
            one_habit(RUN, '2026-10-01,"YES_MANUAL' + "x" * 200_000 + '"\n'),
            r"001 X/Checkmarks.csv, line \d+: not CSV Loop writes",
            id="field too large",
        ),
        pytest.param(
            archive(
                {
                    "Habits.csv": OLD_HEADER + "001,Run,Q,,1,1,#1\n",
                    "001 Run/Checkmarks.csv": "Date,Value\n2026-03-10,-5\n",
                }
            ),
            "line 2: -5.0 is not a value from 0 to 100000",
            id="old layout negative",
        ),
        pytest.param(
            archive(
                {
                    "Habits.csv": OLD_HEADER + "001,Run,Q,,1,1,#1\n",
                    "001 Run/Checkmarks.csv": "Date,Value\n2026-03-10,nan\n",
                }
            ),
            "line 2: nan is not a value from 0 to 100000",
            id="old layout nan",
        ),
        pytest.param(
            archive({"Habits.csv": OLD_HEADER + "001,Run,Q,,0,1,#1\n"}),
            "NumRepetitions 0 is not from 1 to 100000",
            id="old layout frequency",
        ),
    ],
)
def test_a_bad_file_is_refused_saying_what_and_where(data: bytes, message: str) -> None:
    with pytest.raises(Invalid, match=message) as refused:
        parse(data, BERLIN)
    assert refused.value.field == "file"


def test_too_many_rows_refuse_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "MAX_ROWS", 20)
    with pytest.raises(Invalid, match="more history than one import takes"):
        parse(zipped("loop2026"), BERLIN)  # 27 imported days


def test_too_many_days_for_one_habit_refuse_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "MAX_DAYS_PER_HABIT", 8)
    with pytest.raises(Invalid, match="more history than one import takes"):
        parse(zipped("loop2026"), BERLIN)  # Meditate has 11


def test_too_many_habits_refuse_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "MAX_HABITS", 4)
    with pytest.raises(Invalid, match="must hold 1 to 4 habits"):
        parse(zipped("loop2026"), BERLIN)


# -- whatever the bytes --------------------------------------------------------------------

VALID = zipped("loop2026")


def outcome(data: bytes) -> None:
    invalid_or_bounded(parse, data, BERLIN)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.binary(max_size=2_000)
    | st.builds(lambda text: one_habit(RUN, text), st.text(max_size=300))
    | st.builds(lambda text: one_habit(PAGES, text), st.text(max_size=300))
    | st.builds(lambda text: archive({"Habits.csv": text}), st.text(max_size=300))
    | st.builds(lambda text: archive({"Habits.csv": NEW_HEADER + text}), st.text(max_size=300))
    | st.builds(lambda text: archive({"Habits.csv": OLD_HEADER + text}), st.text(max_size=300))
)
def test_any_bytes_fail_only_with_invalid(data: bytes) -> None:
    outcome(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(1, 255)), min_size=1, max_size=8)
)
def test_a_damaged_export_fails_only_with_invalid(flips: list[tuple[int, int]]) -> None:
    data = bytearray(VALID)
    for at, mask in flips:
        data[at] ^= mask
    outcome(bytes(data))
