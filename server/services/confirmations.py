"""Peer confirmations: a teammate confirms (or declines) a witnessed check-in."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from server.domain import challenges as rules
from server.ids import new_id
from server.services import points
from server.services.context import Context
from server.services.errors import Conflict, NotFound
from server.services.teams import public_user
from server.store.records import LedgerRecord, UserRecord
from shared import schemas


async def pending(ctx: Context, user: UserRecord) -> list[schemas.PendingConfirmation]:
    async with ctx.read() as q:
        rows = await q.confirmations.pending(user.id, ctx.clock())
    return [
        schemas.PendingConfirmation(
            id=UUID(c.id),
            checkin_id=UUID(c.checkin_id),
            from_=public_user(c.from_user, handle, display_name),
            habit_title=c.habit_title,
            day=c.day,
            expires_at=c.expires_at,
        )
        for c, handle, display_name in rows
    ]


async def decide(
    ctx: Context, user: UserRecord, confirmation_id: UUID, body: schemas.ConfirmationDecision
) -> schemas.ConfirmationOutcome:
    now = ctx.clock()
    async with ctx.write(user.id) as q:
        c = await q.confirmations.get(str(confirmation_id))
        if c is None or c.to_user != user.id:
            raise NotFound("no such confirmation")
        # The requester's points move too: wait for their own writes, then read it afresh.
        await q.users.lock([c.from_user])
        c = await q.confirmations.get(str(confirmation_id))
        if c is None:  # its habit was deleted meanwhile
            raise NotFound("no such confirmation")
        if c.status != "pending":
            raise Conflict(f"this confirmation is already {c.status}")
        if c.expires_at <= now:
            raise Conflict("this confirmation has expired")
        if not body.confirm:
            await q.confirmations.set_status(c.id, "declined", now)
            return schemas.ConfirmationOutcome(id=UUID(c.id), status="declined", points_awarded=0)
        if not await q.teams.share_a_team(c.from_user, user.id):
            # Left or removed since they were asked: a witness is a teammate, now.
            raise Conflict("you no longer share a team with whoever asked; you cannot confirm")
        given = await q.confirmations.count(
            column="to_user", user_id=user.id, status=["confirmed"], since=now - timedelta(days=1)
        )
        if given >= rules.CONFIRMATIONS_PER_DAY:
            raise Conflict(f"you can confirm at most {rules.CONFIRMATIONS_PER_DAY} a day")
        checkin = await q.checkins.get(c.checkin_id)
        habit_id = checkin.habit_id if checkin else None
        await q.confirmations.set_status(c.id, "confirmed", now)

        def bonus(user_id: str, amount: int, reason: str) -> points.Posting:
            entry = LedgerRecord(
                id=new_id(), user_id=user_id, at=now, day=c.day, amount=amount, reason=reason,
                habit_id=habit_id if user_id == c.from_user else None, checkin_id=c.checkin_id,
            )  # fmt: skip
            return points.fresh(entry)

        await points.post(
            q, c.from_user, [bonus(c.from_user, rules.CONFIRMED_BONUS, "peer_confirmed")]
        )
        await q.users.bump_counter(c.from_user, "peer_confirmed", 1)
        await points.award_badges(ctx, q, c.from_user, streak=0, now=now)
        mine = await points.post(q, user.id, [bonus(user.id, rules.WITNESS_BONUS, "peer_witness")])
        await points.award_badges(ctx, q, user.id, streak=0, now=now)
    return schemas.ConfirmationOutcome(id=UUID(c.id), status="confirmed", points_awarded=mine)
