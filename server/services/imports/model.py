"""What every import parser produces, and the bounds every one of them checks.

A parser turns a file into ``ImportedHabit`` values and nothing else: it never touches the
database, and it refuses (``Invalid``, the uploader's 422) anything outside the bounds
below or the API's own bounds for the same fields. One writer (``writer.py``) stores the
result in one transaction, so every format gets the same fair-play rules: history brings
streaks and strength, never points.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import msgspec

from server.domain.calendar import HISTORY_STARTS, local_day
from server.services.errors import Invalid
from shared import schemas

MAX_HABITS = 500
MAX_DAYS_PER_HABIT = 20_000  # 54 years of days
MAX_ROWS = 200_000
MAX_VALUE = 100_000  # a check-in's own bound (CheckInCreate.value)
MAX_TITLE = 120
MAX_NOTE = 500
MAX_TARGET = 10_000  # a habit's own bound (Target)
_NOT_IN_TITLE = re.compile(schemas.ONE_LINE_REFUSED)
_NOT_IN_NOTE = re.compile(schemas.PLAIN_TEXT_REFUSED)


class ImportedDay(msgspec.Struct, frozen=True, kw_only=True):
    """One day of a habit as the file says: done (with a value) or skipped."""

    value: int = 1  # count habits: that day's amount; check habits: 1
    skip: bool = False
    note: str | None = None


class ImportedHabit(msgspec.Struct, kw_only=True):
    title: str
    schedule: schemas.Schedule
    kind: schemas.Kind = "check"
    target: int = 1  # count habits: the daily amount that makes the day done (1 to 10,000)
    archived: bool = False
    days: dict[date, ImportedDay] = msgspec.field(default_factory=dict)
    # Local "HH:MM" reminder times the source app had, kept for the reminders feature.
    reminders: list[str] = msgspec.field(default_factory=list)


Progress = Callable[[int], None]
"""Called by a parser with the number of rows read so far (for a job's progress)."""


def no_progress(rows: int) -> None:
    return None


@dataclass(frozen=True)
class Reader:
    """What a parser knows about the importing user: their today and how their days run."""

    today: date
    timezone: str = "UTC"  # IANA name
    day_start_hour: int = 0
    progress: Progress = no_progress

    def day_of(self, instant: datetime) -> date:
        """The user's day an instant falls on (their zone, their day-start hour)."""
        return local_day(instant, self.timezone, self.day_start_hour)


class Tally:
    """Counts rows as a parser reads them and refuses a file past the bounds."""

    def __init__(self, progress: Progress = no_progress) -> None:
        self.rows = 0
        self._progress = progress

    def add(self, habit: ImportedHabit) -> None:
        self.rows += 1
        if len(habit.days) > MAX_DAYS_PER_HABIT or self.rows > MAX_ROWS:
            raise Invalid(
                f"more history than one import takes ({MAX_DAYS_PER_HABIT} days a habit,"
                f" {MAX_ROWS} in all)",
                field="file",
            )
        if self.rows % 5_000 == 0:
            self._progress(self.rows)


def check_day(day: date, where: str, today: date) -> date:
    """A day within the history the API accepts: 2000-01-01 to the user's today."""
    if not HISTORY_STARTS <= day <= today:
        raise Invalid(
            f"{where}: {day} is outside {HISTORY_STARTS} to today ({today})", field="file"
        )
    return day


def parse_day(raw: str, where: str, today: date) -> date:
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise Invalid(f"{where}: {raw!r} is not a date (YYYY-MM-DD)", field="file") from exc
    return check_day(day, where, today)


def check_value(value: float, where: str) -> float:
    """A day's amount within the API's own bounds for a check-in's value."""
    if not math.isfinite(value) or not 0 <= value <= MAX_VALUE:
        raise Invalid(f"{where}: {value!r} is not a value from 0 to {MAX_VALUE}", field="file")
    return value


def parse_value(raw: str, where: str) -> float:
    try:
        value = float(raw)
    except ValueError as exc:
        raise Invalid(f"{where}: {raw!r} is not a number", field="file") from exc
    return check_value(value, where)


def title_of(raw: str, where: str) -> str:
    """A habit title as the API would take it: one line, at most 120 characters.

    Other apps allow what Rapport refuses in a title (line breaks, control characters,
    direction overrides): those become spaces, by the contract's own rule.

    >>> title_of("Read\\n 20\\u202e pages ", "row 2")
    'Read 20 pages'
    """
    title = " ".join(_NOT_IN_TITLE.sub(" ", raw).split())[:MAX_TITLE].strip()
    if not title:
        raise Invalid(f"{where}: a habit without a name", field="file")
    return title


def note_of(raw: str | None) -> str | None:
    """A check-in note as the API would take it (control characters dropped), or None."""
    note = _NOT_IN_NOTE.sub("", raw or "").strip()[:MAX_NOTE].strip()
    return note or None


def check_count(habits: list[ImportedHabit]) -> list[ImportedHabit]:
    if not 1 <= len(habits) <= MAX_HABITS:
        raise Invalid(f"the file must hold 1 to {MAX_HABITS} habits", field="file")
    return habits


def schedule_for(times: int, days: int) -> schemas.Schedule:
    """The schedule nearest to "times in every `days` days" (Loop's and others' frequency).

    >>> schedule_for(1, 1), schedule_for(3, 7), schedule_for(1, 14), schedule_for(2, 30)
    (Daily(), TimesPerWeek(times=3), EveryNDays(n=14), TimesPerWeek(times=1))
    """
    if times >= days:
        return schemas.Daily()
    if days == 7:
        return schemas.TimesPerWeek(times=times)
    if times == 1 and days <= 365:
        return schemas.EveryNDays(n=days)
    return schemas.TimesPerWeek(times=max(1, min(7, round(7 * times / days))))


def typical_target(values: list[int]) -> int:
    """A count habit's target when the file has none: its median done day, 2 to 10,000.

    >>> typical_target([1, 5, 3]), typical_target([]), typical_target([1, 1])
    (3, 2, 2)
    """
    done = sorted(values)
    return min(MAX_TARGET, max(2, done[len(done) // 2])) if done else 2
