"""The benchmark data set, written into a fresh SQLite file before the server starts.

Everything goes through the project's own code: ``SqliteDatabase`` creates the file and
runs the real migrations, and the use cases in ``server.services`` (habits, check-ins,
teams, challenges) write the rows under a fake clock that walks day by day through the
history, so streaks, freezes, points, the ledger, boards, team goals, challenge progress,
badges and the change log are what the same actions over the API would have left.

Two shortcuts, both through ``server.store.transaction.Transaction`` and both for speed:

- accounts and their bearer tokens are inserted directly, sharing one argon2 hash
  (hashing thousands of passwords would take minutes and measures nothing here);
- team members are added without invite codes (``teams.new_member`` + ``add_member``).

The services run over ``SyncDatabase``: the store's ``Database`` interface over a plain
``sqlite3`` connection with ``synchronous=OFF``. Through aiosqlite every statement is a
hop to its thread, which makes one seeded check-in about 4 ms instead of 0.4 ms; the full
data set has about 100,000 of them.
"""

from __future__ import annotations

import math
import random
import secrets
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal, cast
from uuid import UUID

from argon2 import PasswordHasher

from server.catalog import load_catalog
from server.ids import new_id
from server.services import challenges, checkins, habits, sync, teams
from server.services.accounts import TOKEN_PREFIX, token_digest
from server.services.context import Context
from server.services.paging import encode_cursor
from server.settings import Settings
from server.store.database import Connection, Database
from server.store.records import UserRecord
from server.store.sqlite import SqliteConnection, SqliteDatabase
from server.store.transaction import PORTABLE, Transaction
from shared import schemas

PASSWORD = "bench password, not a secret"
TIME_ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "America/Sao_Paulo")
# Every account tracks these two (daily, one per category) and uses them in its recent days.
MEMBER_HABITS = ("deliver-on-a-promise", "stay-positive-and-courteous")
CHALLENGE_TEMPLATE = "connection-fortnight"  # 10 relationships habit-days in 14 days
BATCH = 1_000  # accounts or members per write transaction


@dataclass(frozen=True)
class Scale:
    name: str
    users: int  # ordinary accounts; the teams are drawn from them
    team_sizes: tuple[int, ...]
    recent_days: int  # days of history (today included) of every ordinary account
    two_year_users: int  # plus this many accounts with two years of daily history...
    one_year_users: int  # ...and one year (the one-week account is always there)
    load_users: int  # ordinary accounts that own the fresh habits the load checks in
    # Fresh (account, habit) pairs: the check-in phase takes them from the front, the mixed
    # phase gets the rest.
    fresh_pool: int
    challenge_every: int = 2  # every n-th ordinary account takes part in the challenge


QUICK = Scale(
    name="quick", users=1_500, team_sizes=(100, 1_000), recent_days=3, two_year_users=2,
    one_year_users=2, load_users=1_000, fresh_pool=11_000,
)  # fmt: skip
FULL = Scale(
    name="full", users=12_000, team_sizes=(100, 1_000, 10_000), recent_days=4,
    two_year_users=6, one_year_users=12, load_users=6_000, fresh_pool=90_000,
)  # fmt: skip


@dataclass(frozen=True)
class TeamInfo:
    id: str
    members: range  # account numbers


@dataclass
class Dataset:
    tokens: list[str]  # bearer token of each account, by account number
    teams: dict[int, TeamInfo]  # by member count
    challenge_id: str
    week_user: int  # the six history habits, one week of check-ins
    two_year_user: int  # the same six habits, two years of check-ins
    long_users: list[int]  # every account with one or two years of history
    history_habits: list[tuple[int, str]]  # (account, habit id) of the long histories
    fresh_pairs: list[tuple[int, str]]  # fresh (account, habit id): one check-in each
    # Sync cursors as a client would hold them: behind -> account -> the cursor after
    # which exactly ``behind`` entities changed (ordinary accounts and the one-week one: 5;
    # long histories: 5 and 200), taken when seeding ended.
    sync_cursors: dict[int, dict[int, str]]
    sync_entities: dict[int, int]  # long-history account -> entities a first sync sends
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


# -- the store interface over plain sqlite3 --------------------------------------------


class SyncDatabase:
    """``server.store.database.Database`` for one seeding process: one connection, no
    threads, no durability (the file is thrown away if seeding fails)."""

    areas = PORTABLE
    shared = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = sqlite3.connect(path, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute("PRAGMA synchronous = OFF")

    async def announce(self, conn: Connection, events: Sequence[tuple[str, bytes]]) -> bool:
        return False  # nobody listens while seeding

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqliteConnection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield SqliteConnection(self._conn)
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    @asynccontextmanager
    async def read(self, *, snapshot: bool = True) -> AsyncIterator[SqliteConnection]:
        self._conn.execute("BEGIN")
        try:
            yield SqliteConnection(self._conn)
        finally:
            self._conn.execute("COMMIT")

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.close()

    @property
    def size(self) -> int:
        return self.path.stat().st_size

    def count(self, table: str) -> int:
        return int(self._conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


# -- how often a history habit is done ---------------------------------------------------

# slug -> (chance that day, value when done): realistic gaps, so streaks break and freezes
# get earned and spent.
Rule = Callable[[date, random.Random], int]


def _daily(p: float) -> Rule:
    return lambda day, rng: 1 if rng.random() < p else 0


def _weekdays(p: float, value: Callable[[random.Random], int] = lambda rng: 1) -> Rule:
    return lambda day, rng: value(rng) if day.isoweekday() <= 5 and rng.random() < p else 0


HISTORY_HABITS: dict[str, Rule] = {
    "deliver-on-a-promise": _daily(0.85),
    "time-block-top-priority": _weekdays(0.8),
    "ship-to-a-high-standard": _daily(0.45),  # three times a week
    "listen-actively": _weekdays(0.7, lambda rng: rng.choice((1, 2, 3, 3, 3))),  # count, 3
    "stay-positive-and-courteous": _daily(0.8),
    "meet-your-mentor": _daily(0.08),  # every 14 days
}


# -- building ------------------------------------------------------------------------


class _Builder:
    def __init__(self, db: SyncDatabase, scale: Scale, now: datetime, rng: random.Random):
        self.db = db
        self.scale = scale
        self.now = now
        self.rng = rng
        self.clock = FakeClock(now)
        self.ctx = Context(
            db=cast(Database, db),  # structurally one
            clock=self.clock,
            settings=Settings(database=":bench:"),
            catalog=load_catalog(),
        )
        self.users: list[UserRecord] = []
        self.tokens: list[str] = []
        self.checkins = 0

    def at(self, days_ago: int) -> datetime:
        self.clock.now = self.now - timedelta(days=days_ago)
        return self.clock.now

    async def accounts(self, count: int, *, prefix: str, days_ago: int, zones: bool) -> range:
        """``count`` accounts with a token each; their account numbers."""
        first = len(self.users)
        password_hash = PasswordHasher().hash(PASSWORD)
        created = self.at(days_ago)
        for start in range(0, count, BATCH):
            async with self.db.write() as conn:
                q = Transaction(conn)
                for n in range(start, min(start + BATCH, count)):
                    user = UserRecord(
                        id=new_id(), handle=f"{prefix}{n}", display_name=f"Bench {prefix}{n}",
                        password_hash=password_hash,
                        timezone=TIME_ZONES[n % len(TIME_ZONES)] if zones else "UTC",
                        day_start_hour=0, points=0, xp=0, total_done=0, balanced_days=0,
                        created_at=created,
                    )  # fmt: skip
                    await q.users.insert(user)
                    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
                    await q.users.insert_token(
                        token_digest(token), user.id, self.now, self.now + timedelta(days=90)
                    )
                    self.users.append(user)
                    self.tokens.append(token)
                await q.changes.flush()
        return range(first, len(self.users))

    async def team(self, size: int, members: range) -> TeamInfo:
        owner = self.users[members[0]]
        self.at(60)
        view = await teams.create_team(
            self.ctx,
            owner,
            schemas.TeamCreate(name=f"Team of {size}", goal=schemas.TeamGoalSpec(target=size * 3)),
        )
        team_id = str(view.id)
        rest = members[1:]
        for start in range(0, len(rest), BATCH):
            async with self.db.write() as conn:
                q = Transaction(conn)
                for n in rest[start : start + BATCH]:
                    member = teams.new_member(team_id, self.users[n].id, "member", self.clock())
                    await q.teams.add_member(member)
                await q.changes.flush()
        return TeamInfo(id=team_id, members=members)

    async def challenge(self, participants: Sequence[int], days_ago: int) -> str:
        self.at(days_ago)  # it starts "today" then, so it is under way now
        body = schemas.ChallengeCreate(template=CHALLENGE_TEMPLATE)
        view = await challenges.create_challenge(self.ctx, self.users[participants[0]], body)
        for n in participants:
            await challenges.join_challenge(self.ctx, self.users[n], view.id)
        return str(view.id)

    async def habit(self, n: int, body: schemas.HabitCreate) -> str:
        habit, _ = await habits.create_habit(self.ctx, self.users[n], body)
        return str(habit.id)

    async def check_in(self, n: int, habit_id: str, *, value: int = 1, skip: bool = False) -> None:
        body = schemas.CheckInCreate(value=value, skip=skip)
        await checkins.check_in(self.ctx, self.users[n], UUID(habit_id), body)
        self.checkins += 1

    async def recent_days(self, accounts: range) -> None:
        """The two daily habits of every ordinary account, done on some recent days."""
        self.at(self.scale.recent_days + 1)
        owned = {
            n: [await self.habit(n, schemas.HabitCreate(template=s)) for s in MEMBER_HABITS]
            for n in accounts
        }
        for days_ago in range(self.scale.recent_days - 1, -1, -1):
            self.at(days_ago)
            chances = (0.85, 0.55) if days_ago == 0 else (0.7, 0.5)
            for n, (results, relationships) in owned.items():
                if self.rng.random() < chances[0]:
                    await self.check_in(n, results)
                if self.rng.random() < chances[1]:
                    await self.check_in(n, relationships)

    async def histories(self, spans: dict[int, int]) -> dict[int, list[str]]:
        """Each account of ``spans`` tracks the six history habits for that many days
        (today included); the fake clock walks forward one day at a time."""
        owned: dict[int, list[str]] = {}
        for n, span in spans.items():
            self.at(span - 1)
            owned[n] = [
                await self.habit(n, schemas.HabitCreate(template=slug)) for slug in HISTORY_HABITS
            ]
        for days_ago in range(max(spans.values()) - 1, -1, -1):
            day = self.at(days_ago).date()
            for n, span in spans.items():
                if days_ago >= span:
                    continue
                for habit_id, rule in zip(owned[n], HISTORY_HABITS.values(), strict=True):
                    value = rule(day, self.rng)
                    if value:
                        await self.check_in(n, habit_id, value=value)
                    elif rule is HISTORY_HABITS["deliver-on-a-promise"] and self.rng.random() < 0.1:
                        await self.check_in(n, habit_id, skip=True)  # a planned day off
        return owned

    async def sync_positions(self, accounts: Sequence[int]) -> dict[int, list[str]]:
        """Per account, the sync cursor after each entity of a full sync, in order (the
        server's own query and cursor encoding)."""
        out: dict[int, list[str]] = {}
        async with self.db.read() as conn:
            q = Transaction(conn)
            for n in accounts:
                rows = await q.changes.after(self.users[n].id, sync.START, 10**9)
                out[n] = [encode_cursor(str(v), kind, entity) for v, kind, entity in rows]
        return out

    async def fresh_pairs(self, owners: Sequence[int], count: int) -> list[tuple[int, str]]:
        """``count`` new daily habits spread over ``owners``, none checked in yet."""
        self.at(1)
        per_owner = math.ceil(count / len(owners))
        pairs = []
        for k in range(per_owner):
            category: Literal["results", "relationships"] = (
                "results" if k % 2 == 0 else "relationships"
            )
            for n in owners:
                body = schemas.HabitCreate(
                    title=f"Practice {k + 1}", category=category, schedule=schemas.Daily()
                )
                pairs.append((n, await self.habit(n, body)))
        self.rng.shuffle(pairs)
        return pairs[:count]


async def build(path: Path, scale: Scale, *, seed: int = 7) -> Dataset:
    """Create ``path`` and fill it; the tokens and ids the load generator needs."""
    real = SqliteDatabase(path)
    await real.open()  # the schema, by the project's own migrations (and WAL mode)
    await real.close()

    db = SyncDatabase(path)
    b = _Builder(db, scale, datetime.now(UTC), random.Random(seed))
    seconds: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        seconds[name] = round(time.perf_counter() - mark, 2)
        mark = time.perf_counter()

    try:
        ordinary = await b.accounts(scale.users, prefix="u", days_ago=90, zones=True)
        two_year = await b.accounts(scale.two_year_users, prefix="y", days_ago=740, zones=False)
        one_year = await b.accounts(scale.one_year_users, prefix="o", days_ago=370, zones=False)
        week = await b.accounts(1, prefix="w", days_ago=10, zones=False)
        lap("accounts")

        team_infos: dict[int, TeamInfo] = {}
        start = 0
        for size in sorted(scale.team_sizes, reverse=True):
            team_infos[size] = await b.team(size, ordinary[start : start + size])
            start += size
        if start > len(ordinary):
            raise ValueError(f"{scale.users} accounts cannot fill teams of {scale.team_sizes}")
        challenge_id = await b.challenge(ordinary[:: scale.challenge_every], days_ago=5)
        lap("teams_and_challenge")

        await b.recent_days(ordinary)
        lap("recent_days")

        spans = {n: 730 for n in two_year} | {n: 365 for n in one_year} | {week[0]: 7}
        owned = await b.histories(spans)
        lap("long_histories")

        step = len(ordinary) / scale.load_users
        owners = [ordinary[int(i * step)] for i in range(scale.load_users)]
        pairs = await b.fresh_pairs(owners, scale.fresh_pool)
        lap("fresh_habits")

        long_users = [*two_year, *one_year]
        positions = await b.sync_positions([*ordinary, *long_users, week[0]])
        cursors: dict[int, dict[int, str]] = {5: {}, 200: {}}
        for n, after in positions.items():
            for behind in (5, 200) if n in long_users else (5,):
                if len(after) > behind:
                    cursors[behind][n] = after[-behind - 1]
        lap("sync_cursors")

        counts = {
            table: db.count(table)
            for table in (
                "users", "tokens", "habits", "checkins", "ledger", "board_scores",
                "team_members", "challenge_participants", "user_badges", "changes",
            )
        }  # fmt: skip
    finally:
        await db.close()
    lap("checkpoint")
    counts["database_bytes"] = db.size
    return Dataset(
        tokens=b.tokens,
        teams=team_infos,
        challenge_id=challenge_id,
        week_user=week[0],
        two_year_user=two_year[0],
        long_users=long_users,
        history_habits=[(n, h) for n, hs in owned.items() for h in hs],
        fresh_pairs=pairs,
        sync_cursors=cursors,
        sync_entities={n: len(positions[n]) for n in long_users},
        counts=counts,
        seconds=seconds,
    )
