"""Fixtures: the real app on a temporary SQLite file, a clock tests can move, and typed
clients for as many users as a test needs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import Settings
from shared import schemas
from shared.client import RapportClient


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set(self, now: datetime) -> None:
        self.now = now


@pytest.fixture
def clock() -> FakeClock:
    # A Wednesday, 12:00 UTC.
    return FakeClock(datetime(2026, 3, 11, 12, 0, tzinfo=UTC))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(database=str(tmp_path / "rapport.db"), synchronous="NORMAL")


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Litestar:
    return create_app(settings, clock=clock)


@pytest.fixture
async def http(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as client:
        yield client


MakeUser = Callable[..., Awaitable[RapportClient]]


@pytest.fixture
def make_user(http: AsyncTestClient[Litestar]) -> MakeUser:
    """Register a user and return a client authenticated as them."""
    counter = 0

    async def make(
        handle: str | None = None, *, timezone: str = "UTC", day_start_hour: int = 0
    ) -> RapportClient:
        nonlocal counter
        counter += 1
        client = RapportClient(http=http)
        await client.register(
            schemas.RegisterRequest(
                handle=handle or f"user{counter}",
                password="a long enough password",
                timezone=timezone,
                day_start_hour=day_start_hour,
            )
        )
        return client

    return make


@pytest.fixture
async def ana(make_user: MakeUser) -> RapportClient:
    return await make_user("ana")


@pytest.fixture
async def ben(make_user: MakeUser) -> RapportClient:
    return await make_user("ben")
