"""Export all of a user's data, and import it into a fresh account (all or nothing).

Ids are drawn anew on import (the old ones may still belong to the exporting account), so
a round trip is identical up to ids. Nothing a file says about points is trusted: its
ledger and badges are there to read. An import rebuilds streaks, strength, done counts and
badges from the imported check-ins by this server's own rules, and points too when the
file is this server's own export, unchanged (its ``signature`` checks out): a hand-made or
edited file brings history, never points (docs/gamification.md, "Fair play").
"""

from __future__ import annotations

import asyncio
import hmac
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from server.domain import balance, breaks, caps, scoring, streaks
from server.domain.calendar import HISTORY_STARTS, local_day
from server.ids import new_id
from server.services import export_json, points
from server.services.accounts import check_time_zone
from server.services.context import Context
from server.services.errors import Conflict, Invalid, NotFound
from server.services.habits import (
    cadence_of,
    day_records,
    fold_history,
    habit_view,
    stored_reminders,
)
from server.store.areas.checkins import INSERT_ROWS
from server.store.records import (
    BreakRecord,
    CheckinRecord,
    HabitRecord,
    LedgerRecord,
    UserRecord,
)
from shared import schemas

# Request digests of imported check-ins (never equal to a real one): history this server
# could not verify, and history from its own signed export.
IMPORTED = "imported"
IMPORTED_VERIFIED = "imported-verified"
_SIGNING_KEY = "export-signing"


async def signing_key(ctx: Context) -> bytes:
    """The key exports are signed with, made on first use (a move copies it along)."""
    async with ctx.write() as q:
        return bytes.fromhex(await q.users.server_key(_SIGNING_KEY, secrets.token_hex(32)))


def _signature(key: bytes, data: schemas.RapportExport) -> str:
    return export_json.signature(key, data)


def _export_checkins(rows: list[CheckinRecord]) -> list[schemas.ExportCheckIn]:
    return [
        schemas.ExportCheckIn(
            id=UUID(c.id),
            day=c.day,
            value=c.value,
            skip=c.skip,
            created_at=c.created_at,
            note=c.note,
            undone_at=c.deleted_at,
            unverified=c.request_digest == IMPORTED,
        )
        for c in rows
    ]


def _signed(key: bytes, export: schemas.RapportExport) -> schemas.RapportExport:
    return msgspec.structs.replace(export, signature=_signature(key, export))


async def export_data(ctx: Context, user: UserRecord) -> schemas.RapportExport:
    """Everything of the account, signed. Its size grows with the account (years of
    history are 100,000s of rows): it is read habit by habit with a pause for others in
    between, and converted and signed in a thread, so it never holds the event loop."""
    async with ctx.read() as q:
        fresh = await q.users.by_id(user.id) or user
        habits = []
        pauses = await q.breaks.listed(user.id)
        for h in await q.habits.of_user(user.id, archived=None, limit=100_000):
            rows = await q.checkins.all_of_habit(h.id)
            checkins = await asyncio.to_thread(_export_checkins, rows)
            # The habit as the API shows it, plus what only a move needs.
            view = msgspec.structs.asdict(habit_view(h))
            habits.append(
                schemas.ExportHabit(
                    **view, anchor_day=h.anchor_day, checkins=checkins,
                    breaks=_export_breaks([b for b in pauses if b.habit_id == h.id]),
                )
            )  # fmt: skip
        entries = await q.ledger.all_of_user(user.id)
        await asyncio.sleep(0)
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
            for e in entries
        ]
        badges = [
            schemas.ExportBadge(slug=b.slug, earned_at=b.earned_at)
            for b in await q.ledger.badges(user.id)
        ]
    export = schemas.RapportExport(
        format="rapport/v1",
        exported_at=ctx.clock(),
        profile=schemas.ExportProfile(
            handle=fresh.handle,
            display_name=fresh.display_name,
            timezone=fresh.timezone,
            day_start_hour=fresh.day_start_hour,
            created_at=fresh.created_at,
            hidden_on_boards=fresh.hidden_on_boards,
        ),
        habits=habits,
        ledger=ledger,
        badges=badges,
        breaks=_export_breaks([b for b in pauses if b.habit_id is None]),
    )
    return await asyncio.to_thread(_signed, await signing_key(ctx), export)


def _export_breaks(rows: list[BreakRecord]) -> list[schemas.ExportBreak] | UnsetType:
    """Breaks as a file carries them; none: the field is left out."""
    found = [
        schemas.ExportBreak(starts_on=b.starts_on, ends_on=b.ends_on, reason=b.reason) for b in rows
    ]
    return found or UNSET


def _spans(found: list[schemas.ExportBreak] | UnsetType) -> list[breaks.Span]:
    return (
        [] if isinstance(found, UnsetType) else [breaks.Span(b.starts_on, b.ends_on) for b in found]
    )


async def export_bytes(ctx: Context, user: UserRecord) -> bytes:
    """``export_data`` as the JSON the API sends, encoded in a thread (megabytes)."""
    return await asyncio.to_thread(export_json.encode, await export_data(ctx, user))


def _uuid(value: str | None) -> UUID | None:
    return UUID(value) if value else None


def _checked(ctx: Context, data: schemas.RapportExport, key: bytes) -> bool:
    """Refuse a file that breaks the rules; whether this server signed it unchanged."""
    _validate(ctx, data)
    _check_days(ctx, data)
    return data.signature is not None and hmac.compare_digest(data.signature, _signature(key, data))


def _check_days(ctx: Context, data: schemas.RapportExport) -> None:
    """Days within the history any import takes: 2000-01-01 to the user's today (the
    file's profile says where and when their day runs)."""
    profile = data.profile
    today = local_day(ctx.clock(), profile.timezone, profile.day_start_hour)
    for h in data.habits:
        if not HISTORY_STARTS <= h.anchor_day <= today:
            raise Invalid(
                f"habit {h.id}: anchor_day {h.anchor_day} is outside {HISTORY_STARTS} to today",
                field="habits",
            )
        for c in h.checkins:
            if not HISTORY_STARTS <= c.day <= today:
                raise Invalid(
                    f"check-in {c.id}: {c.day} is outside {HISTORY_STARTS} to today ({today})",
                    field="habits",
                )


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
    spans = _spans(data.breaks) + [span for h in data.habits for span in _spans(h.breaks)]
    today = local_day(ctx.clock(), data.profile.timezone, data.profile.day_start_hour)
    problem = breaks.carried_problem(spans, today)
    if problem is not None:
        raise Invalid(f"breaks: {problem}", field="breaks")
    ids = [h.id for h in data.habits] + [c.id for h in data.habits for c in h.checkins]
    if len(ids) != len(set(ids)):
        raise Invalid("ids repeat inside the file", field="habits")


@dataclass
class _Prepared:
    """Everything an import stores, computed from the file alone (in a thread)."""

    habits: list[tuple[HabitRecord, list[CheckinRecord]]] = field(default_factory=list)
    entries: list[LedgerRecord] = field(default_factory=list)
    done_counts: dict[tuple[date, str], int] = field(default_factory=dict)
    total_done: int = 0
    balanced_days: int = 0
    checkins: int = 0
    best_streak: int = 0
    notes: list[str] = field(default_factory=list)
    breaks: list[BreakRecord] = field(default_factory=list)


def _prepare(
    ctx: Context, user_id: str, data: schemas.RapportExport, verified: bool, today: date
) -> _Prepared:
    """The records, folded progress and re-derived ledger of a file: CPU work in
    proportion to its history, done before the write transaction opens."""
    fresh_ids: dict[UUID, str] = defaultdict(new_id)
    now = ctx.clock()
    ready = _Prepared()
    done_days: dict[date, set[str]] = defaultdict(set)
    done_counts: dict[tuple[date, str], int] = defaultdict(int)
    # Categories whose check-ins earn points again here, per day (the balance bonus).
    paid_days: dict[date, set[str]] = defaultdict(set)
    room = caps.room_for_habits(0)  # a fresh account: no file gets past the cap

    def entry(day: date, amount: int, reason: str, habit: str | None, checkin: str) -> None:
        ready.entries.append(
            LedgerRecord(
                id=new_id(), user_id=user_id, at=now, day=day, amount=amount,
                reason=reason, habit_id=habit, checkin_id=checkin,
            )
        )  # fmt: skip

    for h in data.habits:
        schedule = h.schedule
        if isinstance(schedule, schemas.Weekdays):
            schedule = schemas.Weekdays(days=sorted(set(schedule.days)))
        # A catalog habit keeps its catalog difficulty; an unknown template is dropped.
        template = ctx.catalog.habit(h.template) if h.template else None
        difficulty = template.difficulty if template else h.difficulty
        archived = h.archived or room == 0
        if not h.archived:
            room = max(0, room - 1)
            if archived:
                ready.notes.append(
                    f"{h.title!r} came in archived: at most {caps.MAX_ACTIVE_HABITS} active habits"
                )
        habit = HabitRecord(
            id=fresh_ids[h.id], user_id=user_id, title=h.title, category=h.category,
            schedule=msgspec.json.encode(schedule).decode(), kind=h.kind, target=h.target,
            difficulty=difficulty, template=template.slug if template else None,
            relationship=h.relationship,
            archived=archived, anchor_day=h.anchor_day, created_at=h.created_at,
            folded_through=None, streak_current=0, streak_best=0, freezes=0,
            freezes_used=0, strength=0.0, total_done=0,
            reminders=stored_reminders([] if isinstance(h.reminders, UnsetType) else h.reminders),
        )  # fmt: skip
        sums: dict[date, int] = defaultdict(int)
        skipped: set[date] = set()
        verified_days: dict[date, str] = {}
        rows = []
        for c in h.checkins:
            trusted = verified and not c.unverified
            rows.append(
                CheckinRecord(
                    id=fresh_ids[c.id], habit_id=habit.id, user_id=user_id, day=c.day,
                    value=0 if c.skip else c.value, note=c.note, skip=c.skip, witness=None,
                    request_digest=IMPORTED_VERIFIED if trusted else IMPORTED, result="",
                    created_at=c.created_at, deleted_at=c.undone_at,
                )
            )  # fmt: skip
            if c.undone_at is None:
                if c.skip:
                    skipped.add(c.day)
                else:
                    sums[c.day] += c.value
                if trusted:
                    verified_days.setdefault(c.day, fresh_ids[c.id])
                else:
                    verified_days[c.day] = ""  # one unverified check-in: no points
        ready.checkins += len(rows)
        if not all(verified_days.values()):
            # History this server cannot vouch for: it shows, but prices nothing, and
            # the streak that prices check-ins starts today.
            habit.priced_from = today
        values = sorted((d, sums.get(d, 0), d in skipped) for d in set(sums) | skipped)
        # Its breaks and the all-habits ones, as they were where the history was made.
        spans = _spans(h.breaks) + _spans(data.breaks)
        off = breaks.days_off(spans, h.anchor_day, today)
        days = day_records(habit, values, off)
        ready.breaks += [
            BreakRecord(
                id=new_id(), user_id=user_id, habit_id=habit.id, starts_on=b.starts_on,
                ends_on=b.ends_on, reason=b.reason, created_at=now,
            )
            for b in ([] if isinstance(h.breaks, UnsetType) else h.breaks)
        ]  # fmt: skip
        for r in days:
            if r.done:
                ready.total_done += 1
                done_days[r.day].add(h.category)
                done_counts[(r.day, h.category)] += 1

        def priced_by(_: date, d: str = difficulty) -> str:
            return d

        # The streak that prices check-ins starts after the last day this server cannot
        # vouch for: a verified check-in after a year of imported history is priced as
        # the first of a new streak, as it was where it was made.
        unvouched = [d for d, checkin in verified_days.items() if not checkin]
        priced = [r for r in days if not unvouched or r.day > max(unvouched)]
        earnings = scoring.earnings(
            streaks.EMPTY, cadence_of(habit), priced, first=date.min, difficulty=priced_by
        )
        for earning in earnings:
            checkin = verified_days.get(earning.day)
            if not checkin:
                continue
            if earning.points > 0:
                paid_days[earning.day].add(h.category)
            entry(earning.day, earning.points, "checkin", habit.id, checkin)
            for m in earning.milestones:
                entry(earning.day, scoring.milestone_bonus(m), f"milestone:{m}", habit.id, checkin)
        fold_history(habit, values, today, ctx.settings.backdate_days, off)
        ready.best_streak = max(ready.best_streak, habit.streak_best)
        ready.habits.append((habit, rows))
    for day in sorted(paid_days):
        if balance.is_balanced(paid_days[day]):
            ready.entries.append(
                LedgerRecord(
                    id=new_id(), user_id=user_id, at=now, day=day,
                    amount=scoring.BALANCE_BONUS, reason="balance_bonus",
                )
            )  # fmt: skip
    ready.breaks += [
        BreakRecord(
            id=new_id(), user_id=user_id, habit_id=None, starts_on=b.starts_on,
            ends_on=b.ends_on, reason=b.reason, created_at=now,
        )
        for b in ([] if isinstance(data.breaks, UnsetType) else data.breaks)
    ]  # fmt: skip
    ready.done_counts = dict(sorted(done_counts.items()))
    ready.balanced_days = sum(1 for cats in done_days.values() if balance.is_balanced(cats))
    return ready


async def import_data(
    ctx: Context, user: UserRecord, data: schemas.RapportExport
) -> schemas.ImportReport:
    key = await signing_key(ctx)
    # In proportion to the file (every check-in checked, the whole file encoded to check
    # its signature, every day scored): in a thread, before the transaction opens.
    verified = await asyncio.to_thread(_checked, ctx, data, key)
    profile = data.profile
    notes: list[str] = []
    if verified:
        # Points live in one account at a time: the exporting one while it exists, else
        # the one account that takes this export in first.
        async with ctx.read() as q:
            source = await q.users.by_handle(profile.handle)
            if source is not None and source.created_at == profile.created_at:
                verified = False
                notes.append(
                    f"the points stay with @{profile.handle}, which still has them: the"
                    " history came without points"
                )
            elif await q.users.export_claimed(data.signature or ""):
                verified = False
                notes.append(
                    "another account already took in this export's points: the history came"
                    " without points"
                )
    today = local_day(ctx.clock(), profile.timezone, profile.day_start_hour)
    ready = await asyncio.to_thread(_prepare, ctx, user.id, data, verified, today)
    now = ctx.clock()
    async with ctx.write(user.id) as q:
        if await q.users.by_id(user.id) is None:
            raise NotFound("the account was deleted during the import")
        if await q.users.has_history(user.id):
            raise Conflict(
                "import goes into a fresh account: this one already has habits, points or teams"
            )
        await q.users.update_profile(
            user.id, profile.display_name, profile.timezone, profile.day_start_hour
        )
        user.timezone, user.day_start_hour = profile.timezone, profile.day_start_hour
        if profile.hidden_on_boards:
            await q.users.set_hidden_on_boards(user.id, True)
        if verified and not await q.users.claim_export(data.signature or "", user.id, now):
            raise Conflict("another account took in this export at the same moment; try again")
        for habit, rows in ready.habits:
            await q.habits.insert(habit)
            for start in range(0, len(rows), INSERT_ROWS):
                await q.checkins.insert_many(rows[start : start + INSERT_ROWS])
                await asyncio.sleep(0)  # let other requests in between batches
        for pause in ready.breaks:
            await q.breaks.insert(pause)
        # The per-day tallies once per day and category, not once per habit and day.
        for n, ((day, category), count) in enumerate(ready.done_counts.items()):
            await q.checkins.add_to_day(user.id, day, category, count)
            if n % INSERT_ROWS == INSERT_ROWS - 1:
                await asyncio.sleep(0)
        await q.ledger.insert(ready.entries)
        rebuilt = sum(e.amount for e in ready.entries)
        await q.users.add_to_totals(
            user.id, points=rebuilt, done=ready.total_done, balanced=ready.balanced_days
        )
        earned = await points.award_badges(ctx, q, user.id, streak=ready.best_streak, now=now)
    return schemas.ImportReport(
        habits=len(data.habits),
        checkins=ready.checkins,
        ledger_entries=len(ready.entries),
        badges=len(earned),
        points=rebuilt,
        verified=verified,
        notes=notes + ready.notes,
    )
