"""Habitica's data export (``userdata.json``): its dailies and its "+" habits, with history.

Habitica's Settings > Site Data > Export Data > "User Data" (JSON) downloads one JSON object:
the user document (``auth``, ``profile``, ``stats``, ``preferences``...) with the tasks by
type under ``tasks`` (``habits``, ``dailys``, ``todos``, ``rewards``; a type the account
has none of is left out). Only ``tasks.dailys`` and ``tasks.habits`` are read;
``history.csv`` is not needed (the same entries, without the flags that say which
were check-ins).

What becomes what:

- **Dailies** (``tasks.dailys``) become check habits. Schedule:
  - ``frequency: "daily"``, ``everyX`` n: n = 1 is every day; n from 2 to 365 is every n
    days; above 365, every 365 days.
  - ``frequency: "weekly"``, ``everyX`` 1, ``repeat`` (``m t w th f s su``, true or false):
    those weekdays (all seven: every day). Every k weeks (``everyX`` k >= 2): the ticked
    days spread over 7k days, as below.
  - ``frequency: "monthly"``: the days of ``daysOfMonth``, or the weeks of ``weeksOfMonth``
    times the ticked ``repeat`` days, or once when both are empty, in every 30k days
    (``everyX`` k); ``frequency: "yearly"``: once in every 365k days.
  - "t times in d days" is read as: every day when t >= d; t times a week (rounded, 1 to 7)
    when that is at least once a week; otherwise every d/t days (rounded, 2 to 365).
  - A daily Habitica never makes due (``everyX`` 0, or weekly with no day ticked) keeps
    its history with the least demanding schedule: once a week.
  - Missing fields take Habitica's defaults (``weekly``, ``everyX`` 1, every day ticked).
    ``startDate`` is not kept: a Rapport schedule has no start date.
  - Done days: history entries with ``completed: true``. Entries with ``completed:
    false`` (written by Habitica's day change for a daily left unchecked) are not
    check-ins; entries with no ``completed`` at all are left out too: they are Habitica's
    merged monthly or yearly averages, or come from exports older than the flag, and
    neither says which day was done.
- **Habits** (``tasks.habits``) with a "+" (``up``, true when missing) become habits
  scheduled every day. A history entry's ``scoredUp`` (times "+" was pressed that day)
  above 0 makes a done day. When some day had more than one press the habit becomes a
  count habit: each day's value is its presses, the target the median done day
  (``typical_target``, at least 2); otherwise a check habit. "-" presses are not
  imported, and entries with no ``scoredUp`` (merged averages, old exports) are left
  out.
- **Not imported**: habits with only a "-" button, or no button at all (Rapport has no
  habits to avoid, and a habit with no button is a divider or a note); to-dos (one-off
  tasks, not habits); rewards (items of Habitica's shop). Neither are the task's
  ``notes`` (one note per task, where a Rapport note belongs to a day), tags, checklists,
  difficulty, streak, value or counters, nor Habitica's ``dayStart`` and time zone:
  days follow the importing account's own zone and day start.
- Tasks of challenges (``challenge.id``) and groups are imported like any other task.
  Habitica has no archived tasks: everything arrives active. Titles come from ``text``,
  cleaned like any imported title (markdown and emoji are kept as written).
- **Reminders** (``reminders[].time``, an ISO 8601 instant) become local "HH:MM" times:
  the instant in the account's time zone, on the instant's own date, so a reminder set
  in winter keeps its wall-clock time. At most 5, duplicates once; a time that is not an
  instant with a zone is skipped.

Days: a history entry's ``date`` is epoch milliseconds (a number, or a numeric string in
some documents) or, in old documents, an ISO 8601 instant with a zone; anything else is
refused. The instant's day is the account's day (its zone and day-start hour), so an
entry at 02:30 for an account whose day starts at 04:00 counts for the day before. Every
entry's day must lie from 2000-01-01 to the account's today, else the file is refused.
Entries on the same day merge: a daily is done once; a habit's presses add up.

Habitica thins history: a task keeps one entry a day for about 60 days (365 for
subscribers and challenges), then one merged average a month, then one a year. Those
averages say nothing about single days, so older history arrives incomplete.
Habitica also stamps a daily checked through "Record yesterday's activity" at the moment
it was checked, on the next day: such a check lands on that next day.

Bounds: at most ``MAX_HABITS`` habits after leaving out what is not imported, at most
``MAX_DAYS_PER_HABIT`` history entries a task and the row bounds of ``Tally``; an account
with nothing to import is refused with a message that says so. Every field read is
checked: a wrong type, a fractional or out-of-range number is refused (``Invalid``, on
``file``); a missing or null optional field takes Habitica's default. Fields not named
here are neither read nor checked.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec

from server.domain.calendar import HISTORY_STARTS, zone
from server.services.errors import Invalid
from server.services.imports import model
from server.services.imports.model import (
    ImportedDay,
    ImportedHabit,
    Reader,
    Tally,
    check_count,
    check_day,
    check_value,
    title_of,
)
from shared import schemas

MAX_REMINDERS = 5
EVERY_X_MAX = 9_999  # Habitica's own bound on ``everyX``
_WEEKDAYS = (("m", 1), ("t", 2), ("w", 3), ("th", 4), ("f", 5), ("s", 6), ("su", 7))
_NUMERIC = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = _EPOCH.date()
_MS = timedelta(milliseconds=1)
_DAY_MS = 86_400_000
_BOM = b"\xef\xbb\xbf"
_HABITICA_TASKS = ("dailys", "habits", "todos", "rewards")
_HABITICA_USER = ("auth", "profile", "stats")
_NONE_TO_IMPORT = (
    "nothing to import: this Habitica export has no dailies and no habits with a + button"
    " (to-dos, rewards and habits with only a - button are not imported)"
)

_short = reprlib.Repr()
_short.maxstring = 40
_short.maxother = 40
_short.maxlong = 40
_short.maxlevel = 2


def looks_like(document: object) -> bool:
    """Whether a decoded JSON value looks like Habitica's ``userdata.json``.

    True for an object without a ``format`` key (Rapport's own export has one) whose
    ``tasks`` object holds any of ``dailys``, ``habits``, ``todos``, ``rewards``, or that
    has any of Habitica's ``auth``, ``profile`` or ``stats`` objects beside a ``tasks``
    object or none (the API's user document, which ``parse`` then refuses by name).

    >>> looks_like({"tasks": {"dailys": []}}), looks_like({"auth": {}, "tasks": {}})
    (True, True)
    >>> looks_like({"format": "rapport/v1", "profile": {}, "habits": []}), looks_like([])
    (False, False)
    """
    if not isinstance(document, dict) or "format" in document:
        return False
    tasks = document.get("tasks")
    if isinstance(tasks, dict) and any(key in tasks for key in _HABITICA_TASKS):
        return True
    return (tasks is None or isinstance(tasks, dict)) and any(
        isinstance(document.get(key), dict) for key in _HABITICA_USER
    )


def parse(data: bytes, reader: Reader) -> list[ImportedHabit]:
    """The habits of a Habitica ``userdata.json``, as the module docstring maps them."""
    document = _decode(data)
    if not isinstance(document, dict):
        raise _invalid("not a Habitica export: the file is JSON but not an object")
    tasks = document.get("tasks")
    if not isinstance(tasks, dict):
        raise _invalid(
            'not a Habitica export: it has no "tasks" object (Habitica\'s Settings > Site'
            " Data > Export Data > User Data, as JSON, writes one)"
        )
    dailies = _list(tasks.get("dailys"), "tasks.dailys")
    habits = _list(tasks.get("habits"), "tasks.habits")
    if len(dailies) > model.MAX_HABITS:
        raise _too_many()
    # Every history entry is read (and most are not check-ins): bound them all, before
    # reading any, by the rows one import takes.
    entries = sum(
        len(task["history"])
        for task in (*dailies, *habits)
        if isinstance(task, dict) and isinstance(task.get("history"), list)
    )
    if entries > model.MAX_ROWS:
        raise _invalid(
            f"more history than one import takes ({entries} entries; at most {model.MAX_ROWS})"
        )
    tally = Tally(reader.progress)
    imported: list[ImportedHabit] = []
    for index, raw in enumerate(dailies):
        imported.append(_daily(_task(raw, f"tasks.dailys[{index}]"), index, reader, tally))
    for index, raw in enumerate(habits):
        habit = _habit(_task(raw, f"tasks.habits[{index}]"), index, reader, tally)
        if habit is not None:
            imported.append(habit)
            if len(imported) > model.MAX_HABITS:
                raise _too_many()
    if not imported:
        raise _invalid(_NONE_TO_IMPORT)
    return check_count(imported)


# -- tasks --------------------------------------------------------------------------------


def _daily(task: Mapping[str, Any], index: int, reader: Reader, tally: Tally) -> ImportedHabit:
    where = f"tasks.dailys[{index}]"
    title = title_of(_text(task, where), where)
    where = f"{where} ({title!r})"
    habit = ImportedHabit(
        title=title,
        schedule=_schedule(task, where),
        reminders=_reminders(task.get("reminders"), f"{where}.reminders", reader),
    )
    for spot, entry in _history(task, where):
        completed = entry.get("completed")
        if completed is not None and not isinstance(completed, bool):
            raise _invalid(f"{spot}.completed: {_show(completed)} is not true or false")
        day = _day(entry, spot, reader)
        if completed and day not in habit.days:
            habit.days[day] = ImportedDay()
            tally.add(habit)
    habit.days = dict(sorted(habit.days.items()))
    return habit


def _habit(
    task: Mapping[str, Any], index: int, reader: Reader, tally: Tally
) -> ImportedHabit | None:
    where = f"tasks.habits[{index}]"
    if not _flag(task, "up", where, default=True):
        return None
    title = title_of(_text(task, where), where)
    where = f"{where} ({title!r})"
    habit = ImportedHabit(
        title=title,
        schedule=schemas.Daily(),
        reminders=_reminders(task.get("reminders"), f"{where}.reminders", reader),
    )
    for spot, entry in _history(task, where):
        raw = entry.get("scoredUp")
        presses = None if raw is None else _whole(raw, f"{spot}.scoredUp", 0, model.MAX_VALUE)
        day = _day(entry, spot, reader)
        if not presses:
            continue
        before = habit.days.get(day)
        if before is None:
            habit.days[day] = ImportedDay(value=presses)
            tally.add(habit)
        else:
            total = int(check_value(before.value + presses, f"{where}: {day}, presses"))
            habit.days[day] = ImportedDay(value=total)
    habit.days = dict(sorted(habit.days.items()))
    if any(day.value > 1 for day in habit.days.values()):
        habit.kind = "count"
        habit.target = model.typical_target([day.value for day in habit.days.values()])
    return habit


def _schedule(task: Mapping[str, Any], where: str) -> schemas.Schedule:
    frequency = task.get("frequency")
    frequency = "weekly" if frequency is None else frequency
    every = task.get("everyX")
    every = 1 if every is None else _whole(every, f"{where}.everyX", 0, EVERY_X_MAX)
    weekdays = _repeat(task.get("repeat"), f"{where}.repeat")
    if frequency == "daily":
        if every == 0:
            return schemas.TimesPerWeek(times=1)
        return schemas.Daily() if every == 1 else schemas.EveryNDays(n=min(every, 365))
    if frequency == "weekly":
        if every == 0 or not weekdays:
            return schemas.TimesPerWeek(times=1)
        if every == 1:
            if len(weekdays) == 7:
                return schemas.Daily()
            return schemas.Weekdays(days=weekdays)
        return _nearest(len(weekdays), 7 * every)
    if frequency == "monthly":
        month_days = _numbers(task.get("daysOfMonth"), f"{where}.daysOfMonth", 1, 31)
        weeks = _numbers(task.get("weeksOfMonth"), f"{where}.weeksOfMonth", 0, 4)
        if every == 0:
            return schemas.TimesPerWeek(times=1)
        if month_days:
            times = len(month_days)
        elif weeks:
            times = len(weeks) * max(1, len(weekdays))
        else:
            times = 1
        return _nearest(times, 30 * every)
    if frequency == "yearly":
        return schemas.TimesPerWeek(times=1) if every == 0 else _nearest(1, 365 * every)
    raise _invalid(
        f"{where}.frequency: {_show(frequency)} is not one of daily, weekly, monthly, yearly"
    )


def _nearest(times: int, days: int) -> schemas.Schedule:
    """The Rapport schedule nearest to "``times`` in every ``days`` days".

    >>> _nearest(1, 1), _nearest(3, 14), _nearest(1, 14), _nearest(2, 30), _nearest(1, 730)
    (Daily(), TimesPerWeek(times=2), EveryNDays(n=14), EveryNDays(n=15), EveryNDays(n=365))
    >>> _nearest(8, 30), _nearest(3, 7)
    (TimesPerWeek(times=2), TimesPerWeek(times=3))
    """
    if times >= days:
        return schemas.Daily()
    if 7 * times >= days:
        return schemas.TimesPerWeek(times=max(1, min(7, int(7 * times / days + 0.5))))
    return schemas.EveryNDays(n=max(2, min(365, int(days / times + 0.5))))


def _repeat(raw: object, where: str) -> list[int]:
    """The ISO weekdays ticked in a daily's ``repeat`` (Habitica ticks all by default)."""
    if raw is None:
        return [day for _, day in _WEEKDAYS]
    if not isinstance(raw, dict):
        raise _invalid(f"{where}: {_show(raw)} is not an object of weekdays")
    return [day for key, day in _WEEKDAYS if _flag(raw, key, where, default=True)]


def _reminders(raw: object, where: str, reader: Reader) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _invalid(f"{where}: {_show(raw)} is not a list")
    times: list[str] = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise _invalid(f"{where}[{index}]: {_show(item)} is not an object")
        clock = _clock(item.get("time"), reader.timezone)
        if clock is not None and clock not in times and len(times) < MAX_REMINDERS:
            times.append(clock)
    return times


def _clock(raw: object, timezone: str) -> str | None:
    """A reminder's local "HH:MM", or None when its time is not an instant with a zone."""
    if not isinstance(raw, str) or len(raw) > 64:
        return None
    try:
        instant = datetime.fromisoformat(raw.strip())
        if instant.tzinfo is None:
            return None
        return instant.astimezone(zone(timezone)).strftime("%H:%M")
    except (ValueError, OverflowError):
        return None


# -- history ------------------------------------------------------------------------------


def _history(task: Mapping[str, Any], where: str) -> list[tuple[str, Mapping[str, Any]]]:
    entries = _list(task.get("history"), f"{where}.history")
    if len(entries) > model.MAX_DAYS_PER_HABIT:
        raise _invalid(
            f"{where}: more history than one import takes ({model.MAX_DAYS_PER_HABIT}"
            " entries a task)"
        )
    checked: list[tuple[str, Mapping[str, Any]]] = []
    for index, entry in enumerate(entries):
        spot = f"{where}.history[{index}]"
        if not isinstance(entry, dict):
            raise _invalid(f"{spot}: {_show(entry)} is not an object")
        checked.append((spot, entry))
    return checked


def _day(entry: Mapping[str, Any], where: str, reader: Reader) -> date:
    """The account's day of a history entry's ``date``, within 2000-01-01 to today."""
    where = f"{where}.date"
    raw = entry.get("date")
    millis: float
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        millis = raw
    elif isinstance(raw, str) and len(raw) <= 64 and _NUMERIC.fullmatch(raw.strip()):
        millis = float(raw)
    elif isinstance(raw, str) and len(raw) <= 64:
        millis = _iso_millis(raw, where)
    else:
        raise _invalid(
            f"{where}: {_show(raw)} is not a time (epoch milliseconds or an ISO 8601 instant)"
        )
    # Two days either side cover every zone and day-start hour; beyond them the day is
    # outside the history anyway, and datetime would overflow.
    earliest = ((HISTORY_STARTS - _EPOCH_DAY).days - 2) * _DAY_MS
    latest = ((reader.today - _EPOCH_DAY).days + 2) * _DAY_MS
    if not math.isfinite(millis) or not earliest <= millis <= latest:
        raise _invalid(
            f"{where}: {_show(raw)} is outside {HISTORY_STARTS} to today ({reader.today})"
        )
    instant = _EPOCH + timedelta(milliseconds=millis)
    return check_day(reader.day_of(instant), f"{where} {_show(raw)}", reader.today)


def _iso_millis(raw: str, where: str) -> float:
    try:
        instant = datetime.fromisoformat(raw.strip())
    except ValueError as exc:
        raise _invalid(
            f"{where}: {_show(raw)} is not a time (epoch milliseconds or an ISO 8601 instant)"
        ) from exc
    if instant.tzinfo is None:
        raise _invalid(f"{where}: {_show(raw)} has no time zone (Z or an offset)")
    return (instant - _EPOCH) / _MS  # aware subtraction: no overflow, even at year 1


# -- fields -------------------------------------------------------------------------------


def _decode(data: bytes) -> object:
    try:
        return msgspec.json.decode(data.removeprefix(_BOM))
    except msgspec.DecodeError as exc:
        raise _invalid(f"not a Habitica export: the file is not JSON ({exc})") from exc
    except RecursionError as exc:
        raise _invalid("not a Habitica export: the JSON is nested too deeply") from exc


def _task(raw: object, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        raise _invalid(f"{where}: {_show(raw)} is not a task (an object)")
    return raw


def _text(task: Mapping[str, Any], where: str) -> str:
    text = task.get("text")
    if not isinstance(text, str):
        raise _invalid(f"{where}.text: {_show(text)} is not a task's name (a string)")
    return text


def _list(raw: object, where: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _invalid(f"{where}: {_show(raw)} is not a list")
    return raw


def _flag(raw: Mapping[str, Any], key: str, where: str, *, default: bool) -> bool:
    value = raw.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _invalid(f"{where}.{key}: {_show(value)} is not true or false")
    return value


def _whole(raw: object, where: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` (JSON's 3.0 counts as 3)."""
    if (
        not isinstance(raw, int | float)
        or isinstance(raw, bool)
        or (isinstance(raw, float) and not raw.is_integer())
        or not low <= raw <= high
    ):
        raise _invalid(f"{where}: {_show(raw)} is not a whole number from {low} to {high}")
    return int(raw)


def _numbers(raw: object, where: str, low: int, high: int) -> set[int]:
    return {_whole(item, f"{where}[{i}]", low, high) for i, item in enumerate(_list(raw, where))}


def _show(value: object) -> str:
    return _short.repr(value)


def _too_many() -> Invalid:
    return _invalid(
        f"the file must hold 1 to {model.MAX_HABITS} habits: this Habitica export has more"
        " dailies and habits with a + button"
    )


def _invalid(message: str) -> Invalid:
    return Invalid(message, field="file")
