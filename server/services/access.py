"""Who may read or change what: the authorization decisions the services share.

Each use case opens its transaction, then asks here before it reads or writes anything of
someone else's. The rule everywhere: what the caller may not see does not exist for them
(404, the same answer as an id nobody has, so probing ids learns nothing); what they may
see but not change is 403. Which team role may do what is a pure rule, ``domain.roles``.
"""

from __future__ import annotations

from uuid import UUID

from server.domain import roles
from server.services.errors import Conflict, Forbidden, NotFound
from server.store.records import (
    ChallengeRecord,
    CheckinRecord,
    HabitRecord,
    MemberRecord,
    TeamRecord,
    UserRecord,
)
from server.store.transaction import Transaction


async def own_habit(
    q: Transaction, user: UserRecord, habit_id: UUID | str, *, missing: str = "no such habit"
) -> HabitRecord:
    habit = await q.habits.get(user.id, str(habit_id))
    if habit is None:
        raise NotFound(missing)
    return habit


async def own_checkin(
    q: Transaction, user: UserRecord, habit_id: UUID, checkin_id: UUID
) -> tuple[CheckinRecord, HabitRecord]:
    """A live check-in of the caller's, on that habit, and its habit."""
    checkin = await q.checkins.get(str(checkin_id))
    if (
        checkin is None
        or checkin.user_id != user.id
        or checkin.habit_id != str(habit_id)
        or checkin.deleted_at is not None
    ):
        raise NotFound("no such check-in")
    return checkin, await own_habit(q, user, checkin.habit_id, missing="no such check-in")


async def membership(
    q: Transaction, user: UserRecord, team_id: UUID | str
) -> tuple[TeamRecord, MemberRecord]:
    """The team and the caller's membership; 404 for anyone who is not a member."""
    me = await q.teams.membership(str(team_id), user.id)
    team = await q.teams.get(str(team_id)) if me else None
    if me is None or team is None:
        raise NotFound("no such team")
    return team, me


async def is_member(q: Transaction, user: UserRecord, team_id: str) -> bool:
    return await q.teams.membership(team_id, user.id) is not None


def require_manager(me: MemberRecord, doing: str = "do this") -> None:
    if not roles.manages(me.role):
        raise Forbidden(f"only the team's owner or an admin may {doing}")


def check_removal(me: MemberRecord, target: MemberRecord, member_count: int) -> None:
    """May ``me`` take ``target`` off the team (``target`` may be ``me``: leaving)?"""
    if target.user_id != me.user_id:
        require_manager(me)
        if not roles.may_remove(me.role, target.role):
            raise Forbidden("only the owner removes admins, and nobody removes the owner")
    elif me.role == "owner" and member_count > 1:
        raise Conflict("make another member the owner before leaving")


def check_member_change(
    me: MemberRecord, target: MemberRecord, *, hiding: bool, giving_role: bool
) -> None:
    if hiding and target.user_id != me.user_id:
        raise Forbidden("members choose for themselves whether they are shown")
    if giving_role:
        if not roles.may_assign_roles(me.role):
            raise Forbidden("only the owner changes roles")
        if target.user_id == me.user_id:
            raise Conflict("hand the owner role to another member instead")


async def may_see_challenge(q: Transaction, user: UserRecord, c: ChallengeRecord) -> bool:
    """Public challenges, and those of the caller's teams."""
    return c.team_id is None or await is_member(q, user, c.team_id)


async def visible_challenge(
    q: Transaction, user: UserRecord, challenge_id: UUID | str
) -> ChallengeRecord:
    c = await q.challenges.get(str(challenge_id))
    if c is None or not await may_see_challenge(q, user, c):
        raise NotFound("no such challenge")
    return c
