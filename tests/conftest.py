"""Fixtures: the real app on a temporary SQLite file, a clock tests can move, and typed
clients for as many users as a test needs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import Settings
from shared import schemas
from shared.client import ApiError, RapportClient


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
    # Tests register many users from one address on a frozen clock: lift that limit here;
    # tests/api/test_rate_limits.py checks the limits themselves.
    return Settings(
        database=str(tmp_path / "rapport.db"),
        synchronous="NORMAL",
        registrations_per_minute=1_000_000,
    )


# argon2id at its cheapest (a hash in ~0.05 ms instead of ~120 ms): tests register
# thousands of accounts and measure nothing about hashing. The served default is checked in
# tests/api/test_auth.py.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Litestar:
    return create_app(settings, clock=clock, hasher=FAST_HASHER)


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


async def fails(call: Awaitable[Any]) -> ApiError:
    """The ApiError ``call`` raises (the test fails if it succeeds)."""
    with pytest.raises(ApiError) as caught:
        await call
    return caught.value


async def team_of(owner: RapportClient, *others: RapportClient, **fields: Any) -> schemas.Team:
    """A team ("Crew" unless ``fields`` say otherwise) owned by ``owner`` that every one of
    ``others`` has joined with an invite code."""
    response = await owner.request("POST", "/api/v1/teams", body={"name": "Crew", **fields})
    assert response.status_code == 201
    team = msgspec.json.decode(response.content, type=schemas.Team)
    if others:
        response = await owner.request("POST", f"/api/v1/teams/{team.id}/invites")
        code = msgspec.json.decode(response.content, type=schemas.Invite).code
        for other in others:
            joined = await other.request("POST", "/api/v1/teams/join", body={"code": code})
            assert joined.status_code == 200
    return team


class InFlight:
    """An ASGI wrapper that records how many HTTP requests the app served at once."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app
        self.now = 0
        self.most = 0

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            await self.app(scope, receive, send)
        finally:
            self.now -= 1


@asynccontextmanager
async def overlapping_client(app: Litestar) -> AsyncIterator[tuple[RapportClient, InFlight]]:
    """A new user's client whose requests really overlap, and the app's in-flight counter.

    Litestar's AsyncTestClient runs each request to completion in a portal thread, so
    ``asyncio.gather`` over it sends them one after another; httpx's ASGITransport runs
    the app in the test's own event loop instead. (A context manager, not a fixture: the
    app's lifespan must start and stop in the same task.)
    """
    in_flight = InFlight(app)
    transport = httpx.ASGITransport(app=in_flight)
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as http,
    ):
        client = RapportClient(http=http)
        await client.register(
            schemas.RegisterRequest(handle="ana", password="a long enough password")
        )
        yield client, in_flight


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(database: Path) -> Iterator[str]:
    """The real server as a subprocess on a free loopback port; its base URL.

    On exit the server is stopped, and a traceback in its log fails the test: an
    unhandled error is a bug even when it was answered politely.
    """
    port = _free_port()
    env = {
        **os.environ,
        "RAPPORT_DATABASE": str(database),
        "RAPPORT_SYNCHRONOUS": "NORMAL",
        # Fuzzing writes and registers far faster than any person.
        "RAPPORT_WRITES_PER_MINUTE": "1000000",
        "RAPPORT_REGISTRATIONS_PER_MINUTE": "1000000",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("server did not start")
        yield base
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=10)
        assert b"Traceback" not in stderr, stderr.decode(errors="replace")[-3000:]
