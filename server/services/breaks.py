"""Planned breaks of one habit or of all of a user's habits (the rules: domain/breaks.py).

A break only ever covers today and later, so making or ending one changes no price already
paid and needs no re-pricing: the streak rules read break days as they come
(``habits.day_records``).
"""

from __future__ import annotations

from uuid import UUID

from server.domain import breaks
from server.ids import new_id
from server.services import access
from server.services.context import Context
from server.services.errors import Invalid, LimitReached, NotFound
from server.services.habits import today_for
from server.store.records import BreakRecord, UserRecord
from shared import schemas


def break_view(pause: BreakRecord) -> schemas.Break:
    return schemas.Break(
        id=UUID(pause.id),
        habit_id=None if pause.habit_id is None else UUID(pause.habit_id),
        starts_on=pause.starts_on,
        ends_on=pause.ends_on,
        reason=pause.reason,
        created_at=pause.created_at,
    )


async def create(
    ctx: Context, user: UserRecord, habit_id: UUID | None, body: schemas.BreakCreate
) -> schemas.Break:
    """A new break of ``habit_id`` (None: of every habit)."""
    today = today_for(ctx, user)
    span = breaks.Span(body.starts_on, body.ends_on)
    problem = breaks.problem(span, today)
    if problem is not None:
        field, reason = problem
        raise Invalid(reason, field=field)
    async with ctx.write(user.id) as q:
        habit = None if habit_id is None else await access.own_habit(q, user, habit_id)
        key = None if habit is None else habit.id
        pending = await q.breaks.listed(user.id, ending_from=today)
        if len(pending) >= breaks.MAX_PENDING:
            raise LimitReached(f"at most {breaks.MAX_PENDING} breaks not ended yet")
        pause = BreakRecord(
            id=new_id(),
            user_id=user.id,
            habit_id=key,
            starts_on=span.starts_on,
            ends_on=span.ends_on,
            reason=body.reason.strip() or None if body.reason is not None else None,
            created_at=ctx.clock(),
        )
        await q.breaks.insert(pause)
    return break_view(pause)


async def listed(ctx: Context, user: UserRecord, habit_id: UUID | None) -> list[schemas.Break]:
    """The breaks of ``habit_id`` (None: all the caller's, all-habits ones included)."""
    async with ctx.read() as q:
        key = None if habit_id is None else (await access.own_habit(q, user, habit_id)).id
        return [break_view(b) for b in await q.breaks.listed(user.id, key)]


async def end(ctx: Context, user: UserRecord, habit_id: UUID | None, break_id: UUID) -> None:
    """End a break today: the days behind stay a break, one not begun yet goes.
    ``habit_id`` names the habit the break must be of; None: any of the caller's."""
    today = today_for(ctx, user)
    async with ctx.write(user.id) as q:
        key = None if habit_id is None else (await access.own_habit(q, user, habit_id)).id
        pause = await q.breaks.get(user.id, str(break_id))
        if pause is None or (key is not None and pause.habit_id != key):
            raise NotFound("no such break")
        left = breaks.ended(breaks.Span(pause.starts_on, pause.ends_on), today)
        if left is None or left.ends_on != pause.ends_on:
            await q.breaks.end(pause, None if left is None else left.ends_on)
