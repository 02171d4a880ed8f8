"""Abuse limits: new accounts per address and writes per user answer 429 with
Retry-After, change nothing, and lift when the minute has passed; oversized bodies are
413; tokens expire."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import Settings
from shared import schemas
from shared.client import ApiError, RapportClient
from tests.conftest import FAST_HASHER, Databases, FakeClock


async def test_registrations_per_address_are_limited(
    databases: Databases, clock: FakeClock
) -> None:
    settings = Settings(database=databases.new(), registrations_per_minute=3)
    async with AsyncTestClient(app=create_app(settings, clock=clock, hasher=FAST_HASHER)) as http:
        client = RapportClient(http=http)
        for n in range(3):
            await client.register(schemas.RegisterRequest(handle=f"new{n}", password="long enough"))
        with pytest.raises(ApiError) as refused:
            await client.register(schemas.RegisterRequest(handle="new3", password="long enough"))
        assert refused.value.status == 429
        assert refused.value.retry_after is not None
        assert 1 <= refused.value.retry_after <= 60
        with pytest.raises(ApiError) as unknown:
            await client.login("new3", "long enough")
        assert unknown.value.status == 401  # the refused account was not created

        clock.advance(seconds=61)
        await client.register(schemas.RegisterRequest(handle="new3", password="long enough"))


async def test_writes_per_user_are_limited_and_reads_are_not(
    databases: Databases, clock: FakeClock
) -> None:
    settings = Settings(database=databases.new(), writes_per_minute=4)
    async with AsyncTestClient(app=create_app(settings, clock=clock, hasher=FAST_HASHER)) as http:
        ana = RapportClient(http=http)
        await ana.register(schemas.RegisterRequest(handle="ana", password="long enough"))
        made = [
            await ana.create_habit(
                schemas.HabitCreate(title=f"H{n}", category="results", schedule=schemas.Daily())
            )
            for n in range(4)
        ]
        with pytest.raises(ApiError) as refused:
            await ana.create_habit(
                schemas.HabitCreate(title="H4", category="results", schedule=schemas.Daily())
            )
        assert refused.value.status == 429
        assert refused.value.problem is not None
        assert refused.value.problem.type.endswith("/rate-limited")
        for _ in range(10):
            assert len((await ana.habits()).items) == 4  # reads still answer; nothing added

        clock.advance(seconds=61)
        await ana.check_in(made[0].id)


async def test_a_body_over_one_megabyte_is_refused_with_413(ana: RapportClient) -> None:
    huge = {"title": "x" * 1_100_000, "category": "results", "schedule": {"type": "daily"}}
    response = await ana.http.post(
        "/api/v1/habits", json=huge, headers={"Authorization": f"Bearer {ana.token}"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (await ana.habits()).items == []


async def test_tokens_expire_after_their_lifetime(ana: RapportClient, clock: FakeClock) -> None:
    assert (await ana.me()).handle == "ana"
    clock.advance(days=89)
    assert (await ana.me()).handle == "ana"
    clock.advance(days=2)
    with pytest.raises(ApiError) as expired:
        await ana.me()
    assert expired.value.status == 401
