"""Export all of a user's data, and import it into a fresh account (all or nothing).

Ids are drawn anew on import (the old ones may still belong to the exporting account), so
a round trip is identical up to ids. Points are imported as the ledger they were, not
recomputed: history paid under other rules stays as it was paid. Streaks, strength and
totals are derived again from the imported check-ins and ledger.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import cast
from uuid import UUID

import msgspec

from server.domain import balance
from server.ids import new_id
from server.services.accounts import check_time_zone
from server.services.context import Context
from server.services.errors import Conflict, Invalid
from server.services.habits import rebuild_progress, today_for
from server.store.queries import Queries
from server.store.records import CheckinRecord, HabitRecord, LedgerRecord, UserRecord
from shared import schemas

IMPORTED = "imported"  # request digest of imported check-ins: never equal to a real one


async def export_data(ctx: Context, user: UserRecord) -> schemas.RapportExport:
    async with ctx.db.read() as conn:
        q = Queries(conn)
        fresh = await q.user_by_id(user.id) or user
        habits = []
        for h in await q.habits(user.id, archived=None, limit=100_000):
            checkins = [
                schemas.ExportCheckIn(
                    id=UUID(c.id),
                    day=c.day,
                    value=c.value,
                    skip=c.skip,
                    created_at=c.created_at,
                    note=c.note,
                    undone_at=c.deleted_at,
                )
                for c in await q.all_checkins(h.id)
            ]
            habits.append(
                schemas.ExportHabit(
                    id=UUID(h.id),
                    title=h.title,
                    category=cast(schemas.Category, h.category),
                    schedule=msgspec.json.decode(h.schedule, type=schemas.Schedule),
                    kind=cast(schemas.Kind, h.kind),
                    target=h.target,
                    difficulty=cast(schemas.Difficulty, h.difficulty),
                    archived=h.archived,
                    created_at=h.created_at,
                    anchor_day=h.anchor_day,
                    checkins=checkins,
                    template=h.template,
                    relationship=cast(schemas.Relationship | None, h.relationship),
                )
            )
        ledger = [
            schemas.ExportLedgerEntry(
                id=UUID(e.id),
                at=e.at,
                day=e.day,
                amount=e.amount,
                reason=e.reason,
                habit_id=_uuid(e.habit_id),
                checkin_id=_uuid(e.checkin_id),
                challenge_id=_uuid(e.challenge_id),
                reverses=_uuid(e.reverses),
            )
            for e in await q.all_ledger(user.id)
        ]
        badges = [
            schemas.ExportBadge(slug=b.slug, earned_at=b.earned_at) for b in await q.badges(user.id)
        ]
    return schemas.RapportExport(
        format="rapport/v1",
        exported_at=ctx.clock(),
        profile=schemas.ExportProfile(
            handle=fresh.handle,
            display_name=fresh.display_name,
            timezone=fresh.timezone,
            day_start_hour=fresh.day_start_hour,
            created_at=fresh.created_at,
        ),
        habits=habits,
        ledger=ledger,
        badges=badges,
    )


def _uuid(value: str | None) -> UUID | None:
    return UUID(value) if value else None


def _validate(ctx: Context, data: schemas.RapportExport) -> None:
    check_time_zone(data.profile.timezone)
    for h in data.habits:
        if h.kind == "check" and h.target != 1:
            raise Invalid(f"habit {h.id}: a yes/no habit has target 1", field="habits")
        live_days: dict[date, list[schemas.ExportCheckIn]] = defaultdict(list)
        for c in h.checkins:
            if c.undone_at is None:
                live_days[c.day].append(c)
            if not c.skip and c.value < 1:
                raise Invalid(f"check-in {c.id}: value must be at least 1", field="habits")
        for day, items in live_days.items():
            if any(c.skip for c in items) and len(items) > 1:
                raise Invalid(f"habit {h.id}: {day} is both skipped and done", field="habits")
            if h.kind == "check" and len(items) > 1:
                raise Invalid(f"habit {h.id}: two check-ins on {day}", field="habits")
    ids = [h.id for h in data.habits] + [c.id for h in data.habits for c in h.checkins]
    ids += [e.id for e in data.ledger]
    if len(ids) != len(set(ids)):
        raise Invalid("ids repeat inside the file", field="habits")
    entries = {e.id for e in data.ledger}
    if any(e.reverses and e.reverses not in entries for e in data.ledger):
        raise Invalid("a ledger entry reverses an entry missing from the file", field="ledger")
    unknown = [b.slug for b in data.badges if ctx.catalog.badge(b.slug) is None]
    if unknown:
        raise Invalid(f"unknown badges: {', '.join(unknown)}", field="badges")


async def import_data(
    ctx: Context, user: UserRecord, data: schemas.RapportExport
) -> schemas.ImportReport:
    _validate(ctx, data)
    fresh_ids: dict[UUID, str] = defaultdict(new_id)
    async with ctx.write() as q:
        if await q.has_history(user.id):
            raise Conflict("import goes into a fresh account: this one already has data")
        profile = data.profile
        await q.update_profile(
            user.id, profile.display_name, profile.timezone, profile.day_start_hour
        )
        user.timezone, user.day_start_hour = profile.timezone, profile.day_start_hour
        checkin_count = 0
        done_days: dict[date, set[str]] = defaultdict(set)
        total_done = 0
        records: list[HabitRecord] = []
        for h in data.habits:
            schedule = h.schedule
            if isinstance(schedule, schemas.Weekdays):
                schedule = schemas.Weekdays(days=sorted(set(schedule.days)))
            habit = HabitRecord(
                id=fresh_ids[h.id], user_id=user.id, title=h.title, category=h.category,
                schedule=msgspec.json.encode(schedule).decode(), kind=h.kind, target=h.target,
                difficulty=h.difficulty, template=h.template, relationship=h.relationship,
                archived=h.archived, anchor_day=h.anchor_day, created_at=h.created_at,
                folded_through=None, streak_current=0, streak_best=0, freezes=0,
                freezes_used=0, strength=0.0, total_done=0,
            )  # fmt: skip
            await q.insert_habit(habit)
            records.append(habit)
            sums: dict[date, int] = defaultdict(int)
            for c in h.checkins:
                await q.insert_checkin(
                    CheckinRecord(
                        id=fresh_ids[c.id], habit_id=habit.id, user_id=user.id, day=c.day,
                        value=0 if c.skip else c.value, note=c.note, skip=c.skip, witness=None,
                        request_digest=IMPORTED, result="", created_at=c.created_at,
                        deleted_at=c.undone_at,
                    )
                )  # fmt: skip
                checkin_count += 1
                if c.undone_at is None and not c.skip:
                    sums[c.day] += c.value
            for day, value in sums.items():
                if value >= h.target:
                    total_done += 1
                    done_days[day].add(h.category)
                    await q.add_to_day(user.id, day, h.category, 1)
        await q.insert_ledger(
            [
                LedgerRecord(
                    id=fresh_ids[e.id],
                    user_id=user.id,
                    at=e.at,
                    day=e.day,
                    amount=e.amount,
                    reason=e.reason,
                    habit_id=fresh_ids[e.habit_id] if e.habit_id else None,
                    checkin_id=fresh_ids[e.checkin_id] if e.checkin_id else None,
                    challenge_id=str(e.challenge_id) if e.challenge_id else None,
                    reverses=fresh_ids[e.reverses] if e.reverses else None,
                )
                for e in data.ledger
            ]
        )
        held = {b.slug for b in await q.badges(user.id)}  # e.g. a team badge earned already
        for badge in data.badges:
            if badge.slug not in held:
                await q.insert_badge(user.id, badge.slug, badge.earned_at)
        await q.add_to_user_totals(
            user.id,
            points=sum(e.amount for e in data.ledger),
            done=total_done,
            balanced=sum(1 for cats in done_days.values() if balance.is_balanced(cats)),
        )
        today = today_for(ctx, user)
        for habit in records:
            await rebuild_progress(ctx, q, habit, today)
    return schemas.ImportReport(
        habits=len(data.habits),
        checkins=checkin_count,
        ledger_entries=len(data.ledger),
        badges=len(data.badges),
    )
