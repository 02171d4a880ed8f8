"""Team goals and challenges: what a day done (or undone) counts towards beyond its habit.

Called inside the check-in and undo transactions with ``delta`` +1 or -1; returns the
postings (challenge rewards or their reversals) the caller posts with the rest.
"""

from __future__ import annotations

from datetime import date, datetime

from server.domain import boards
from server.domain import challenges as rules
from server.domain.calendar import local_day
from server.ids import new_id
from server.services import notifications
from server.services.points import Posting, fresh, taking_back
from server.store.records import ChallengeRecord, HabitRecord, LedgerRecord, UserRecord
from server.store.transaction import Transaction

CHALLENGE_REWARD = "challenge_reward"


async def day_done_changed(
    q: Transaction,
    user: UserRecord,
    habit: HabitRecord,
    day: date,
    *,
    delta: int,
    origin: LedgerRecord,
    now: datetime,
) -> list[Posting]:
    """``origin`` is the day's "checkin" ledger entry: when the day was counted."""
    for team, membership in await q.teams.teams_of(user.id):
        if (
            team.goal_target
            and origin.id >= membership.joined_id
            and rules.counts_towards(team.goal_category, None, habit.category, None)
        ):
            week = boards.period_key("week", local_day(origin.at, team.timezone))
            await q.teams.add_goal_progress(team.id, week, user.id, delta)

    postings: list[Posting] = []
    # Taking a day back only touches the challenges it counted towards when it was done.
    joined_by = origin.at if delta < 0 else None
    for challenge in await q.challenges.active_participations(user.id, day, joined_by=joined_by):
        if not rules.counts_towards(
            challenge.goal_category, challenge.goal_template, habit.category, habit.template
        ):
            continue
        after = await q.boards.add(f"challenge:{challenge.id}", "all", user.id, delta)
        crossed = rules.crossing(after - delta, after, challenge.target)
        if not crossed:
            continue
        paid = await q.ledger.open_entries(
            user.id, reasons=[CHALLENGE_REWARD], challenge_id=challenge.id
        )
        await q.challenges.set_completed(challenge.id, user.id, now if crossed > 0 else None)
        if crossed > 0 and not paid:  # a reward kept from before leaving is not paid twice
            await q.users.bump_counter(user.id, "challenges_completed", 1)
            await _announce_completion(q, user, challenge, now)
            reward = LedgerRecord(
                id=new_id(), user_id=user.id, at=now, day=day, amount=challenge.reward_points,
                reason=CHALLENGE_REWARD, challenge_id=challenge.id,
            )  # fmt: skip
            postings.append(fresh(reward))
        elif crossed < 0 and paid:
            await q.users.bump_counter(user.id, "challenges_completed", -1)
            postings += [taking_back(entry, now) for entry in paid]
    return postings


async def _announce_completion(
    q: Transaction, user: UserRecord, challenge: ChallengeRecord, now: datetime
) -> None:
    """To the user's webhooks, and to the team's for a team challenge (naming the member
    only if they show on boards)."""
    data = {"challenge_id": challenge.id, "title": challenge.title}
    key = f"{challenge.id}:{user.id}"
    await notifications.emit(q, user.id, "challenge.completed", key, data, now)
    if challenge.team_id is not None:
        who = notifications.member_name(user)
        await notifications.emit_team(q, challenge.team_id, "team.challenge.completed", key,
                                      {**data, "member": who}, now)  # fmt: skip
