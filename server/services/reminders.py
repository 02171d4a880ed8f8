"""The upcoming reminders of a user's habits (``GET /me/reminders``).

A habit's reminder rings on a day that asks for the habit (``streaks.is_due``: a due day
whose period still wants check-ins) and that is neither done nor skipped; when, the pure
rules of ``domain/reminders.py`` say (the user's zone and day start, clock changes, quiet
hours).
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import msgspec

from server.domain import reminders, streaks
from server.domain.reminders import QuietHours
from server.services.context import Context
from server.services.habits import cadence_of, day_records, days_off, today_for
from server.store.records import HabitRecord, UserRecord
from server.store.transaction import Transaction
from shared import schemas

MAX_DAYS = 14


def quiet_hours_of(start: str | None, end: str | None) -> QuietHours | None:
    if start is None or end is None:
        return None
    return QuietHours(reminders.parse_time(start), reminders.parse_time(end))


async def asking_days(
    q: Transaction, user_id: str, habits: list[HabitRecord], first: date, last: date
) -> dict[str, list[date]]:
    """The days from ``first`` through ``last`` that ask for each habit: due (a due day
    whose period still wants check-ins), neither done nor skipped nor on a break."""
    cadences = {h.id: cadence_of(h) for h in habits}
    # Enough history to know each habit's current period (a week, or n days).
    firsts = {h.id: first - timedelta(days=cadences[h.id].period_days) for h in habits}
    values = await q.checkins.day_values_of(firsts, last)
    off = await days_off(q, user_id, habits, min(firsts.values(), default=first), last)
    out = {}
    for habit in habits:
        cad = cadences[habit.id]
        records = day_records(habit, values[habit.id], off[habit.id])
        settled = {r.day for r in records if r.done or r.skipped}
        out[habit.id] = [
            day
            for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
            if day not in settled and streaks.is_due(cad, records, day)
        ]
    return out


async def upcoming(ctx: Context, user: UserRecord, days: int) -> list[schemas.UpcomingReminder]:
    """Reminders that ring from now through the user's next ``days`` days (today first)."""
    now = ctx.clock()
    async with ctx.read() as q:
        fresh = await q.users.by_id(user.id) or user
        today = today_for(ctx, fresh)
        habits = [h for h in await q.habits.of_user(user.id, archived=False) if h.reminders != "[]"]
        asking = await asking_days(q, user.id, habits, today, today + timedelta(days=days - 1))
    quiet = quiet_hours_of(fresh.quiet_start, fresh.quiet_end)
    out: list[schemas.UpcomingReminder] = []
    for habit in habits:
        times = msgspec.json.decode(habit.reminders, type=list[str])
        rings = reminders.rings(
            asking[habit.id], times, fresh.timezone, fresh.day_start_hour, quiet
        )
        for ring in rings:
            if ring.at >= now:
                out.append(
                    schemas.UpcomingReminder(
                        habit_id=UUID(habit.id), title=habit.title, day=ring.day,
                        local_time=ring.local_time, at=ring.at,
                    )
                )  # fmt: skip
    return sorted(out, key=lambda r: (r.at, r.title))
