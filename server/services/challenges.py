"""Challenges: start one (from a catalog template or described), browse, join, leave, and
its board. Progress is kept by the check-in transaction (``goals``)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from server.domain import caps
from server.domain import challenges as rules
from server.ids import new_id
from server.services import access
from server.services.context import Context
from server.services.errors import Conflict, Invalid, LimitReached
from server.services.habits import today_for
from server.services.paging import decode_cursor, encode_cursor
from server.services.teams import read_board
from server.services.text import named
from server.store.records import ChallengeRecord, UserRecord
from server.store.transaction import Transaction
from shared import schemas


async def challenge_view(
    q: Transaction, c: ChallengeRecord, user: UserRecord, today: date
) -> schemas.Challenge:
    mine = await q.challenges.participation(c.id, user.id)
    return schemas.Challenge(
        id=UUID(c.id),
        title=c.title,
        description=c.description,
        starts_on=c.starts_on,
        ends_on=c.ends_on,
        goal=schemas.ChallengeGoal(
            target=c.target,
            category=c.goal_category,
            template=c.goal_template,
        ),
        reward_points=c.reward_points,
        status=rules.status(c.starts_on, c.ends_on, today),
        participants=c.participants,
        team_id=UUID(c.team_id) if c.team_id else None,
        template=c.template,
        my_progress=(
            schemas.MyProgress(progress=mine[0], target=c.target, completed=mine[1])
            if mine
            else None
        ),
    )


async def create_challenge(
    ctx: Context, user: UserRecord, body: schemas.ChallengeCreate
) -> schemas.Challenge:
    today = today_for(ctx, user)
    template = None
    if body.template is not None:
        template = next((c for c in ctx.catalog.challenges if c.slug == body.template), None)
        if template is None:
            raise Invalid(f"no challenge template {body.template!r}", field="template")
    title = body.title or (template.title if template else None)
    goal = body.goal
    if title is None or (goal is None and template is None):
        raise Invalid("a challenge needs a title and a goal (or a template)", field="title")
    title = named(title, "title")
    if goal is not None:
        category, habit_template, target = goal.category, goal.template, goal.target
        if (category is None) == (habit_template is None):
            raise Invalid("a goal names a category or a catalog habit, not both", field="goal")
        if habit_template is not None and ctx.catalog.habit(habit_template) is None:
            raise Invalid(f"no catalog habit {habit_template!r}", field="goal")
    else:
        assert template is not None
        category, habit_template, target = (
            template.goal.category, template.goal.template, template.goal.target,
        )  # fmt: skip
    starts_on = body.starts_on or today
    if starts_on > today + timedelta(days=rules.MAX_LEAD_DAYS):
        raise Invalid(
            f"a challenge starts at most {rules.MAX_LEAD_DAYS} days from today", field="starts_on"
        )
    duration = template.duration_days if template else 7
    ends_on = body.ends_on or starts_on + timedelta(days=duration - 1)
    if ends_on < starts_on:
        raise Invalid("ends_on is before starts_on", field="ends_on")
    if (ends_on - starts_on).days >= rules.MAX_CHALLENGE_DAYS:
        raise Invalid(f"a challenge lasts at most {rules.MAX_CHALLENGE_DAYS} days", field="ends_on")
    if ends_on < today:
        raise Invalid("that challenge would already be over", field="ends_on")
    reward = rules.reward(template.reward_points if template and goal is None else None)
    record = ChallengeRecord(
        id=new_id(), title=title,
        description=body.description or (template.description if template else ""),
        team_id=str(body.team_id) if body.team_id else None, starts_on=starts_on,
        ends_on=ends_on, goal_category=category, goal_template=habit_template, target=target,
        reward_points=reward, template=body.template, created_by=user.id,
        created_at=ctx.clock(), participants=0,
    )  # fmt: skip
    async with ctx.write(user.id) as q:
        if body.team_id is not None:
            _, me = await access.membership(q, user, body.team_id)
            access.require_manager(me, "start team challenges")
        started = await q.challenges.started_since(
            user.id, record.created_at - caps.CHALLENGES_STARTED_WINDOW
        )
        if not caps.may_start_challenge(started):
            raise LimitReached(
                f"at most {caps.CHALLENGES_STARTED} challenges started in any 7 days"
            )
        await q.challenges.insert(record)
        return await challenge_view(q, record, user, today)


async def list_challenges(
    ctx: Context,
    user: UserRecord,
    *,
    status: str | None,
    team_id: UUID | None,
    limit: int,
    cursor: str | None,
) -> schemas.ChallengePage:
    today = today_for(ctx, user)
    after = decode_cursor(cursor, 2) if cursor else None
    matches: list[ChallengeRecord] = []
    async with ctx.read() as q:
        if team_id is not None:
            await access.membership(q, user, team_id)
        key = (after[0], after[1]) if after else None
        # Status comes from the dates, so filter while scanning; one extra match tells
        # whether another page exists.
        while len(matches) <= limit:
            rows = await q.challenges.visible(
                user.id, team_id=str(team_id) if team_id else None, after=key, limit=limit + 1
            )
            for c in rows:
                key = (c.starts_on.isoformat(), c.id)
                if status is None or rules.status(c.starts_on, c.ends_on, today) == status:
                    matches.append(c)
                    if len(matches) > limit:
                        break
            if len(rows) <= limit:
                break
        page = matches[:limit]
        items = [await challenge_view(q, c, user, today) for c in page]
    next_cursor = (
        encode_cursor(page[-1].starts_on.isoformat(), page[-1].id) if len(matches) > limit else None
    )
    return schemas.ChallengePage(items=items, next_cursor=next_cursor)


async def get_challenge(ctx: Context, user: UserRecord, challenge_id: UUID) -> schemas.Challenge:
    async with ctx.read() as q:
        return await challenge_view(
            q, await access.visible_challenge(q, user, challenge_id), user, today_for(ctx, user)
        )


async def join_challenge(ctx: Context, user: UserRecord, challenge_id: UUID) -> schemas.Challenge:
    today = today_for(ctx, user)
    async with ctx.write(user.id) as q:
        c = await access.visible_challenge(q, user, challenge_id)
        if rules.status(c.starts_on, c.ends_on, today) == "ended":
            raise Conflict("this challenge has ended")
        if await q.challenges.participation(c.id, user.id) is None:
            if c.reward_points and await q.challenges.overlapping_participation(c, user.id):
                raise Conflict(
                    "you already take part in a challenge of this template for these dates"
                )
            await q.challenges.join(c.id, user.id, ctx.clock())
            c.participants += 1
        return await challenge_view(q, c, user, today)


async def leave_challenge(ctx: Context, user: UserRecord, challenge_id: UUID) -> schemas.Challenge:
    """Leaving drops your progress; a reward already paid stays paid."""
    today = today_for(ctx, user)
    async with ctx.write(user.id) as q:
        c = await access.visible_challenge(q, user, challenge_id)
        if await q.challenges.participation(c.id, user.id) is not None:
            await q.challenges.leave(c.id, user.id)
            c.participants -= 1
        return await challenge_view(q, c, user, today)


async def challenge_board(
    ctx: Context,
    user: UserRecord,
    challenge_id: UUID,
    *,
    view: str,
    limit: int,
    cursor: str | None,
) -> schemas.Leaderboard:
    async with ctx.read() as q:
        c = await access.visible_challenge(q, user, challenge_id)
        entries, me, next_cursor = await read_board(
            q, board=f"challenge:{c.id}", period_key="all", user=user, hidden_team=c.team_id,
            view=view, limit=limit, cursor=cursor, zero_if_absent=False,
        )  # fmt: skip
    return schemas.Leaderboard(
        period="all",
        starts_on=c.starts_on,
        ends_on=c.ends_on,
        entries=entries,
        me=me,
        next_cursor=next_cursor,
    )
