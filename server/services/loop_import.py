"""Import a Loop Habit Tracker CSV export (the ZIP its "Export as CSV" writes).

What is read, from Loop's exporter:
- ``Habits.csv``: ``Position, Name, Question, Description, NumRepetitions, Interval, Color``
  (a habit is due NumRepetitions times every Interval days);
- ``NNN <name>/Checkmarks.csv`` per habit: ``Date, Value[, Notes]`` with dates
  ``YYYY-MM-DD``; for yes/no habits ``2`` is a check the user made, ``3`` a skip, and
  ``1`` (implied by the frequency), ``0``, ``-1`` or empty are not check-ins; any other
  number makes the habit a count habit and is that day's value (rounded).

Frequencies map to schedules: 1/1 daily; n/7 n times a week; 1/n every n days; anything
else to the nearest "times a week". Loop has no categories: every habit takes the one the
caller names. History brings streaks and strength, not points: points are earned here.
All or nothing: a bad file imports nothing.
"""

from __future__ import annotations

import asyncio
import csv
import io
import math
import re
from collections import defaultdict
from datetime import date, timedelta

import msgspec

from server.domain.calendar import HISTORY_STARTS
from server.ids import new_id
from server.services.archives import Archive
from server.services.context import Context
from server.services.errors import Invalid
from server.services.habits import rebuild_progress, today_for
from server.store.areas.checkins import INSERT_ROWS
from server.store.records import CheckinRecord, HabitRecord, UserRecord
from shared import schemas

MAX_HABITS = 500
MAX_DAYS_PER_HABIT = 20_000  # 54 years of days
MAX_ROWS = 200_000
MAX_VALUE = 100_000  # a check-in's own bound (CheckInCreate.value)
IMPORTED = "imported"
_FOLDER = re.compile(r"^(\d{3}) ")


class LoopHabit(msgspec.Struct, kw_only=True):
    position: int
    name: str
    question: str
    repetitions: int
    interval: int
    days: dict[date, tuple[float, bool]] = msgspec.field(default_factory=dict)


def _rows(archive: Archive, name: str) -> list[dict[str, str]]:
    return [
        {k.strip(): (v or "").strip() for k, v in r.items() if k}
        for r in csv.DictReader(io.StringIO(archive.text(name)))
    ]


def _value(raw: str, where: str) -> float:
    """A Checkmarks value within the API's own bounds for a day's value."""
    try:
        value = float(raw)
    except ValueError as exc:
        raise Invalid(f"{where}: {raw!r} is not a number", field="file") from exc
    if not math.isfinite(value) or not 0 <= value <= MAX_VALUE:
        raise Invalid(f"{where}: {raw!r} is not a value from 0 to {MAX_VALUE}", field="file")
    return value


def _day(raw: str, where: str, today: date) -> date:
    try:
        day = date.fromisoformat(raw)
    except ValueError as exc:
        raise Invalid(f"{where}: {raw!r} is not a date (YYYY-MM-DD)", field="file") from exc
    if not HISTORY_STARTS <= day <= today:
        raise Invalid(
            f"{where}: {day} is outside {HISTORY_STARTS} to today ({today})", field="file"
        )
    return day


def parse_loop_zip(data: bytes, today: date) -> list[LoopHabit]:
    archive = Archive(data, what="Loop's CSV export")
    names = archive.names()
    if "Habits.csv" not in names:
        raise Invalid("Habits.csv is missing from the archive", field="file")
    habits: dict[int, LoopHabit] = {}
    rows = 0
    try:
        for row in _rows(archive, "Habits.csv"):
            position = int(row["Position"])
            habits[position] = LoopHabit(
                position=position,
                name=row["Name"],
                question=row.get("Question", ""),
                repetitions=int(row.get("NumRepetitions") or 1),
                interval=int(row.get("Interval") or 1),
            )
            if len(habits) > MAX_HABITS:
                break
        for name in names:
            folder, _, file = name.partition("/")
            match = _FOLDER.match(folder)
            if file != "Checkmarks.csv" or not match or int(match.group(1)) not in habits:
                continue  # never unpacked: only what is read counts
            target = habits[int(match.group(1))]
            for line, row in enumerate(_rows(archive, name), start=2):
                raw = row.get("Value", "")
                if raw in ("", "-1", "0", "1"):
                    continue
                where = f"{name}, line {line}"
                target.days[_day(row["Date"], where, today)] = (_value(raw, where), raw == "3")
                rows += 1
                if len(target.days) > MAX_DAYS_PER_HABIT or rows > MAX_ROWS:
                    raise Invalid(
                        f"more history than one import takes ({MAX_DAYS_PER_HABIT} days a"
                        f" habit, {MAX_ROWS} in all)",
                        field="file",
                    )
    except (KeyError, ValueError, csv.Error) as exc:
        raise Invalid(f"not a Loop CSV export: {exc}", field="file") from exc
    if not habits or len(habits) > MAX_HABITS:
        raise Invalid(f"the export must hold 1 to {MAX_HABITS} habits", field="file")
    for h in habits.values():
        if not h.name or h.repetitions < 1 or h.interval < 1:
            raise Invalid(f"habit {h.position}: bad name or frequency", field="file")
    return [habits[p] for p in sorted(habits)]


def schedule_for(repetitions: int, interval: int) -> schemas.Schedule:
    """The schedule nearest to "repetitions times every interval days".

    >>> schedule_for(1, 1), schedule_for(3, 7), schedule_for(1, 14)
    (Daily(), TimesPerWeek(times=3), EveryNDays(n=14))
    """
    if repetitions >= interval:
        return schemas.Daily()
    if interval == 7:
        return schemas.TimesPerWeek(times=repetitions)
    if repetitions == 1 and interval <= 365:
        return schemas.EveryNDays(n=interval)
    return schemas.TimesPerWeek(times=max(1, min(7, round(7 * repetitions / interval))))


def _is_count(h: LoopHabit) -> bool:
    return any(not skip and value not in (2.0,) for value, skip in h.days.values())


async def import_loop(
    ctx: Context, user: UserRecord, data: bytes, category: schemas.Category
) -> schemas.ImportReport:
    now = ctx.clock()
    today = today_for(ctx, user)
    # Unpacking and parsing is CPU work of up to a few seconds: off the event loop.
    habits = await asyncio.to_thread(parse_loop_zip, data, today)
    checkins = 0
    async with ctx.write(user.id) as q:
        records = []
        for h in habits:
            count = _is_count(h)
            values = {
                d: (max(1, round(v)) if count else 1, skip) for d, (v, skip) in h.days.items()
            }
            target = 1
            if count:
                done = sorted(v for v, skip in values.values() if not skip)
                target = max(2, done[len(done) // 2]) if done else 2  # the typical day
            habit = HabitRecord(
                id=new_id(), user_id=user.id, title=h.name[:120], category=category,
                schedule=msgspec.json.encode(schedule_for(h.repetitions, h.interval)).decode(),
                kind="count" if count else "check", target=target, difficulty="easy",
                template=None, relationship=None, archived=False,
                anchor_day=min(h.days, default=today), created_at=now, folded_through=None,
                streak_current=0, streak_best=0, freezes=0, freezes_used=0, strength=0.0,
                total_done=0,
                # Loop's history shows as streaks and strength; it prices nothing here.
                priced_from=today - timedelta(days=ctx.settings.backdate_days),
            )  # fmt: skip
            await q.habits.insert(habit)
            records.append(habit)
            rows = [
                CheckinRecord(
                    id=new_id(), habit_id=habit.id, user_id=user.id, day=day,
                    value=0 if skip else value, note=None, skip=skip, witness=None,
                    request_digest=IMPORTED, result="", created_at=now, deleted_at=None,
                )
                for day, (value, skip) in sorted(values.items())
            ]  # fmt: skip
            for start in range(0, len(rows), INSERT_ROWS):
                await q.checkins.insert_many(rows[start : start + INSERT_ROWS])
                await asyncio.sleep(0)  # let other requests in between batches
            checkins += len(rows)
        done_days: dict[date, int] = defaultdict(int)
        for habit, h in zip(records, habits, strict=True):
            for day, (amount, skipped) in h.days.items():
                if not skipped and (habit.kind == "check" or max(1, round(amount)) >= habit.target):
                    done_days[day] += 1
        for day, n in done_days.items():
            await q.checkins.add_to_day(user.id, day, category, n)
        await q.users.add_to_totals(user.id, done=sum(done_days.values()))
        for habit in records:
            await rebuild_progress(ctx, q, habit, today)
            await asyncio.sleep(0)
    return schemas.ImportReport(habits=len(habits), checkins=checkins, ledger_entries=0, badges=0)
