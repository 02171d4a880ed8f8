"""Travel: a user who changes time zone mid-streak. Whatever the moves, every accepted
check-in lands on the local day it was made, and streaks, totals and boards stay equal to
a recomputation from the check-ins."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.domain.calendar import local_day
from server.settings import Settings
from shared import schemas
from shared.client import RapportClient
from tests.conftest import FAST_HASHER, Databases, FakeClock, drifts

ZONES = ["Pacific/Auckland", "America/Los_Angeles", "Europe/Berlin", "Asia/Kathmandu", "UTC"]

steps = st.lists(
    st.tuples(
        st.integers(1, 40),  # hours the clock moves
        st.one_of(st.none(), st.sampled_from(ZONES)),  # a move to another zone, or none
        st.integers(0, 23),  # day-start hour after a move
        st.booleans(),  # check in now
    ),
    min_size=1,
    max_size=25,
)


async def journey(database: str, moves: list[tuple[int, str | None, int, bool]]) -> None:
    clock = FakeClock(datetime(2026, 3, 25, 20, 0, tzinfo=UTC))  # DST changes are near
    app = create_app(
        Settings(database=database, synchronous="NORMAL"), clock=clock, hasher=FAST_HASHER
    )
    async with AsyncTestClient(app=app) as http:
        ana = RapportClient(http=http)
        await ana.register(
            schemas.RegisterRequest(handle="nomad", password="long enough", timezone="UTC")
        )
        habit = await ana.create_habit(
            schemas.HabitCreate(
                title="Call home", category="relationships", schedule=schemas.Daily()
            )
        )
        zone, start = "UTC", 0
        expected_days: set[date] = set()
        for hours, new_zone, new_start, check_in in moves:
            clock.advance(hours=hours)
            if new_zone is not None:
                zone, start = new_zone, new_start
                await ana.update_me(schemas.ProfilePatch(timezone=zone, day_start_hour=start))
            if check_in:
                day = local_day(clock.now, zone, start)
                reply = await http.post(
                    f"/api/v1/habits/{habit.id}/checkins",
                    json={},
                    headers={"Authorization": f"Bearer {ana.token}"},
                )
                # Refused: already done today, or today fell into a settled period after a
                # move west; nothing changed.
                assert reply.status_code in (201, 409, 422)
                if reply.status_code == 201:
                    assert reply.json()["checkin"]["day"] == day.isoformat()  # made that day
                    expected_days.add(day)
        stored = {c.day for c in (await ana.checkins(habit.id, limit=200)).items}
        assert stored == expected_days
        assert await drifts(http) == []


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moves=steps)
def test_changing_time_zone_mid_streak_loses_nothing(
    session_databases: Databases, moves: list[tuple[int, str | None, int, bool]]
) -> None:
    asyncio.run(journey(session_databases.new("travel"), moves))


def test_a_long_journey_west_and_east_keeps_the_streak_equal_to_recomputation(
    databases: Databases,
) -> None:
    moves = [(24, None, 0, True)] * 5 + [(3, "America/Los_Angeles", 4, True)]
    moves += [(24, None, 0, True)] * 3 + [(2, "Pacific/Auckland", 0, True)]
    moves += [(24, None, 0, True)] * 3
    asyncio.run(journey(databases.new("long"), moves))


def test_a_day_checked_in_before_a_move_east_and_back_keeps_its_entry(
    databases: Databases,
) -> None:
    """Found by the property above: a check-in on the day before the habit's first day (a
    move west with a late day start), a move east that settled that day, then a move back
    west whose re-pricing took the settled day's entry back."""
    moves = [(1, "America/Los_Angeles", 15, True), (1, "Pacific/Auckland", 0, True)]
    moves += [(1, "America/Los_Angeles", 0, True)]
    asyncio.run(journey(databases.new("settled"), moves))
