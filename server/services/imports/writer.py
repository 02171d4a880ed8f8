"""Storing what an import parser read: one transaction, the fair-play rules of any import.

- History brings streaks and strength, never points: every habit is priced only from
  the start of the back-dating window, as if the user had created it today.
- No file gets past the active-habit cap: habits beyond the room left come in archived
  (the report says which), to be brought back one by one as any archived habit is.
- All or nothing: the habits and check-ins commit together or not at all.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import date, timedelta

import msgspec

from server.domain import caps
from server.ids import new_id
from server.services.context import Context
from server.services.habits import day_records, rebuild_progress, today_for
from server.services.imports.model import ImportedHabit
from server.store.areas.checkins import INSERT_ROWS
from server.store.records import CheckinRecord, HabitRecord, UserRecord
from shared import schemas

IMPORTED = "imported"  # request_digest of an imported check-in: no request made it


async def write_habits(
    ctx: Context,
    user: UserRecord,
    habits: list[ImportedHabit],
    category: schemas.Category,
    notes: list[str] | None = None,
) -> schemas.ImportReport:
    now = ctx.clock()
    notes = list(notes or [])
    checkins = 0
    async with ctx.write(user.id) as q:
        today = today_for(ctx, user)
        room = caps.room_for_habits(await q.habits.active_count(user.id))
        records: list[HabitRecord] = []
        done_counts: dict[date, int] = defaultdict(int)
        total_done = 0
        for h in habits:
            archived = h.archived
            if not archived:
                if room == 0:
                    archived = True
                    notes.append(
                        f"{h.title!r} came in archived: at most {caps.MAX_ACTIVE_HABITS}"
                        " active habits"
                    )
                else:
                    room -= 1
            habit = HabitRecord(
                id=new_id(), user_id=user.id, title=h.title, category=category,
                schedule=msgspec.json.encode(h.schedule).decode(), kind=h.kind,
                target=h.target, difficulty="easy", template=None, relationship=None,
                archived=archived, anchor_day=min(h.days, default=today), created_at=now,
                folded_through=None, streak_current=0, streak_best=0, freezes=0,
                freezes_used=0, strength=0.0, total_done=0,
                # The history shows as streaks and strength; it prices nothing here.
                priced_from=today - timedelta(days=ctx.settings.backdate_days),
            )  # fmt: skip
            await q.habits.insert(habit)
            records.append(habit)
            days = sorted(h.days.items())
            rows = [
                CheckinRecord(
                    id=new_id(), habit_id=habit.id, user_id=user.id, day=day,
                    value=0 if d.skip else d.value, note=d.note, skip=d.skip, witness=None,
                    request_digest=IMPORTED, result="", created_at=now, deleted_at=None,
                )
                for day, d in days
            ]  # fmt: skip
            for start in range(0, len(rows), INSERT_ROWS):
                await q.checkins.insert_many(rows[start : start + INSERT_ROWS])
                await asyncio.sleep(0)  # let other requests in between batches
            checkins += len(rows)
            for record in day_records(habit, [(day, d.value, d.skip) for day, d in days]):
                if record.done:
                    done_counts[record.day] += 1
                    total_done += 1
        for n, (day, count) in enumerate(sorted(done_counts.items())):
            await q.checkins.add_to_day(user.id, day, category, count)
            if n % INSERT_ROWS == INSERT_ROWS - 1:
                await asyncio.sleep(0)
        await q.users.add_to_totals(user.id, done=total_done)
        for habit in records:
            await rebuild_progress(ctx, q, habit, today)
            await asyncio.sleep(0)
    return schemas.ImportReport(
        habits=len(habits), checkins=checkins, ledger_entries=0, badges=0, notes=notes
    )
