"""Loop Habit Tracker's automatic backup: the SQLite file ``Loop Habits Backup ... .db``.

What is read
------------
``Habits``: ``id, name, position, freq_num, freq_den`` are required; ``archived, type,
target_type, target_value, reminder_hour, reminder_min`` are read when the backup has
them (older backups lack some: a missing ``type`` is a yes/no habit, a missing
``target_type`` "at least", a missing ``archived`` not archived). ``Repetitions``:
``habit, timestamp, value`` are required; ``id`` (to name a row in a message) and
``notes`` are read when present. Nothing else is read: ``color``, ``description``,
``highlight``, ``question``, ``unit`` and ``uuid`` have no place in a Rapport habit, and
``reminder_days`` (the weekdays a reminder rings) is not kept yet: a reminder is its time.

- ``name`` is the title (line breaks and control characters become spaces, at most 120
  characters); habits come in the order of ``position`` (then ``id``).
- ``freq_num`` times in ``freq_den`` days (each 1 to 100,000) becomes the nearest
  schedule, as for the CSV export: daily, n times a week, every n days, or the nearest
  "times a week".
- ``archived`` 1 is kept; ``reminder_hour`` 0-23 and ``reminder_min`` 0-59 become one
  reminder ``"HH:MM"`` (either NULL or out of range: no reminder).
- ``type`` 0 is a check habit: a repetition ``value`` 2 (the user's yes) is a done day
  and 3 a skip; -1 (unknown), 0 (no) and 1 (implied by the frequency) are not
  check-ins; any other value refuses the file.
- ``type`` 1 is a count habit: ``value`` is thousandths of the unit; the day's amount is
  that divided by 1000 and rounded half up, an amount of 0 is not a check-in, -1 is no
  entry, any other negative value or an amount above 100,000 refuses the file. Its target
  is ``target_value`` (in the unit) rounded half up and held to 1..10,000 (NULL: the median
  of its done days, at least 2). ``target_type`` 1 ("at most", a daily limit) cannot be
  expressed in Rapport and refuses the file, naming the habit.
- ``timestamp`` is milliseconds at 00:00 UTC of the user's local date, so the day is the
  UTC date of the timestamp, never converted to a time zone. An imported day lies between
  2000-01-01 and the user's today. Two rows of one habit on one day refuse the file.
- ``notes`` of an imported day become its note (control characters dropped, at most 500
  characters). Repetitions of a habit the ``Habits`` table does not hold are ignored.

Not trusting the file
---------------------
The bytes must start with SQLite's 16-byte header and be at most 32 MiB. They are written
to a private temporary file (removed afterwards, whatever happens) that SQLite opens
read-only and immutable, with ``trusted_schema`` off, ``query_only`` on and values longer
than 1 MB refused. ``Habits`` and ``Repetitions`` must be ordinary tables (no view, no
virtual table, no generated column: nothing in the file runs SQL of its own when read).
Rows are read with explicit columns and limits from the import bounds (500 habits, 200,000
repetitions), every value's type is checked (SQLite lets any column hold any type), and a
budget of a few seconds, checked every 10,000 SQLite steps, stops any read that runs
long. A damaged file, or anything else SQLite refuses, is the uploader's 422.
"""

from __future__ import annotations

import math
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from contextlib import closing
from datetime import date, timedelta
from pathlib import Path

from server.domain.calendar import HISTORY_STARTS
from server.services.errors import Invalid
from server.services.imports import model
from server.services.imports.loop_csv import MAX_FREQUENCY, amount_of, target_of
from server.services.imports.model import (
    ImportedDay,
    ImportedHabit,
    Reader,
    Tally,
    check_count,
    check_day,
    note_of,
    schedule_for,
    title_of,
    typical_target,
)

HEADER = b"SQLite format 3\x00"
MAX_BYTES = 32 * 1024 * 1024
MAX_LENGTH = 1_000_000  # the longest text or blob SQLite will hand over
BUDGET_SECONDS = 5.0  # all the SQL of one file
STEPS = 10_000  # SQLite steps between two looks at the clock
_TEXT = 1_000  # characters read of a name or a note (the model keeps 120 and 500)
_DAY_MS = 86_400_000
_EPOCH = date(1970, 1, 1)
_NOT_LOOP = "not a Loop backup"

_HABITS_REQUIRED = ("id", "name", "position", "freq_num", "freq_den")
_HABITS_OPTIONAL = (
    "archived",
    "type",
    "target_type",
    "target_value",
    "reminder_hour",
    "reminder_min",
)
_REPS_REQUIRED = ("habit", "timestamp", "value")
_REPS_OPTIONAL = ("id", "notes")

Value = int | float | str | bytes | None


def _fail(message: str) -> Invalid:
    return Invalid(message, field="file")


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _column(name: str, present: set[str]) -> str:
    """A column as read: long text cut, blobs reduced to one byte (only their type counts)."""
    if name not in present:
        return "NULL"
    quoted = f'"{name}"'
    return (
        f"CASE typeof({quoted}) WHEN 'text' THEN substr({quoted}, 1, {_TEXT})"
        f" WHEN 'blob' THEN x'00' ELSE {quoted} END"
    )


def _kind(value: Value) -> str:
    return {int: "a whole number", float: "a real number", str: "text", bytes: "a blob"}.get(
        type(value), "NULL"
    )


def _int(value: Value, where: str, column: str) -> int:
    if type(value) is not int:
        raise _fail(f"{where}: {column} is {_kind(value)}, not a whole number")
    return value


def _ranged(value: Value, where: str, column: str, low: int, high: int) -> int:
    number = _int(value, where, column)
    if not low <= number <= high:
        raise _fail(f"{where}: {column} {number} is not from {low} to {high}")
    return number


def _optional(value: Value, where: str, column: str, allowed: Sequence[int]) -> int:
    """A small code column that older backups may lack (NULL or missing: the first)."""
    if value is None:
        return allowed[0]
    number = _int(value, where, column)
    if number not in allowed:
        raise _fail(f"{where}: {column} {number} is not one of {', '.join(map(str, allowed))}")
    return number


def _columns(conn: sqlite3.Connection, table: str, required: tuple[str, ...]) -> set[str]:
    rows = conn.execute(f'PRAGMA table_xinfo("{table}")').fetchall()
    if any(row[6] != 0 for row in rows):
        raise _fail(f"{_NOT_LOOP}: its {table} table has generated or hidden columns")
    present = {str(row[1]).lower() for row in rows}
    missing = [name for name in required if name not in present]
    if missing:
        raise _fail(f"{_NOT_LOOP}: its {table} table has no {', '.join(missing)} column")
    return present


def _check_tables(conn: sqlite3.Connection) -> None:
    """Habits and Repetitions are ordinary tables: reading them runs no SQL of the file's."""
    found: set[str] = set()
    for name, kind, sql in conn.execute(
        "SELECT lower(name), type, sql FROM sqlite_master"
        " WHERE lower(name) IN ('habits', 'repetitions')"
    ):
        ordinary = isinstance(sql, str) and sql.upper().startswith("CREATE TABLE")
        if kind != "table" or not ordinary:
            raise _fail(f"{_NOT_LOOP}: its {str(name).title()} is not an ordinary table")
        found.add(name)
    for table in ("habits", "repetitions"):
        if table not in found:
            raise _fail(f"{_NOT_LOOP}: it has no {table.title()} table")


class _Habit:
    """A Habits row while its repetitions are read."""

    def __init__(self, position: int, numerical: bool, target: int | None, habit: ImportedHabit):
        self.position = position
        self.numerical = numerical
        self.target = target  # count habits: from target_value, None when NULL
        self.habit = habit
        self.seen: set[int] = set()  # day numbers of its rows, imported or not


def _habit(row: tuple[Value, ...], where: str) -> tuple[int, _Habit]:
    """The id and the habit of one Habits row."""
    (ident, name, position, freq_num, freq_den, archived, kind, target_type, target_value,
     hour, minute) = row  # fmt: skip
    if not isinstance(name, str):
        raise _fail(f"{where}: name is {_kind(name)}, not text")
    title = title_of(name, where)
    habit = ImportedHabit(
        title=title,
        schedule=schedule_for(
            _ranged(freq_num, where, "freq_num", 1, MAX_FREQUENCY),
            _ranged(freq_den, where, "freq_den", 1, MAX_FREQUENCY),
        ),
        archived=_optional(archived, where, "archived", (0, 1)) == 1,
    )
    if type(hour) is int and type(minute) is int and 0 <= hour <= 23 and 0 <= minute <= 59:
        habit.reminders = [f"{hour:02d}:{minute:02d}"]
    numerical = _optional(kind, where, "type", (0, 1)) == 1
    target: int | None = None
    if numerical:
        habit.kind = "count"
        if _optional(target_type, where, "target_type", (0, 1)) == 1:
            raise _fail(
                f"{where}: {title!r} is an 'at most' habit (a daily limit), which Rapport"
                " cannot track; nothing was imported. Delete that habit in Loop and make a"
                " new backup to import the others"
            )
        if target_value is not None:
            if not isinstance(target_value, int | float):
                raise _fail(f"{where}: target_value is {_kind(target_value)}, not a number")
            if not 0 <= target_value < math.inf:
                raise _fail(f"{where}: target_value {target_value!r} is not a number from 0 up")
            target = target_of(float(target_value))
    position_ = _int(position, where, "position")
    return _int(ident, where, "id"), _Habit(position_, numerical, target, habit)


def _day(stamp: int, where: str, today: date) -> date:
    """The UTC date of a Loop timestamp (ms at 00:00 UTC of the local date), within
    2000-01-01 to today."""
    number = stamp // _DAY_MS
    if not (HISTORY_STARTS - _EPOCH).days <= number <= (today - _EPOCH).days:
        raise _fail(f"{where}: timestamp {stamp} is outside {HISTORY_STARTS} to today ({today})")
    return check_day(_EPOCH + timedelta(days=number), where, today)


def _repetition(numerical: bool, value: Value, where: str, note: str | None) -> ImportedDay | None:
    number = _int(value, where, "value")
    if not numerical:
        if number == 2:
            return ImportedDay(value=1, note=note)
        if number == 3:
            return ImportedDay(value=0, skip=True, note=note)
        if number in (-1, 0, 1):
            return None
        raise _fail(f"{where}: value {number} is not -1, 0, 1, 2 or 3 (a yes/no habit)")
    if number == -1:
        return None
    if not 0 <= number <= model.MAX_VALUE * 1000:
        raise _fail(
            f"{where}: value {number} is not an amount from 0 to {model.MAX_VALUE}"
            f" (Loop keeps thousandths: 0 to {model.MAX_VALUE * 1000})"
        )
    amount = amount_of(number)
    return ImportedDay(value=amount, note=note) if amount else None


def _habits(conn: sqlite3.Connection) -> dict[int, _Habit]:
    present = _columns(conn, "Habits", _HABITS_REQUIRED)
    columns = ", ".join(_column(c, present) for c in _HABITS_REQUIRED + _HABITS_OPTIONAL)
    rows = conn.execute(f'SELECT {columns} FROM "Habits" LIMIT ?', (model.MAX_HABITS + 1,))
    habits: dict[int, _Habit] = {}
    for n, row in enumerate(rows.fetchall(), start=1):
        where = f"Habits row id {row[0]}" if type(row[0]) is int else f"Habits row {n}"
        ident, habit = _habit(row, where)
        if ident in habits:
            raise _fail(f"{where}: id {ident} is there twice")
        habits[ident] = habit
        if len(habits) > model.MAX_HABITS:
            raise _fail(f"the file must hold 1 to {model.MAX_HABITS} habits")
    return habits


def _history(conn: sqlite3.Connection, habits: dict[int, _Habit], reader: Reader) -> None:
    present = _columns(conn, "Repetitions", _REPS_REQUIRED)
    columns = ", ".join(_column(c, present) for c in _REPS_REQUIRED + _REPS_OPTIONAL)
    rows = conn.execute(f'SELECT {columns} FROM "Repetitions" LIMIT ?', (model.MAX_ROWS + 1,))
    tally = Tally(reader.progress)
    n = 0
    while batch := rows.fetchmany(5_000):
        for owner, stamp, value, ident, notes in batch:
            n += 1
            if n > model.MAX_ROWS:
                raise _fail(f"more history than one import takes ({model.MAX_ROWS} rows in all)")
            where = f"Repetitions row id {ident}" if type(ident) is int else f"Repetitions row {n}"
            source = habits.get(_int(owner, where, "habit"))
            if source is None:
                continue  # a habit the file does not hold
            ms = _int(stamp, where, "timestamp")
            number = ms // _DAY_MS
            if number in source.seen:
                raise _fail(f"{where}: a second row for its habit on the same day")
            source.seen.add(number)
            if notes is not None and not isinstance(notes, str):
                raise _fail(f"{where}: notes is {_kind(notes)}, not text")
            imported = _repetition(source.numerical, value, where, note_of(notes))
            if imported is not None:
                source.habit.days[_day(ms, where, reader.today)] = imported
                tally.add(source.habit)


def _read(conn: sqlite3.Connection, reader: Reader) -> list[ImportedHabit]:
    conn.execute("PRAGMA trusted_schema=OFF")
    conn.execute("PRAGMA query_only=ON")
    conn.execute("PRAGMA cell_size_check=ON")
    _check_tables(conn)
    habits = _habits(conn)
    _history(conn, habits, reader)
    result: list[ImportedHabit] = []
    for _, source in sorted(habits.items(), key=lambda item: (item[1].position, item[0])):
        habit = source.habit
        if source.numerical:
            done = [d.value for d in habit.days.values() if not d.skip]
            habit.target = source.target if source.target is not None else typical_target(done)
        result.append(habit)
    return check_count(result)


def parse(data: bytes, reader: Reader) -> list[ImportedHabit]:
    """The habits of a Loop backup, sorted by position (see the module's rules)."""
    if len(data) > MAX_BYTES:
        raise _fail(f"{_NOT_LOOP}: the file is larger than {MAX_BYTES // 2**20} MiB")
    if not data.startswith(HEADER):
        raise _fail(
            f"{_NOT_LOOP}: the file is not an SQLite database; upload the"
            " 'Loop Habits Backup ... .db' file Loop writes"
        )
    deadline = time.monotonic() + BUDGET_SECONDS
    expired = False

    def tick() -> int:
        nonlocal expired
        expired = expired or time.monotonic() > deadline
        return 1 if expired else 0

    with tempfile.TemporaryDirectory(prefix="rapport-loop-") as folder:
        path = Path(folder) / "backup.db"
        path.write_bytes(data)
        try:
            with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)) as conn:
                conn.text_factory = _text
                conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_LENGTH)
                conn.set_progress_handler(tick, STEPS)
                return _read(conn, reader)
        except (sqlite3.Error, ValueError, OverflowError) as exc:
            # ValueError: SQLite's message about a damaged schema may itself not be UTF-8.
            if expired:
                raise _fail(
                    f"{_NOT_LOOP}: reading it takes longer than {BUDGET_SECONDS:g} seconds"
                ) from exc
            raise _fail(f"{_NOT_LOOP}: SQLite cannot read it ({exc})") from exc
