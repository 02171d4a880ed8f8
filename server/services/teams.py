"""Teams: create, invite, join, leave, roles, the weekly goal, and the boards.

Only members see a team; to anyone else it does not exist (404). Owners and admins invite
and remove; only the owner changes roles. A board read is two index range scans (the page,
and a count for the caller's rank), whatever the team's size or history.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import date, datetime, timedelta
from uuid import UUID

import msgspec

from server.domain import boards
from server.domain.calendar import local_day
from server.ids import new_id
from server.services import access, notifications, points
from server.services.accounts import check_time_zone
from server.services.context import Context
from server.services.errors import BadCursor, Forbidden, NotFound
from server.services.paging import cut, decode_cursor, encode_cursor
from server.services.text import named
from server.store.records import (
    BoardRow,
    InviteRecord,
    MemberRecord,
    TeamRecord,
    UserRecord,
)
from server.store.transaction import Transaction
from shared import schemas

MEMBERS_IN_TEAM_VIEW = 200
AROUND = 2  # neighbours above and below the caller in view=around
TOP = 3


def _code_digest(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def new_invite_code() -> str:
    # 10 characters of Crockford-like base32: ~50 bits, easy to read out loud.
    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def public_user(user_id: str, handle: str, display_name: str) -> schemas.PublicUser:
    return schemas.PublicUser(id=UUID(user_id), handle=handle, display_name=display_name)


# Shown for a hidden entry that somehow has no alias: hiding never falls back to the real id.
NO_ALIAS = str(UUID(int=0))


def hidden_user(alias: str | None) -> schemas.PublicUser:
    """The stand-in for someone who opted out: a random id drawn when they joined the team
    (or the challenge), the same on every read of that board and linked to nothing else."""
    return schemas.PublicUser(
        id=UUID(alias or NO_ALIAS), handle="hidden", display_name="Hidden member"
    )


def new_member(team_id: str, user_id: str, role: schemas.Role, now: datetime) -> MemberRecord:
    return MemberRecord(
        team_id=team_id, user_id=user_id, role=role, hidden=False, alias=str(uuid.uuid4()),
        joined_at=now, joined_id=new_id(),
    )  # fmt: skip


def _member_view(m: MemberRecord) -> schemas.Member:
    return schemas.Member(
        user=public_user(m.user_id, m.handle, m.display_name),
        role=m.role,
        joined_at=m.joined_at,
        hidden=m.hidden,
    )


async def team_view(
    ctx: Context, q: Transaction, team: TeamRecord, me: MemberRecord, *, with_members: bool
) -> schemas.Team:
    goal = None
    if team.goal_target:
        week = boards.period_key("week", local_day(ctx.clock(), team.timezone))
        goal = schemas.TeamGoal(
            target=team.goal_target,
            category=team.goal_category,
            week_starts_on=date.fromisoformat(week.split(":")[1]),
            progress=await q.teams.goal_progress(team.id, week),
        )
    members = next_cursor = None
    if with_members:
        rows = await q.teams.members(team.id, limit=MEMBERS_IN_TEAM_VIEW + 1)
        if len(rows) > MEMBERS_IN_TEAM_VIEW:
            rows = rows[:MEMBERS_IN_TEAM_VIEW]
            next_cursor = encode_cursor(rows[-1].user_id)
        members = [_member_view(m) for m in rows]
    return schemas.Team(
        id=UUID(team.id),
        name=team.name,
        timezone=team.timezone,
        created_at=team.created_at,
        member_count=team.member_count,
        my_role=me.role,
        goal=goal,
        members=members,
        members_next_cursor=next_cursor,
    )


def _goal_fields(goal: schemas.TeamGoalSpec | None) -> tuple[schemas.Category | None, int | None]:
    return (goal.category, goal.target) if goal else (None, None)


async def create_team(ctx: Context, user: UserRecord, body: schemas.TeamCreate) -> schemas.Team:
    tz = check_time_zone(body.timezone or user.timezone)
    category, target = _goal_fields(body.goal)
    now = ctx.clock()
    team = TeamRecord(
        id=new_id(), name=named(body.name, "name"), timezone=tz, created_at=now,
        member_count=0, goal_category=category, goal_target=target,
    )  # fmt: skip
    me = new_member(team.id, user.id, "owner", now)
    async with ctx.write(user.id) as q:
        await q.teams.insert(team)
        await q.teams.add_member(me)
        team.member_count = 1
        await points.award_badges(ctx, q, user.id, streak=0, now=now)
        return await team_view(ctx, q, team, me, with_members=True)


async def my_teams(ctx: Context, user: UserRecord) -> list[schemas.Team]:
    async with ctx.read() as q:
        return [
            await team_view(ctx, q, team, me, with_members=False)
            for team, me in await q.teams.teams_of(user.id)
        ]


async def get_team(ctx: Context, user: UserRecord, team_id: UUID) -> schemas.Team:
    async with ctx.read() as q:
        team, me = await access.membership(q, user, team_id)
        return await team_view(ctx, q, team, me, with_members=True)


async def update_team(
    ctx: Context, user: UserRecord, team_id: UUID, body: schemas.TeamPatch
) -> schemas.Team:
    if body.timezone is not msgspec.UNSET:
        check_time_zone(body.timezone)
    async with ctx.write(user.id) as q:
        team, me = await access.membership(q, user, team_id)
        access.require_manager(me)
        if body.name is not msgspec.UNSET:
            team.name = named(body.name, "name")
        if body.timezone is not msgspec.UNSET:
            team.timezone = body.timezone
        if body.goal is not msgspec.UNSET:
            team.goal_category, team.goal_target = _goal_fields(body.goal)
        await q.teams.update(team)
        return await team_view(ctx, q, team, me, with_members=False)


async def members(
    ctx: Context, user: UserRecord, team_id: UUID, *, limit: int, cursor: str | None
) -> schemas.MemberPage:
    after = decode_cursor(cursor, 1)[0] if cursor else None
    async with ctx.read() as q:
        await access.membership(q, user, team_id)
        rows = await q.teams.members(str(team_id), after=after, limit=limit + 1)
    page, next_cursor = cut(rows, limit, lambda m: encode_cursor(m.user_id))
    return schemas.MemberPage(items=[_member_view(m) for m in page], next_cursor=next_cursor)


# -- invites ------------------------------------------------------------------------------


async def create_invite(
    ctx: Context, user: UserRecord, team_id: UUID, body: schemas.InviteCreate
) -> schemas.Invite:
    now = ctx.clock()
    code = new_invite_code()
    invite = InviteRecord(
        id=new_id(), team_id=str(team_id), code_hash=_code_digest(code), created_by=user.id,
        created_at=now, expires_at=now + timedelta(hours=body.expires_in_hours), revoked_at=None,
    )  # fmt: skip
    async with ctx.write(user.id) as q:
        _, me = await access.membership(q, user, team_id)
        access.require_manager(me)
        await q.teams.insert_invite(invite)
    return schemas.Invite(id=UUID(invite.id), code=code, expires_at=invite.expires_at)


async def list_invites(ctx: Context, user: UserRecord, team_id: UUID) -> list[schemas.InviteInfo]:
    async with ctx.read() as q:
        _, me = await access.membership(q, user, team_id)
        access.require_manager(me)
        rows = await q.teams.invites(str(team_id), ctx.clock())
    return [
        schemas.InviteInfo(id=UUID(i.id), created_at=i.created_at, expires_at=i.expires_at)
        for i in rows
    ]


async def revoke_invite(ctx: Context, user: UserRecord, team_id: UUID, invite_id: UUID) -> None:
    async with ctx.write(user.id) as q:
        _, me = await access.membership(q, user, team_id)
        access.require_manager(me)
        if not await q.teams.revoke_invite(str(team_id), str(invite_id), ctx.clock()):
            raise NotFound("no such invite")


async def join(ctx: Context, user: UserRecord, body: schemas.JoinRequest) -> schemas.Membership:
    now = ctx.clock()
    async with ctx.write(user.id) as q:
        invite = await q.teams.invite_by_code(_code_digest(body.code))
        if invite is None or invite.revoked_at is not None or invite.expires_at <= now:
            # One answer for unknown, revoked and expired codes: codes cannot be probed.
            raise NotFound("this invite code is unknown, revoked or expired")
        team = await q.teams.get(invite.team_id)
        if team is None:
            raise NotFound("this invite code is unknown, revoked or expired")
        me = await q.teams.membership(team.id, user.id)
        if me is None:
            banned = await q.teams.banned_since(team.id, user.id)
            if banned is not None:
                if invite.created_at <= banned:
                    raise Forbidden(
                        "you were removed from this team; only a new invite from its owner"
                        " or an admin lets you back in"
                    )
                await q.teams.lift_ban(team.id, user.id)
            me = new_member(team.id, user.id, "member", now)
            await q.teams.add_member(me)
            team.member_count += 1
            await points.award_badges(ctx, q, user.id, streak=0, now=now)
            who = notifications.member_name(user)
            await notifications.emit_team(
                q, team.id, "team.member.joined", f"{team.id}:{me.user_id}:{now.isoformat()}",
                {"member": who, "member_count": team.member_count}, now,
            )  # fmt: skip
        view = await team_view(ctx, q, team, me, with_members=False)
    return schemas.Membership(team=view, role=me.role)


async def remove_member(ctx: Context, user: UserRecord, team_id: UUID, member_id: UUID) -> None:
    """Leave (yourself) or remove someone (owner/admin). An owner hands the team over
    before leaving; the last member leaving deletes the team."""
    async with ctx.write(user.id) as q:
        team, me = await access.membership(q, user, team_id)
        target = await q.teams.membership(team.id, str(member_id))
        if target is None:
            raise NotFound("no such member")
        # Their boards and memberships change too: wait for their own writes (only once
        # the caller is known to share the team with them).
        await q.users.lock([target.user_id])
        access.check_removal(me, target, team.member_count)
        await q.teams.remove_member(team.id, target.user_id)
        if target.user_id != user.id:  # removed, not leaving: the old invites are closed
            await q.teams.ban(team.id, target.user_id, ctx.clock())
        if team.member_count <= 1:
            await q.teams.delete(team.id)


async def update_member(
    ctx: Context, user: UserRecord, team_id: UUID, member_id: UUID, body: schemas.MemberPatch
) -> schemas.Member:
    async with ctx.write(user.id) as q:
        team, me = await access.membership(q, user, team_id)
        target = await q.teams.membership(team.id, str(member_id))
        if target is None:
            raise NotFound("no such member")
        # Their boards and memberships change too: wait for their own writes (only once
        # the caller is known to share the team with them).
        await q.users.lock([target.user_id])
        access.check_member_change(
            me,
            target,
            hiding=body.hidden is not msgspec.UNSET,
            giving_role=body.role is not msgspec.UNSET,
        )
        if body.hidden is not msgspec.UNSET:
            target.hidden = body.hidden
        if body.role is not msgspec.UNSET:
            if body.role == "owner":
                # Handing the team over: the old owner stays on as an admin.
                await q.teams.set_member(team.id, user.id, role="admin", hidden=me.hidden)
            target.role = body.role
        await q.teams.set_member(team.id, target.user_id, role=target.role, hidden=target.hidden)
        account = await q.users.by_id(target.user_id)
        assert account is not None
        target.handle, target.display_name = account.handle, account.display_name
        return _member_view(target)


# -- boards -------------------------------------------------------------------------------


async def read_board(
    q: Transaction,
    *,
    board: str,
    period_key: str,
    user: UserRecord,
    hidden_team: str | None,
    view: str,
    limit: int,
    cursor: str | None,
    zero_if_absent: bool,
) -> tuple[list[schemas.BoardEntry], schemas.BoardMe | None, str | None]:
    """One page of a board (or the top and the caller's neighbours), ranked, and the
    caller's own standing even when outside the page.

    Others see a hidden entry (a user hidden from every board, or from ``hidden_team``'s)
    as a stand-in: the team membership's alias on a team board, the participation's alias
    on a challenge board (``challenge:<id>``, public or of a team)."""
    challenge = board.removeprefix("challenge:") if board.startswith("challenge:") else None
    mine = await q.boards.score(board, period_key, user.id)
    me = None
    if mine is not None or zero_if_absent:
        points = mine or 0
        me = schemas.BoardMe(
            rank=1 + await q.boards.count_above(board, period_key, points), points=points
        )

    async def ranked(rows: list[BoardRow]) -> list[schemas.BoardEntry]:
        if not rows:
            return []
        first = rows[0]
        before = await q.boards.count_above(board, period_key, first.points, first.user_id)
        above = await q.boards.count_above(board, period_key, first.points)
        ranks = boards.competition_ranks(
            [r.points for r in rows], before=before, first_rank=above + 1
        )
        return [
            schemas.BoardEntry(
                rank=rank,
                user=(
                    hidden_user(r.alias)
                    if r.hidden and r.user_id != user.id
                    else public_user(r.user_id, r.handle, r.display_name)
                ),
                points=r.points,
                hidden=r.hidden,
                me=r.user_id == user.id,
            )
            for r, rank in zip(rows, ranks, strict=True)
        ]

    async def page(
        below: tuple[int, str] | None, limit: int, *, ascending: bool = False
    ) -> list[BoardRow]:
        return await q.boards.page(
            board, period_key, below=below, limit=limit, hidden_team=hidden_team,
            challenge=challenge, ascending=ascending,
        )  # fmt: skip

    if view == "around":
        entries = await ranked(await page(None, TOP))
        if mine is not None:
            key = (mine, user.id)
            above_me = await page(key, AROUND, ascending=True)
            below_me = await page(key, AROUND)
            self_row = await page((mine, _after_id(user.id)), 1)
            window = [*reversed(above_me), *self_row, *below_me]
            seen = {e.user.id for e in entries}
            entries += [e for e in await ranked(window) if e.user.id not in seen]
        return entries, me, None

    below = await _cursor_key(q, cursor, hidden_team, challenge) if cursor else None
    rows, next_cursor = cut(await page(below, limit + 1), limit, lambda r: _board_cursor(r, user))
    return await ranked(rows), me, next_cursor


def _board_cursor(last: BoardRow, user: UserRecord) -> str:
    """Where the next page starts. A hidden entry is named by its alias, never its id."""
    if last.hidden and last.user_id != user.id:
        return encode_cursor(str(last.points), "h", last.alias or NO_ALIAS)
    return encode_cursor(str(last.points), "u", last.user_id)


async def _cursor_key(
    q: Transaction, cursor: str, hidden_team: str | None, challenge: str | None
) -> tuple[int, str]:
    points, kind, ident = decode_cursor(cursor, 3)
    if not points.lstrip("-").isdigit() or kind not in ("h", "u"):
        raise BadCursor()
    if kind == "h":
        # The alias comes from where board_page took it: the participation on a challenge
        # board, the membership on a team board.
        if challenge is not None:
            found = await q.challenges.participant_by_alias(challenge, ident)
        elif hidden_team is not None:
            found = await q.teams.member_by_alias(hidden_team, ident)
        else:
            found = None
        if found is None:
            raise BadCursor()
        ident = found
    return int(points), ident


def _after_id(user_id: str) -> str:
    """A key just past ``user_id`` in descending order, so the page starts at it."""
    return user_id + "\uffff"


async def team_board(
    ctx: Context,
    user: UserRecord,
    team_id: UUID,
    *,
    period: boards.Period,
    view: str,
    limit: int,
    cursor: str | None,
) -> schemas.Leaderboard:
    async with ctx.read() as q:
        team, _ = await access.membership(q, user, team_id)
        today = local_day(ctx.clock(), team.timezone)
        key = boards.period_key(period, today)
        entries, me, next_cursor = await read_board(
            q, board=f"team:{team.id}", period_key=key, user=user, hidden_team=team.id,
            view=view, limit=limit, cursor=cursor, zero_if_absent=True,
        )  # fmt: skip
    starts_on, ends_on = boards.period_bounds(period, today)
    if period == "all":
        starts_on, ends_on = local_day(team.created_at, team.timezone), today
    return schemas.Leaderboard(
        period=period,
        starts_on=starts_on,
        ends_on=ends_on,
        entries=entries,
        me=me,
        next_cursor=next_cursor,
    )


# The board as someone outside the team sees it: hidden members as their stand-ins.
_OUTSIDER = UserRecord(
    id="", handle="", display_name="", password_hash="", timezone="UTC", day_start_hour=0,
    points=0, xp=0, total_done=0, balanced_days=0, created_at=datetime.min,
)  # fmt: skip
WEEKLY_TOP = 10


async def weekly_board(q: Transaction, team: TeamRecord, week_start: date) -> dict[str, object]:
    """The top of a team's board for the week from ``week_start`` (a Monday), as a team's
    webhook receives it (``team.board.weekly``)."""
    entries, _, _ = await read_board(
        q, board=f"team:{team.id}", period_key=boards.period_key("week", week_start),
        user=_OUTSIDER, hidden_team=team.id, view="page", limit=WEEKLY_TOP, cursor=None,
        zero_if_absent=False,
    )  # fmt: skip
    return {
        "name": team.name,
        "week_starts_on": week_start.isoformat(),
        "week_ends_on": (week_start + timedelta(days=6)).isoformat(),
        "entries": [
            {"rank": e.rank, "name": e.user.display_name, "points": e.points} for e in entries
        ],
    }
