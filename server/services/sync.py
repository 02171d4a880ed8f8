"""Delta sync: what changed for the caller since a cursor, a page at a time.

Every write transaction bumps the user's version once and logs each entity it touched
(``store/migrations/0003_changes.sql``). A sync page is each changed entity's *current*
state (or a tombstone), ordered by the version of its latest change, so its cost grows
with the number of changes, never with the history. The cursor is the position of the
last entity returned; an entity that changes again after being sent comes again, with
its newer version, and nothing else is sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.services import access
from server.services.accounts import user_view
from server.services.challenges import challenge_view
from server.services.checkins import checkin_view
from server.services.context import Context
from server.services.errors import BadCursor, NotFound, Unauthenticated
from server.services.habits import habit_view, today_for
from server.services.paging import decode_cursor, encode_cursor
from server.services.progress import ledger_entry_view
from server.services.teams import team_view
from server.store.records import BadgeRecord, CheckinRecord, HabitRecord, LedgerRecord, UserRecord
from server.store.transaction import Transaction
from shared import schemas

START = (0, "", "")


def _position(cursor: str | None) -> tuple[int, str, str]:
    if not cursor:
        return START
    version, kind, entity = decode_cursor(cursor, 3, field="since")
    if not version.isdigit():
        raise BadCursor(field="since")
    return int(version), kind, entity


async def sync(
    ctx: Context, user: UserRecord, *, since: str | None, limit: int
) -> schemas.SyncPage:
    position = _position(since)
    async with ctx.read() as q:
        fresh = await q.users.by_id(user.id)
        if fresh is None:
            raise Unauthenticated("account no longer exists")
        rows = await q.changes.after(user.id, position, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        known = await _prefetch(q, fresh, rows)
        changes = [
            await _current(ctx, q, fresh, known, kind, entity_id) for _, kind, entity_id in rows
        ]
    last = rows[-1] if rows else position
    cursor = encode_cursor(str(last[0]), last[1] or "-", last[2] or "-")
    return schemas.SyncPage(changes=changes, cursor=cursor, has_more=more)


@dataclass
class _Known:
    """The page's habits, check-ins, ledger entries and badges, each kind read in one
    statement (a page of 200 changes was 200 statements)."""

    habits: dict[str, HabitRecord]
    checkins: dict[str, CheckinRecord]
    entries: dict[str, LedgerRecord]
    badges: dict[str, BadgeRecord]


async def _prefetch(q: Transaction, user: UserRecord, rows: list[tuple[int, str, str]]) -> _Known:
    wanted: dict[str, list[str]] = {}
    for _, kind, entity_id in rows:
        wanted.setdefault(kind, []).append(entity_id)
    return _Known(
        habits=await q.habits.many(user.id, wanted.get("habit", [])),
        checkins=await q.checkins.many(wanted.get("checkin", [])),
        entries=await q.ledger.entries(user.id, wanted.get("ledger", [])),
        badges={b.slug: b for b in await q.ledger.badges(user.id)} if "badge" in wanted else {},
    )


async def _current(
    ctx: Context, q: Transaction, user: UserRecord, known: _Known, kind: str, entity_id: str
) -> schemas.Change:
    gone = schemas.Change(kind=kind, id=entity_id, deleted=True)  # type: ignore[arg-type]
    if kind == "profile":
        return schemas.Change(kind="profile", id=user.id, profile=await user_view(ctx, q, user))
    if kind == "habit":
        habit = known.habits.get(entity_id)
        return (
            gone
            if habit is None
            else schemas.Change(kind="habit", id=entity_id, habit=habit_view(habit))
        )
    if kind == "checkin":
        c = known.checkins.get(entity_id)
        if c is None or c.user_id != user.id or c.deleted_at is not None:
            return gone
        return schemas.Change(kind="checkin", id=entity_id, checkin=checkin_view(c))
    if kind == "ledger":
        entry = known.entries.get(entity_id)
        if entry is None:
            return gone
        return schemas.Change(kind="ledger", id=entity_id, entry=ledger_entry_view(entry))
    if kind == "badge":
        held = known.badges
        definition = ctx.catalog.badge(entity_id)
        if entity_id not in held:
            return gone
        return schemas.Change(
            kind="badge",
            id=entity_id,
            badge=schemas.EarnedBadge(
                slug=entity_id,
                title=definition.title if definition else entity_id,
                description=definition.description if definition else "",
                earned_at=held[entity_id].earned_at,
            ),
        )
    if kind == "team":
        try:
            team, me = await access.membership(q, user, entity_id)
        except NotFound:
            return gone
        view = await team_view(ctx, q, team, me, with_members=False)
        return schemas.Change(kind="team", id=entity_id, team=view)
    if kind == "challenge":
        c2 = await q.challenges.get(entity_id)
        if c2 is None or not await access.may_see_challenge(q, user, c2):
            return gone
        view2 = await challenge_view(q, c2, user, today_for(ctx, user))
        return schemas.Change(kind="challenge", id=entity_id, challenge=view2)
    return gone


async def event_channels(ctx: Context, user: UserRecord) -> list[str]:
    """The live channels of a user: their own, their teams' and their challenges' boards."""
    async with ctx.read() as q:
        teams = [f"team:{team.id}" for team, _ in await q.teams.teams_of(user.id)]
        challenges = [f"challenge:{c}" for c in await q.challenges.participations(user.id)]
    return [f"user:{user.id}", *teams, *challenges]


async def missed_since(ctx: Context, user: UserRecord, last_event_id: str | None) -> str | None:
    """The sync cursor to catch up from, when a reconnecting client missed changes.

    Event ids are the user's versions; a client that saw version v has every change up to
    v, so it syncs from just after v. None when nothing was missed (or no id was sent).
    """
    if not last_event_id or not last_event_id.isdigit():
        return None
    seen = int(last_event_id)
    async with ctx.read() as q:
        current = await q.changes.user_version(user.id)
    if current <= seen:
        return None
    return encode_cursor(str(seen), "~", "~")  # "~" sorts after every kind and id
