"""The fair-play invariant as a property: whatever sequence of API calls a player makes
(import a hand-made history first, then create, edit difficulty, archive, delete, check in,
backdate, skip, undo, start, join and leave their own challenges, over several days), their
points always equal what the documented rules derive from the check-ins that survive: each
done day priced by ``scoring.earnings`` from scratch (an unverified history prices nothing,
and its streak prices from the import on), plus the balance bonus of each day on which
check-ins of both categories pay. Order, undos, deletions, forged history and self-made
challenges change nothing."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.domain import balance, scoring, streaks
from server.domain.schedule import Schedule as DomainSchedule
from server.domain.schedule import cadence
from server.settings import Settings
from shared import schemas
from shared.client import RapportClient
from tests.conftest import FAST_HASHER, Databases, FakeClock, drifts

SCHEDULES: list[dict[str, Any]] = [
    {"type": "daily"},
    {"type": "weekdays", "days": [1, 3, 5]},
    {"type": "times_per_week", "times": 2},
    {"type": "every_n_days", "n": 3},
]
DIFFICULTIES = ["trivial", "easy", "medium", "hard"]
CATEGORIES = ["results", "relationships"]

action = st.one_of(
    st.tuples(
        st.just("create"),
        st.sampled_from(range(len(SCHEDULES))),
        st.sampled_from(DIFFICULTIES),
        st.sampled_from(CATEGORIES),
    ),
    st.tuples(st.just("checkin"), st.integers(0, 5), st.booleans()),  # habit, yesterday?
    st.tuples(st.just("skip"), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("undo"), st.integers(0, 5), st.integers(0, 3)),
    st.tuples(st.just("difficulty"), st.integers(0, 5), st.sampled_from(DIFFICULTIES)),
    st.tuples(st.just("archive"), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("delete"), st.integers(0, 5)),
    st.tuples(st.just("challenge"), st.sampled_from(CATEGORIES)),
    st.tuples(st.just("leave"), st.integers(0, 3)),
    st.tuples(st.just("next_day")),
)


# A history a hand-made file claims, imported first: (habit 0-2, a run of days done up to
# the day before the import, and a gap of days left out of the run).
history = st.lists(st.tuples(st.integers(0, 2), st.integers(1, 40), st.integers(0, 40)), max_size=3)


class ModelHabit(msgspec.Struct):
    id: str
    schedule: dict[str, Any]
    category: str
    anchor: date
    # (first day priced by it, difficulty), oldest first: a change applies from tomorrow.
    difficulties: list[tuple[date, str]]
    # Imported from a file this server cannot vouch for: its streak prices from this day.
    priced_from: date | None = None


def forged_file(
    claims: list[tuple[int, int, int]], today: date
) -> tuple[dict[str, Any], list[Any]]:
    """A hand-made Rapport file with ``claims``, and the habits it holds for the model."""
    habits: list[dict[str, Any]] = []
    for index in sorted({i for i, _, _ in claims}):
        days = sorted(
            {
                today - timedelta(days=ago)
                for i, run, gap in claims
                if i == index
                for ago in range(1, run + 1)
                if ago != gap
            }
        )
        if not days:
            continue
        habits.append(
            {
                "id": str(uuid4()), "title": f"Imported {index}",
                "category": CATEGORIES[index % 2], "schedule": SCHEDULES[index],
                "kind": "check", "target": 1, "difficulty": "hard", "archived": False,
                "created_at": "2026-01-01T00:00:00Z", "anchor_day": days[0].isoformat(),
                "checkins": [
                    {"id": str(uuid4()), "day": d.isoformat(), "value": 1, "skip": False,
                     "created_at": "2026-01-01T00:00:00Z"}
                    for d in days
                ],
            }
        )  # fmt: skip
    profile = {
        "handle": "player", "display_name": "Player", "timezone": "UTC", "day_start_hour": 0,
        "created_at": "2026-01-01T00:00:00Z",
    }  # fmt: skip
    ledger = [{"id": str(uuid4()), "at": "2026-03-10T00:00:00Z", "day": "2026-03-10",
               "amount": 100_000, "reason": "checkin"}]  # fmt: skip
    body = {"format": "rapport/v1", "exported_at": "2026-03-10T00:00:00Z", "profile": profile,
            "habits": habits, "ledger": ledger, "badges": []}  # fmt: skip
    return body, habits


def derived_points(habits: list[ModelHabit], live: dict[str, list[dict[str, Any]]]) -> int:
    """The rules, from scratch: every surviving habit's done days priced in day order."""
    total = 0
    paid_categories: dict[date, set[str]] = defaultdict(set)
    for habit in habits:
        values: dict[date, list[Any]] = defaultdict(lambda: [0, False])
        for c in live[habit.id]:
            day = date.fromisoformat(c["day"])
            values[day][0] += c["value"]
            values[day][1] = values[day][1] or c["skip"]
        records = [
            streaks.DayRecord(day=d, done=not skip and value >= 1, skipped=skip)
            for d, (value, skip) in sorted(values.items())
        ]
        cad = cadence(msgspec.convert(habit.schedule, DomainSchedule), habit.anchor)

        def difficulty(day: date, steps: list[tuple[date, str]] = habit.difficulties) -> str:
            return [d for since, d in steps if since <= day][-1]

        for earning in scoring.earnings(
            streaks.EMPTY, cad, records, first=date.min, difficulty=difficulty,
            priced_from=habit.priced_from,
        ):  # fmt: skip
            total += earning.points + sum(scoring.milestone_bonus(m) for m in earning.milestones)
            if earning.points > 0:
                paid_categories[earning.day].add(habit.category)
    return total + scoring.BALANCE_BONUS * sum(
        1 for cats in paid_categories.values() if balance.is_balanced(cats)
    )


async def play(
    database: str, claims: list[tuple[int, int, int]], actions: list[tuple[Any, ...]]
) -> None:
    clock = FakeClock(datetime(2026, 3, 11, 12, 0, tzinfo=UTC))
    app = create_app(
        Settings(database=database, synchronous="NORMAL"), clock=clock, hasher=FAST_HASHER
    )
    async with AsyncTestClient(app=app) as http:
        player = RapportClient(http=http)
        await player.register(
            schemas.RegisterRequest(handle="player", password="long enough", timezone="UTC")
        )
        habits: list[ModelHabit] = []
        made: dict[str, list[str]] = defaultdict(list)  # check-in ids per habit
        joined: list[str] = []  # challenges the player started and joined

        auth = {"Authorization": f"Bearer {player.token}"}

        async def call(method: str, path: str, body: Any = None) -> Any:
            reply = await http.request(method, path, json=body, headers=auth)
            assert reply.status_code < 500  # refused or done, never broken
            return reply

        if claims:
            today = clock.now.date()
            body, claimed = forged_file(claims, today)
            reply = await call("POST", "/api/v1/me/import", body)
            assert reply.status_code == 200
            assert (reply.json()["verified"], reply.json()["points"]) == (False, 0)
            listed = (await call("GET", "/api/v1/habits?limit=10")).json()["items"]
            by_title = {h["title"]: h["id"] for h in listed}
            assert len(by_title) == len(claimed)
            habits += [
                ModelHabit(
                    id=by_title[h["title"]], schedule=h["schedule"], category=h["category"],
                    anchor=date.fromisoformat(h["anchor_day"]),
                    difficulties=[(date.min, "hard")], priced_from=today,
                )
                for h in claimed
            ]  # fmt: skip

        def pick(index: int) -> ModelHabit | None:
            return habits[index % len(habits)] if habits else None

        for step in actions:
            today = clock.now.date()
            kind, *args = step
            if kind == "create":
                schedule, difficulty, category = SCHEDULES[args[0]], args[1], args[2]
                reply = await call(
                    "POST",
                    "/api/v1/habits",
                    {"title": "H", "category": category, "schedule": schedule,
                     "difficulty": difficulty},
                )  # fmt: skip
                if reply.status_code == 201:
                    habits.append(
                        ModelHabit(
                            id=reply.json()["id"], schedule=schedule, category=category,
                            anchor=today, difficulties=[(date.min, difficulty)],
                        )
                    )  # fmt: skip
            elif kind in ("checkin", "skip") and (habit := pick(args[0])):
                day = today - timedelta(days=1) if args[1] else today
                reply = await call(
                    "POST",
                    f"/api/v1/habits/{habit.id}/checkins",
                    {"day": day.isoformat(), "skip": kind == "skip"},
                )
                if reply.status_code == 201:
                    made[habit.id].append(reply.json()["checkin"]["id"])
            elif kind == "undo" and (habit := pick(args[0])) and made[habit.id]:
                checkin = made[habit.id][args[1] % len(made[habit.id])]
                await call("DELETE", f"/api/v1/habits/{habit.id}/checkins/{checkin}")
            elif kind == "difficulty" and (habit := pick(args[0])):
                reply = await call("PATCH", f"/api/v1/habits/{habit.id}", {"difficulty": args[1]})
                if reply.status_code == 200 and habit.difficulties[-1][1] != args[1]:
                    since = today + timedelta(days=1)
                    habit.difficulties = [s for s in habit.difficulties if s[0] < since]
                    habit.difficulties.append((since, args[1]))
            elif kind == "archive" and (habit := pick(args[0])):
                await call("PATCH", f"/api/v1/habits/{habit.id}", {"archived": args[1]})
            elif kind == "delete" and (habit := pick(args[0])):
                reply = await call("DELETE", f"/api/v1/habits/{habit.id}")
                assert reply.status_code == 204
                habits.remove(habit)
            elif kind == "challenge":
                goal = {"category": args[0], "target": 1}
                reply = await call("POST", "/api/v1/challenges", {"title": "Mine", "goal": goal})
                if reply.status_code == 201:
                    joined.append(reply.json()["id"])
                    await call("POST", f"/api/v1/challenges/{joined[-1]}/join")
            elif kind == "leave" and joined:
                challenge = joined[args[0] % len(joined)]
                await call("POST", f"/api/v1/challenges/{challenge}/leave")
            elif kind == "next_day":
                clock.advance(days=1)

        live = {
            h.id: (await call("GET", f"/api/v1/habits/{h.id}/checkins?limit=200")).json()["items"]
            for h in habits
        }
        assert (await player.me()).points == derived_points(habits, live)
        assert await drifts(http) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(claims=history, actions=st.lists(action, min_size=1, max_size=30))
def test_points_always_equal_the_rules_applied_to_the_surviving_check_ins(
    session_databases: Databases,
    claims: list[tuple[int, int, int]],
    actions: list[tuple[Any, ...]],
) -> None:
    asyncio.run(play(session_databases.new(), claims, actions))
