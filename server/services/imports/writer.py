"""Storing what an import parser read: one transaction, the fair-play rules of any import.

- History brings streaks and strength, never points: every habit is priced only from
  the start of the back-dating window, as if the user had created it today.
- No file gets past the active-habit cap: habits beyond the room left come in archived
  (the report says which), to be brought back one by one as any archived habit is.
- All or nothing: the habits and check-ins commit together or not at all.

Everything that costs CPU in proportion to the file (records and ids for every row, the
streaks and strength folded from the history) is done in a thread before the write
transaction opens, so the transaction (which on SQLite every other writer waits for)
only stores rows.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import msgspec

from server.domain import caps, reminders
from server.ids import new_id
from server.services.context import Context
from server.services.errors import NotFound
from server.services.habits import day_records, fold_history, stored_reminders, today_for
from server.services.imports.model import ImportedHabit
from server.store.areas.checkins import INSERT_ROWS
from server.store.records import CheckinRecord, HabitRecord, UserRecord
from shared import schemas

IMPORTED = "imported"  # request_digest of an imported check-in: no request made it


@dataclass
class Prepared:
    habits: list[tuple[HabitRecord, list[CheckinRecord]]] = field(default_factory=list)
    done_counts: dict[date, int] = field(default_factory=lambda: defaultdict(int))
    total_done: int = 0


def prepare(
    habits: list[ImportedHabit],
    user_id: str,
    category: schemas.Category,
    now: datetime,
    today: date,
    backdate_days: int,
) -> Prepared:
    """The records to store, with their progress folded (CPU work: run it in a thread)."""
    prepared = Prepared()
    for h in habits:
        habit = HabitRecord(
            id=new_id(), user_id=user_id, title=h.title, category=category,
            schedule=msgspec.json.encode(h.schedule).decode(), kind=h.kind,
            target=h.target, difficulty="easy", template=None, relationship=None,
            archived=h.archived, anchor_day=min(h.days, default=today), created_at=now,
            folded_through=None, streak_current=0, streak_best=0, freezes=0,
            freezes_used=0, strength=0.0, total_done=0,
            # The history shows as streaks and strength; it prices nothing here.
            priced_from=today - timedelta(days=backdate_days),
            reminders=stored_reminders(h.reminders[: reminders.MAX_REMINDERS]),
        )  # fmt: skip
        days = sorted(h.days.items())
        rows = [
            CheckinRecord(
                id=new_id(), habit_id=habit.id, user_id=user_id, day=day,
                value=0 if d.skip else d.value, note=d.note, skip=d.skip, witness=None,
                request_digest=IMPORTED, result="", created_at=now, deleted_at=None,
            )
            for day, d in days
        ]  # fmt: skip
        values = [(r.day, r.value, r.skip) for r in rows]
        fold_history(habit, values, today, backdate_days)
        for record in day_records(habit, values, frozenset()):  # new: no breaks
            if record.done:
                prepared.done_counts[record.day] += 1
                prepared.total_done += 1
        prepared.habits.append((habit, rows))
    return prepared


async def write_habits(
    ctx: Context,
    user: UserRecord,
    habits: list[ImportedHabit],
    category: schemas.Category,
    notes: list[str] | None = None,
) -> schemas.ImportReport:
    notes = list(notes or [])
    today = today_for(ctx, user)
    ready = await asyncio.to_thread(
        prepare, habits, user.id, category, ctx.clock(), today, ctx.settings.backdate_days
    )
    checkins = 0
    async with ctx.write(user.id) as q:
        if await q.users.by_id(user.id) is None:
            raise NotFound("the account was deleted during the import")
        room = caps.room_for_habits(await q.habits.active_count(user.id))
        for habit, rows in ready.habits:
            if not habit.archived:
                if room == 0:
                    habit.archived = True
                    notes.append(
                        f"{habit.title!r} came in archived: at most {caps.MAX_ACTIVE_HABITS}"
                        " active habits"
                    )
                else:
                    room -= 1
            await q.habits.insert(habit)
            for start in range(0, len(rows), INSERT_ROWS):
                await q.checkins.insert_many(rows[start : start + INSERT_ROWS])
                await asyncio.sleep(0)  # let other requests in between batches
            checkins += len(rows)
        for n, (day, count) in enumerate(sorted(ready.done_counts.items())):
            await q.checkins.add_to_day(user.id, day, category, count)
            if n % INSERT_ROWS == INSERT_ROWS - 1:
                await asyncio.sleep(0)
        await q.users.add_to_totals(user.id, done=ready.total_done)
    return schemas.ImportReport(
        habits=len(habits), checkins=checkins, ledger_entries=0, badges=0, notes=notes
    )
