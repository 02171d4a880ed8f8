"""Posting points: the ledger, the user's totals and every board they count on, together.

Every use case that gives or takes points goes through ``post``, inside its own write
transaction, so the ledger, the totals and the team boards can never disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from server.domain import badges, boards, levels
from server.ids import new_id
from server.services.context import Context
from server.store.records import LedgerRecord, UserRecord
from server.store.transaction import Transaction
from shared import schemas


class Posting(NamedTuple):
    """A ledger entry to write, and the entry whose time places it on the boards: itself,
    or for a reversal (or a re-pricing) the entry it corrects, so a correction lands in the
    same week and month, and only on the teams that counted the original."""

    entry: LedgerRecord
    placed_by: LedgerRecord


def fresh(entry: LedgerRecord) -> Posting:
    return Posting(entry, entry)


def taking_back(entry: LedgerRecord, now: datetime) -> Posting:
    """The posting that reverses ``entry``, placed where ``entry`` was."""
    return Posting(reversal(entry, now), entry)


def reversal(entry: LedgerRecord, now: datetime) -> LedgerRecord:
    """The entry that takes ``entry`` back, pointing at it."""
    return LedgerRecord(
        id=new_id(), user_id=entry.user_id, at=now, day=entry.day, amount=-entry.amount,
        reason=f"undo:{entry.reason}", habit_id=entry.habit_id, checkin_id=entry.checkin_id,
        challenge_id=entry.challenge_id, reverses=entry.id,
    )  # fmt: skip


async def post(
    q: Transaction, user_id: str, postings: list[Posting], *, done: int = 0, balanced: int = 0
) -> int:
    """Write the entries, move the user's totals and boards; the sum posted. ``done`` and
    ``balanced`` move the user's day counters in the same update as the points."""
    if not postings and not done and not balanced:
        return 0
    entries = [entry for entry, _ in postings]
    if entries:
        await q.ledger.insert(entries)
    total = sum(e.amount for e in entries)
    await q.users.add_to_totals(user_id, points=total, done=done, balanced=balanced)
    if not entries:
        return total
    for team, membership in await q.teams.teams_of(user_id):
        deltas: dict[str, int] = {}
        for entry, placed_by in postings:
            if placed_by.id < membership.joined_id:
                continue  # earned before joining: never on this team's boards
            for key in boards.period_keys_at(placed_by.at, team.timezone):
                deltas[key] = deltas.get(key, 0) + entry.amount
        await q.boards.add_many(f"team:{team.id}", user_id, deltas)
    return total


async def award_badges(
    ctx: Context, q: Transaction, user_id: str, *, streak: int, now: datetime
) -> list[schemas.EarnedBadge]:
    """Badges the user's achievements now unlock, recorded and returned."""
    user: UserRecord | None = await q.users.by_id(user_id)
    if user is None:
        return []
    return await award_badges_to(ctx, q, user, streak=streak, now=now)


async def award_badges_to(
    ctx: Context, q: Transaction, user: UserRecord, *, streak: int, now: datetime
) -> list[schemas.EarnedBadge]:
    """``award_badges`` for a user row read in this transaction after its last change."""
    facts = badges.Achievements(
        total_checkins=user.total_done,
        streak=streak,
        balanced_days=user.balanced_days,
        level=levels.level_for_xp(user.xp),
        challenges_completed=user.challenges_completed,
        peer_confirmed=user.peer_confirmed,
        teams_joined=len(await q.teams.teams_of(user.id)),
    )
    held = {b.slug for b in await q.ledger.badges(user.id)}
    earned = []
    for definition in badges.newly_earned(ctx.catalog.badges, facts, held):
        await q.ledger.insert_badge(user.id, definition.slug, now)
        earned.append(
            schemas.EarnedBadge(
                slug=definition.slug,
                title=definition.title,
                description=definition.description,
                earned_at=now,
            )
        )
    return earned
