"""Loop Habit Tracker's "Export as CSV" ZIP, in both the layouts Loop has written.

The layout is read from the header of ``Habits.csv``: a ``Type`` or ``FrequencyNumerator``
column means today's layout, a ``NumRepetitions`` column the older one; neither refuses the
file. Only ``Habits.csv`` and each habit's ``NNN <name>/Checkmarks.csv`` are unpacked. The
root ``Checkmarks.csv`` and ``Scores.csv`` and each habit's ``Scores.csv`` are never read:
they are Loop's own derivations of the same entries, and Rapport derives its own. A folder
whose number ``NNN`` is no habit's ``Position`` is ignored.

Today's layout
--------------
``Habits.csv``: ``Position, Name, Type, Question, Description, FrequencyNumerator,
FrequencyDenominator, Color, Unit, Target Type, Target Value, Archived?``.

- ``Name`` is the title (line breaks and control characters become spaces, at most 120
  characters). ``Question``, ``Description``, ``Color`` and ``Unit`` have no place in a
  Rapport habit and are not imported.
- ``FrequencyNumerator`` times in ``FrequencyDenominator`` days (each 1 to 100,000) becomes
  the nearest schedule: n/n or more daily, n/7 n times a week, 1/n (n up to 365) every n
  days, anything else the nearest "times a week" (``model.schedule_for``).
- ``Archived?`` (``true``/``false``, any case, blank is false) is kept.
- ``Type`` ``YES_NO`` is a check habit. In its ``Checkmarks.csv`` (``Date, Value, Notes``)
  ``YES_MANUAL`` is a done day and ``SKIP`` a skipped day; ``YES_AUTO`` (implied by the
  frequency, not entered), ``NO``, ``UNKNOWN`` and a blank value are not check-ins.
- ``Type`` ``NUMERICAL`` is a count habit. Its values are thousandths of the unit; a day's
  amount is that divided by 1000 and rounded half up (2.5 pages count 3, 0.499 count 0); an
  amount of 0 is not a check-in, and an amount above 100,000 refuses the file. A blank,
  ``-1`` or ``UNKNOWN`` value is no entry; ``SKIP`` is a skipped day.
- ``Target Type`` ``AT_LEAST`` (or blank) is the count habit's target: ``Target Value`` is
  in the unit, not in thousandths (``10``, ``10.0`` and ``10.5`` all read as units),
  rounded half up and held to 1..10,000. A blank ``Target Value`` takes the median of the
  habit's done days (at least 2). ``AT_MOST`` ("no more than N a day") cannot be expressed
  in Rapport: it refuses the whole file, naming the habit, rather than turning a limit into
  a goal.

The older layout
----------------
``Habits.csv``: ``Position, Name, Question, Description, NumRepetitions, Interval, Color``
(``NumRepetitions`` times every ``Interval`` days; blank is 1). In ``Checkmarks.csv``
(``Date, Value[, Notes]``) ``2`` is a check the user made and ``3`` a skip; ``1`` (implied),
``0``, ``-1`` and a blank are not check-ins. Any other number (0 to 100,000) makes the habit
a count habit: each day's value is that number rounded half to even (Python's ``round``),
at least 1, a ``2`` counting 2; its target is the median of its done days (at least 2).

In both layouts
---------------
- Dates are ``YYYY-MM-DD`` and are the user's own local days: no time zone conversion
  happens. Every row's date must be a date; an imported day must lie between 2000-01-01
  and the user's today (rows that import nothing may lie after it).
- A date twice in one ``Checkmarks.csv`` refuses the file (Loop never writes that).
- ``Notes`` on an imported day become that check-in's note (control characters dropped,
  at most 500 characters); a note on a day that imports nothing is not imported.
- Loop has no categories (the caller names one) and no reminders in this export.
- All or nothing: any problem refuses the whole file with what is wrong and where.
"""

from __future__ import annotations

import csv
import io
import math
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from server.services.archives import Archive
from server.services.errors import Invalid
from server.services.imports import model
from server.services.imports.model import (
    ImportedDay,
    ImportedHabit,
    Reader,
    Tally,
    check_count,
    check_day,
    note_of,
    parse_value,
    schedule_for,
    title_of,
    typical_target,
)

WHAT = "Loop's CSV export (Settings, Export as CSV)"
MAX_FREQUENCY = 100_000
_FOLDER = re.compile(r"^(\d{1,6}) ")
_WHOLE = re.compile(r"^[+-]?\d{1,12}$")
_NEW = ("Position", "Name", "Type", "FrequencyNumerator", "FrequencyDenominator")
_OLD = ("Position", "Name", "NumRepetitions", "Interval")
_DAYS = ("Date", "Value")
_YES_NO_NOTHING = frozenset({"YES_AUTO", "NO", "UNKNOWN", ""})
_NUMERICAL_NOTHING = frozenset({"UNKNOWN", "-1", ""})
_OLD_NOTHING = frozenset({"", "-1", "0", "1"})


def _fail(message: str) -> Invalid:
    return Invalid(message, field="file")


# What zipfile may raise beyond what ``Archive`` turns into Invalid (a damaged name in a
# header is a UnicodeDecodeError, a ValueError).
_ZIP_DAMAGE = (ValueError, struct.error, OverflowError, IndexError, KeyError)


def _open(data: bytes) -> Archive:
    try:
        return Archive(data, what=WHAT)
    except _ZIP_DAMAGE as exc:
        raise _fail(f"not a ZIP file: upload the file {WHAT} writes ({exc})") from exc


def _read(archive: Archive, name: str) -> str:
    try:
        return archive.text(name)
    except _ZIP_DAMAGE as exc:
        raise _fail(f"{name} is damaged in the archive: {exc}") from exc


def amount_of(thousandths: float) -> int:
    """A day's amount from Loop's thousandths of the unit, rounded half up.

    >>> [amount_of(t) for t in (0, 499, 500, 2_500, 9_500, 12_000, 12_499)]
    [0, 0, 1, 3, 10, 12, 12]
    """
    return math.floor((thousandths + 500) / 1000)


def target_of(units: float) -> int:
    """A count habit's target from Loop's target in units: rounded half up, 1 to 10,000.

    >>> [target_of(u) for u in (0.0, 0.4, 2.5, 10.0, 15_000.0)]
    [1, 1, 3, 10, 10000]
    """
    return max(1, min(model.MAX_TARGET, math.floor(units + 0.5)))


def whole(raw: str, where: str, column: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` (the file's text, or Invalid)."""
    text = raw.strip()
    if not _WHOLE.match(text):
        raise _fail(f"{where}: {column} {raw[:40]!r} is not a whole number")
    number = int(text)
    if not low <= number <= high:
        raise _fail(f"{where}: {column} {number} is not from {low} to {high}")
    return number


def day_of(raw: str, where: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise _fail(f"{where}: {raw[:40]!r} is not a date (YYYY-MM-DD)") from exc


@dataclass
class _Source:
    """A habit of Habits.csv while its history is read."""

    position: int
    habit: ImportedHabit
    numerical: bool = False  # today's layout: a NUMERICAL habit
    target: int | None = None  # today's layout: Target Value, when the file has one
    amounts: dict[date, float] = field(default_factory=dict)  # older layout: raw values


def _rows(text: str, name: str, required: tuple[str, ...]) -> Iterator[tuple[str, dict[str, str]]]:
    """The CSV's rows as (where, column -> stripped value), blank lines left out."""
    lines = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    try:
        header = next(lines, None)
        if header is None:
            return
        keys = [key.strip() for key in header]
        missing = [key for key in required if key not in keys]
        if missing:
            raise _fail(f"{name}: no {', '.join(missing)} column (line 1: {_short(header)})")
        for fields in lines:
            if any(value.strip() for value in fields):
                row = dict.fromkeys(keys, "")  # a short row: its missing fields are blank
                row.update((key, value.strip()) for key, value in zip(keys, fields, strict=False))
                yield f"{name}, line {lines.line_num}", row
    except csv.Error as exc:
        raise _fail(f"{name}, line {lines.line_num}: not CSV Loop writes ({exc})") from exc


def _short(header: list[str]) -> str:
    text = ",".join(header)
    return repr(text if len(text) <= 200 else text[:200] + "...")


def _layout(text: str) -> bool:
    """True for today's layout, False for the older one; Invalid for anything else."""
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), skipinitialspace=True), [])
    except csv.Error as exc:
        raise _fail(f"not a Loop CSV export: Habits.csv, line 1 is not CSV ({exc})") from exc
    keys = {key.strip() for key in header}
    if "Type" in keys or "FrequencyNumerator" in keys:
        return True
    if "NumRepetitions" in keys:
        return False
    raise _fail(
        "not a Loop CSV export: Habits.csv has neither today's columns (Type,"
        " FrequencyNumerator, ...) nor the older ones (NumRepetitions, Interval); its"
        f" header is {_short(header)}"
    )


def _flag(raw: str, where: str) -> bool:
    text = raw.lower()
    if text not in ("true", "false", ""):
        raise _fail(f"{where}: Archived? {raw[:40]!r} is not true or false")
    return text == "true"


def _new_habit(row: dict[str, str], where: str) -> _Source:
    position = whole(row["Position"], where, "Position", 0, 999_999)
    title = title_of(row["Name"], where)
    times = whole(row["FrequencyNumerator"], where, "FrequencyNumerator", 1, MAX_FREQUENCY)
    days = whole(row["FrequencyDenominator"], where, "FrequencyDenominator", 1, MAX_FREQUENCY)
    source = _Source(
        position,
        ImportedHabit(
            title=title,
            schedule=schedule_for(times, days),
            archived=_flag(row.get("Archived?", ""), where),
        ),
    )
    kind = row["Type"].upper()
    if kind == "YES_NO":
        return source
    if kind != "NUMERICAL":
        raise _fail(f"{where}: Type {row['Type'][:40]!r} is not YES_NO or NUMERICAL")
    source.numerical = True
    source.habit.kind = "count"
    target_type = row.get("Target Type", "").upper()
    if target_type == "AT_MOST":
        raise _fail(
            f"{where}: {title!r} is an 'at most' habit (a daily limit), which Rapport cannot"
            " track; nothing was imported. Delete that habit in Loop (or its row in"
            " Habits.csv) and export again to import the others"
        )
    if target_type not in ("AT_LEAST", ""):
        raise _fail(f"{where}: Target Type {row['Target Type'][:40]!r} is not AT_LEAST")
    raw = row.get("Target Value", "")
    if raw:
        try:
            units = float(raw)
        except ValueError as exc:
            raise _fail(f"{where}: Target Value {raw[:40]!r} is not a number") from exc
        if not math.isfinite(units) or units < 0:
            raise _fail(f"{where}: Target Value {raw[:40]!r} is not a number from 0 up")
        source.target = target_of(units)
    return source


def _old_habit(row: dict[str, str], where: str) -> _Source:
    position = whole(row["Position"], where, "Position", 0, 999_999)
    title = title_of(row["Name"], where)
    times = whole(row["NumRepetitions"] or "1", where, "NumRepetitions", 1, MAX_FREQUENCY)
    days = whole(row["Interval"] or "1", where, "Interval", 1, MAX_FREQUENCY)
    return _Source(position, ImportedHabit(title=title, schedule=schedule_for(times, days)))


def _habits(text: str, new: bool) -> dict[int, _Source]:
    sources: dict[int, _Source] = {}
    lines: dict[int, str] = {}
    required = _NEW if new else _OLD
    for where, row in _rows(text, "Habits.csv", required):
        source = _new_habit(row, where) if new else _old_habit(row, where)
        if source.position in sources:
            raise _fail(f"{where}: Position {source.position} is taken ({lines[source.position]})")
        sources[source.position] = source
        lines[source.position] = where
        if len(sources) > model.MAX_HABITS:
            raise _fail(f"the file must hold 1 to {model.MAX_HABITS} habits")
    return sources


def _folders(names: list[str], positions: dict[int, _Source]) -> dict[int, str]:
    """Each known habit's Checkmarks.csv; nothing else is ever unpacked."""
    found: dict[int, str] = {}
    for name in names:
        folder, _, file = name.partition("/")
        match = _FOLDER.match(folder)
        if file != "Checkmarks.csv" or not match:
            continue
        position = int(match.group(1))
        if position not in positions:
            continue
        if position in found:
            raise _fail(f"two folders hold habit {position}'s history: {found[position]}, {name}")
        found[position] = name
    return found


def _new_day(source: _Source, raw: str, where: str, note: str | None) -> ImportedDay | None:
    value = raw.upper()
    if not source.numerical:
        if value == "YES_MANUAL":
            return ImportedDay(value=1, note=note)
        if value == "SKIP":
            return ImportedDay(value=0, skip=True, note=note)
        if value in _YES_NO_NOTHING:
            return None
        raise _fail(
            f"{where}: {raw[:40]!r} is not YES_MANUAL, YES_AUTO, NO, SKIP or UNKNOWN"
            " (a yes/no habit)"
        )
    if value in _NUMERICAL_NOTHING:
        return None
    if value == "SKIP":
        return ImportedDay(value=0, skip=True, note=note)
    try:
        thousandths = float(raw)
    except ValueError as exc:
        raise _fail(f"{where}: {raw[:40]!r} is not a number (a numerical habit)") from exc
    if not math.isfinite(thousandths) or not 0 <= thousandths <= model.MAX_VALUE * 1000:
        raise _fail(
            f"{where}: {raw[:40]!r} is not an amount from 0 to {model.MAX_VALUE}"
            f" (Loop writes thousandths: 0 to {model.MAX_VALUE * 1000})"
        )
    amount = amount_of(thousandths)
    return ImportedDay(value=amount, note=note) if amount else None


def _history(
    source: _Source, text: str, name: str, new: bool, reader: Reader, tally: Tally
) -> None:
    seen: dict[date, str] = {}
    for where, row in _rows(text, name, _DAYS):
        day = day_of(row["Date"], where)
        if day in seen:
            raise _fail(f"{where}: {day} is there twice ({seen[day]})")
        seen[day] = where
        raw = row["Value"]
        note = note_of(row.get("Notes"))
        if new:
            imported = _new_day(source, raw, where, note)
            if imported is None:
                continue
        else:
            if raw in _OLD_NOTHING:
                continue
            source.amounts[day] = parse_value(raw, where)
            skip = raw == "3"
            imported = ImportedDay(value=0 if skip else 1, skip=skip, note=note)
        source.habit.days[check_day(day, where, reader.today)] = imported
        tally.add(source.habit)


def _finish(source: _Source, new: bool) -> ImportedHabit:
    habit = source.habit
    if new:
        if source.numerical:
            done = [d.value for d in habit.days.values() if not d.skip]
            habit.target = source.target if source.target is not None else typical_target(done)
        return habit
    # The older layout, as Rapport always read it: any value but a 2 makes a count habit.
    if any(not d.skip and source.amounts[day] != 2.0 for day, d in habit.days.items()):
        habit.kind = "count"
        for day, d in list(habit.days.items()):
            if not d.skip:
                value = max(1, round(source.amounts[day]))
                habit.days[day] = ImportedDay(value=value, note=d.note)
        habit.target = typical_target([d.value for d in habit.days.values() if not d.skip])
    return habit


def parse(data: bytes, reader: Reader) -> list[ImportedHabit]:
    """The habits of a Loop CSV export, sorted by position (see the module's rules)."""
    archive = _open(data)
    names = archive.names()
    if "Habits.csv" not in names:
        raise _fail(
            "not a Loop CSV export: Habits.csv is missing from the archive; upload the ZIP"
            f" {WHAT} writes"
        )
    text = _read(archive, "Habits.csv")
    new = _layout(text)
    sources = _habits(text, new)
    tally = Tally(reader.progress)
    for position, name in sorted(_folders(names, sources).items()):
        _history(sources[position], _read(archive, name), name, new, reader, tally)
    return check_count([_finish(sources[p], new) for p in sorted(sources)])
