"""The upcoming reminders of a user's habits (``GET /me/reminders``).

A habit's reminder rings on a day that asks for the habit (``streaks.is_due``: a due day
whose period still wants check-ins) and that is neither done nor skipped; when, the pure
rules of ``domain/reminders.py`` say (the user's zone and day start, clock changes, quiet
hours).
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import msgspec

from server.domain import reminders, streaks
from server.domain.reminders import QuietHours
from server.services.context import Context
from server.services.habits import cadence_of, day_records, days_off, today_for
from server.store.records import UserRecord
from shared import schemas

MAX_DAYS = 14


def quiet_hours_of(user: UserRecord) -> QuietHours | None:
    if user.quiet_start is None or user.quiet_end is None:
        return None
    return QuietHours(reminders.parse_time(user.quiet_start), reminders.parse_time(user.quiet_end))


async def upcoming(ctx: Context, user: UserRecord, days: int) -> list[schemas.UpcomingReminder]:
    """Reminders that ring from now through the user's next ``days`` days (today first)."""
    now = ctx.clock()
    async with ctx.read() as q:
        fresh = await q.users.by_id(user.id) or user
        today = today_for(ctx, fresh)
        habits = [h for h in await q.habits.of_user(user.id, archived=False) if h.reminders != "[]"]
        cadences = {h.id: cadence_of(h) for h in habits}
        # Enough history to know each habit's current period (a week, or n days).
        firsts = {h.id: today - timedelta(days=cadences[h.id].period_days) for h in habits}
        values = await q.checkins.day_values_of(firsts, today)
        last = today + timedelta(days=days - 1)
        off = await days_off(q, user.id, habits, min(firsts.values(), default=today), last)
    quiet = quiet_hours_of(fresh)
    out: list[schemas.UpcomingReminder] = []
    for habit in habits:
        cad = cadences[habit.id]
        records = day_records(habit, values[habit.id], off[habit.id])
        settled = {r.day for r in records if r.done or r.skipped}
        asking = [
            day
            for day in (today + timedelta(days=n) for n in range(days))
            if day not in settled and streaks.is_due(cad, records, day)
        ]
        times = msgspec.json.decode(habit.reminders, type=list[str])
        for ring in reminders.rings(asking, times, fresh.timezone, fresh.day_start_hour, quiet):
            if ring.at >= now:
                out.append(
                    schemas.UpcomingReminder(
                        habit_id=UUID(habit.id), title=habit.title, day=ring.day,
                        local_time=ring.local_time, at=ring.at,
                    )
                )  # fmt: skip
    return sorted(out, key=lambda r: (r.at, r.title))
