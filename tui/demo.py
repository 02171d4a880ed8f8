"""``rapport --demo``: a profile with 90 days of history, made through the API.

The demo is played, not forged: a demo user registers on a server whose clock is moved
back 90 days, adopts six catalog habits (both categories, every kind of schedule), and
checks in day by day while the clock moves forward, about three days in four, with runs
and gaps like a real person's. Streaks, points, badges and balance therefore all come
from the server's own rules. The same ``seed`` and ``end`` always give the same history.

Five weeks before the end the demo user starts a team with a weekly goal and five
teammates join it with an invite code; they check in too (each as keen as their own
``chance``), so the team board has rows this week, this month and all time. A week before
the end the demo user starts a team challenge and joins it with two teammates. On the
last day two teammates check in naming the demo user as witness: confirmations waiting on
the Team screen. The teammates play with their own random numbers, so the demo user's own
history is the same with or without them.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from shared import schemas
from shared.client import RapportClient

DEMO_HANDLE = "demo"
DEMO_PASSWORD = "demo-password-not-secret"
DEMO_NAME = "Sam Rivera"
DEMO_DAYS = 90

DEMO_HABITS = [
    "deliver-on-a-promise",
    "time-block-top-priority",
    "ship-to-a-high-standard",
    "listen-actively",
    "reach-out-to-your-network",
    "meet-your-mentor",
]

TEAM_NAME = "Product crew"
TEAM_GOAL = 40  # check-ins a week, by the whole team
TEAM_DAYS = 35  # the team started five weeks before the end
CHALLENGE = "listening-lab"
CHALLENGE_DAYS = 7  # the challenge started a week before the end


@dataclass(frozen=True)
class Teammate:
    handle: str
    name: str
    habit: str  # a catalog habit: the one they keep up
    chance: float  # how likely they check in on a day
    witness: bool = False  # names the demo user as witness on the last day
    challenge: bool = False  # joins the demo's challenge


TEAMMATES = [
    Teammate("mei", "Mei Chen", "deliver-on-a-promise", 0.9),
    Teammate("jordan", "Jordan Lee", "listen-actively", 0.7, witness=True, challenge=True),
    Teammate(
        "priya", "Priya Shah", "help-or-review-for-a-peer", 0.45, witness=True, challenge=True
    ),
    Teammate("alex", "Alex Kim", "learn-one-thing", 0.5),
    Teammate("dana", "Dana Okafor", "stay-positive-and-courteous", 0.3),
]

# How likely a due habit is done, after a done or a missed occasion (about 75 % overall).
P_AFTER_DONE = 0.82
P_AFTER_MISS = 0.55
# Chance that a weekly or fortnightly habit gets done on a day it is still open.
P_FLEXIBLE = 0.45
P_SKIP = 0.02

NOTES = {
    "deliver-on-a-promise": [
        "Sent the deck to Priya before noon, as promised.",
        "Fixed the flaky export for the support team.",
        "Got the budget numbers to finance a day early.",
    ],
    "ship-to-a-high-standard": [
        "Released the onboarding flow with full test coverage.",
        "Rewrote the migration guide; two reviewers said it was clear.",
    ],
    "listen-actively": [
        "Let Jordan finish before answering. Learned why the launch slipped.",
        "Summarised back what Mei said in the retro; she felt heard.",
    ],
    "reach-out-to-your-network": [
        "Coffee chat with a former teammate now at a startup.",
        "Congratulated Alex on the new role and asked how it is going.",
    ],
    "meet-your-mentor": [
        "Talked through the staff-engineer path with Dana.",
        "Mentor call: practise saying no to low-value requests.",
    ],
}


class DemoClock:
    """The demo server's clock: pinned while the history is played, real time after
    ``release()``. Tests never release it, so their screens never see the real "now"."""

    def __init__(self, pinned: datetime | None = None) -> None:
        self.pinned = pinned

    def __call__(self) -> datetime:
        return self.pinned if self.pinned is not None else datetime.now(UTC)

    def release(self) -> None:
        self.pinned = None


Progress = Callable[[float, str], None]


async def build_demo(
    client: RapportClient,
    clock: DemoClock,
    *,
    end: datetime,
    timezone: str = "UTC",
    days: int = DEMO_DAYS,
    seed: int = 7,
    progress: Progress | None = None,
) -> schemas.AuthResult:
    """Register the demo user and play ``days`` days of check-ins ending at ``end``, with
    a team, a challenge and confirmations to give (see the module's docstring).

    Returns a fresh login made at ``end`` (the registration token is ``days`` old)."""
    rng = random.Random(seed)
    crew = Crew(client, random.Random(seed + 1), timezone)
    report = progress or (lambda _fraction, _label: None)
    clock.pinned = end - timedelta(days=days)
    await client.register(
        schemas.RegisterRequest(
            handle=DEMO_HANDLE, password=DEMO_PASSWORD, display_name=DEMO_NAME, timezone=timezone
        )
    )
    report(0.0, "Adopting six habits from the catalog")
    slugs = {}
    for slug in DEMO_HABITS:
        habit = await client.create_habit(schemas.HabitCreate(template=slug))
        slugs[habit.id] = slug
    last_done: dict[str, bool] = {}
    team_from, challenge_from = max(0, days - TEAM_DAYS), max(0, days - CHALLENGE_DAYS)
    for offset in range(days + 1):
        clock.pinned = end - timedelta(days=days - offset)
        is_today = offset == days
        if offset and offset % 30 == 0:
            await client.login(DEMO_HANDLE, DEMO_PASSWORD)  # tokens last 90 days
        if offset == team_from:
            report(offset / days, "Starting a team")
            await crew.start()
        if offset == challenge_from:
            await crew.start_challenge()
        today = await client.today()
        report(offset / days, f"Playing {today.day:%a %d %b}")
        await crew.play(last_day=is_today)
        for entry in today.habits:
            if not entry.due or entry.done or entry.skipped:
                continue
            slug = slugs[entry.habit.id]
            if is_today:
                # Leave today half-open, so the demo starts with something to tick.
                if slug in ("deliver-on-a-promise", "listen-actively"):
                    await _do(client, rng, entry, slug, partial=True)
                continue
            if rng.random() < P_SKIP:
                await client.check_in(entry.habit.id, schemas.CheckInCreate(skip=True))
                continue
            flexible = entry.habit.schedule.__struct_config__.tag in (
                "times_per_week",
                "every_n_days",
            )
            chance = (
                P_FLEXIBLE
                if flexible
                else (P_AFTER_DONE if last_done.get(slug, True) else P_AFTER_MISS)
            )
            done = rng.random() < chance
            last_done[slug] = done
            if not done:
                continue
            await _do(client, rng, entry, slug, partial=is_today)
    clock.pinned = end
    report(1.0, "Ready")
    return await client.login(DEMO_HANDLE, DEMO_PASSWORD)


class Crew:
    """The demo user's team: started, joined, and played through the API like the rest."""

    def __init__(self, client: RapportClient, rng: random.Random, timezone: str) -> None:
        self.client = client
        self.rng = rng
        self.timezone = timezone
        self.team: schemas.Team | None = None
        # Each teammate's own client (their token) and their habit.
        self.members: list[tuple[Teammate, RapportClient, schemas.Habit]] = []

    async def start(self) -> None:
        """The demo user starts the team; the teammates register and join with a code."""
        goal = schemas.TeamGoalSpec(target=TEAM_GOAL)
        self.team = await self.client.create_team(schemas.TeamCreate(name=TEAM_NAME, goal=goal))
        invite = await self.client.create_invite(self.team.id)
        # Registering hashes a password (slow on purpose): the teammates do it side by side.
        self.members = list(await asyncio.gather(*(self._join(t, invite) for t in TEAMMATES)))

    async def _join(
        self, teammate: Teammate, invite: schemas.Invite
    ) -> tuple[Teammate, RapportClient, schemas.Habit]:
        member = RapportClient(http=self.client.http)
        await member.register(
            schemas.RegisterRequest(
                handle=teammate.handle,
                password=DEMO_PASSWORD,
                display_name=teammate.name,
                timezone=self.timezone,
            )
        )
        await member.join_team(invite.code)
        habit = await member.create_habit(schemas.HabitCreate(template=teammate.habit))
        return teammate, member, habit

    async def start_challenge(self) -> None:
        """A team challenge the demo user and some teammates take part in."""
        team_id = self.team.id if self.team else None
        challenge = await self.client.create_challenge(
            schemas.ChallengeCreate(template=CHALLENGE, team_id=team_id)
        )
        await self.client.join_challenge(challenge.id)
        for teammate, member, _ in self.members:
            if teammate.challenge:
                await member.join_challenge(challenge.id)

    async def play(self, *, last_day: bool) -> None:
        """One day of the teammates' check-ins; on the last day the witnesses name the
        demo user, who has their confirmations to give."""
        me: UUID | None = None
        if last_day and self.members:
            me = (await self.client.me()).id
        for teammate, member, habit in self.members:
            witness = me if teammate.witness else None
            if witness is None and self.rng.random() >= teammate.chance:
                continue
            body = schemas.CheckInCreate(value=habit.target, witness=witness)
            await member.check_in(habit.id, body)


async def _do(
    client: RapportClient,
    rng: random.Random,
    entry: schemas.TodayHabit,
    slug: str,
    *,
    partial: bool,
) -> None:
    notes = NOTES.get(slug, [])
    note = rng.choice(notes) if notes and rng.random() < 0.2 else None
    if entry.habit.kind == "check":
        await client.check_in(entry.habit.id, schemas.CheckInCreate(note=note))
        return
    # Count habits fill up over the day in a few check-ins; some days stop short.
    target = entry.habit.target
    total = target - 1 if partial or rng.random() < 0.15 else target
    while total > 0:
        step = min(total, rng.randint(1, 2))
        await client.check_in(entry.habit.id, schemas.CheckInCreate(value=step, note=note))
        note = None
        total -= step
