"""Fixtures: the real app on a fresh database, a clock tests can move, and typed clients
for as many users as a test needs.

The database is a temporary SQLite file, or with ``--store postgresql`` a fresh schema in
a PostgreSQL database this test session creates for itself (on ``$RAPPORT_TEST_POSTGRES``,
default the local server) and drops at its end: two sessions never share one."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import httpx
import msgspec
import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.app import create_app, rebooted, reusable_for
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


POSTGRES_MIGRATIONS = Path(__file__).resolve().parents[1] / "server/store/migrations_postgresql"
POSTGRES_ADMIN = os.environ.get(
    "RAPPORT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--store",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="the database the app runs on (postgresql: a database of this session's own)",
    )


# Tests that touch no store, or only the TUI's embedded one (always SQLite): the PostgreSQL
# run leaves them out rather than repeat them.
STORE_FREE = (
    "server/domain/",
    "tests/domain/",
    "tests/tui/",
    "tests/test_catalog.py",
    "tests/test_docs_paths.py",
    "tests/store/test_backends.py",
    "tests/store/test_packaging.py",
)


def pytest_configure(config: pytest.Config) -> None:
    # The PostgreSQL run repeats the stateful sweep on the other store with fewer scenarios
    # (the single-call fuzz runs on SQLite only); both runs stay inside CI's ten minutes on
    # two cores. An explicit value wins.
    if config.getoption("--store") == "postgresql":
        os.environ.setdefault("RAPPORT_STATEFUL_SCENARIOS", "50")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = config.getoption("--store") == "postgresql"
    root = Path(str(config.rootpath))

    def left_out(item: pytest.Item) -> bool:
        if on_postgres:
            where = Path(str(item.path)).relative_to(root).as_posix()
            return (
                where.startswith(STORE_FREE) or item.get_closest_marker("sqlite_only") is not None
            )
        return item.get_closest_marker("postgres_only") is not None

    out = [item for item in items if left_out(item)]
    if out:
        config.hook.pytest_deselected(items=out)
        items[:] = [item for item in items if not left_out(item)]


def _run(work: Awaitable[Any]) -> Any:
    """Run ``work`` to completion on a loop of its own, from sync or async code alike."""

    async def wrapped() -> Any:
        return await work

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, wrapped()).result()


async def _admin(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres(request: pytest.FixtureRequest) -> Iterator[str | None]:
    """This session's own PostgreSQL database (its URL), or None on SQLite."""
    if request.config.getoption("--store") != "postgresql":
        yield None
        return
    name = f"rapport_test_{os.getpid()}_{secrets.token_hex(4)}"
    _run(_admin(POSTGRES_ADMIN, f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        _run(_admin(POSTGRES_ADMIN, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# PostgreSQL schemas a test used and gave back emptied, migrated already: the next test
# takes one instead of creating a schema and running every migration again (that DDL was
# most of a test's set-up on PostgreSQL). One pool per worker process.
_EMPTIED: list[str] = []
_MIGRATED_TABLES: set[str] = set()


async def _empty_for_reuse(url: str, schema: str) -> bool:
    """Empty ``schema``'s tables (its migrations stay recorded), or drop it when it is not
    exactly a fully migrated schema (a test made it otherwise, or still holds a lock)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("SET lock_timeout = '2s'")
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)
        tables = {r["tablename"] for r in rows}
        migrated = "schema_migrations" in tables and (
            await conn.fetchval(f"SELECT COUNT(*) FROM {schema}.schema_migrations")
        ) == len(list(POSTGRES_MIGRATIONS.glob("*.sql")))
        if migrated and not _MIGRATED_TABLES:
            _MIGRATED_TABLES.update(tables)
        if migrated and tables == _MIGRATED_TABLES:
            listed = ", ".join(f"{schema}.{t}" for t in sorted(tables - {"schema_migrations"}))
            try:
                await conn.execute(f"TRUNCATE {listed} RESTART IDENTITY CASCADE")
                return True
            except asyncpg.PostgresError:
                pass
        # Left for the session database's own drop (WITH FORCE) if something holds it.
        with contextlib.suppress(asyncpg.PostgresError):
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        return False
    finally:
        await conn.close()


class Databases:
    """Fresh, empty databases for one test, on the store the session runs on."""

    def __init__(self, folder: Path, postgres: str | None, *, reuse: bool = False) -> None:
        self.folder = folder
        self.postgres = postgres
        self.reuse = reuse
        self.handed: list[str] = []

    def new(self, name: str = "rapport") -> str:
        """A database setting (a SQLite path, or a URL naming an empty schema)."""
        if self.postgres is None:
            return str(self.folder / f"{name}-{secrets.token_hex(3)}.db")
        if self.reuse and _EMPTIED:
            schema = _EMPTIED.pop()
        else:
            schema = f"t_{secrets.token_hex(6)}"
            _run(_admin(self.postgres, f"CREATE SCHEMA {schema}"))
        self.handed.append(schema)
        return f"{self.postgres}?search_path={schema}"

    def give_back(self) -> None:
        """After the test: its schemas, emptied, for the next tests of this worker."""
        if self.postgres is None or not self.reuse:
            return
        for schema in self.handed:
            if _run(_empty_for_reuse(self.postgres, schema)):
                _EMPTIED.append(schema)
        self.handed.clear()


@pytest.fixture
def databases(tmp_path: Path, postgres: str | None) -> Iterator[Databases]:
    found = Databases(tmp_path, postgres, reuse=True)
    yield found
    found.give_back()


@pytest.fixture(scope="session")
def session_databases(tmp_path_factory: pytest.TempPathFactory, postgres: str | None) -> Databases:
    """For module- and session-scoped fixtures (a live server a module shares)."""
    return Databases(tmp_path_factory.mktemp("databases"), postgres)


@pytest.fixture
def settings(databases: Databases) -> Settings:
    # Tests register many users from one address on a frozen clock: lift that limit here;
    # tests/api/test_rate_limits.py checks the limits themselves.
    return Settings(
        database=databases.new(),
        synchronous="NORMAL",
        registrations_per_minute=1_000_000,
        # No worker ticking on its own over a frozen clock: tests call ``tick`` themselves.
        notify_interval_s=0,
    )


# argon2id at its cheapest (a hash in ~0.05 ms instead of ~120 ms): tests register
# thousands of accounts and measure nothing about hashing. The served default is checked in
# tests/api/test_auth.py.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


# One app per worker process, started again for each test on the test's own settings,
# database and clock (``rebooted``): building it is 0.1 s of route registration, a third of
# the suite's CPU when paid for every test. Everything a request uses is made at start.
_APPS: list[Litestar] = []


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Litestar:
    for made in _APPS:
        if reusable_for(made, settings):
            return rebooted(made, settings, clock=clock, hasher=FAST_HASHER)
    fresh = create_app(settings, clock=clock, hasher=FAST_HASHER)
    _APPS.append(fresh)
    return fresh


# The longest any request may hold the app's event loop in a test (every other request
# waits that long): CPU time of the loop's thread, so a busy CI machine that merely
# pauses the thread does not count, while a request parsing megabytes on the loop does.
# (An import parsed on the loop held it for seconds.) The largest legitimate hold is the
# OpenAPI document, built once on its first request: 0.21 s of CPU alone, measured up to
# 0.62 s with the machine's two cores oversubscribed; the budget leaves room for that.
LOOP_BUDGET_S = 1.0


class LoopWatch:
    """Wakes every 10 ms on the app's event loop and measures the CPU time the loop's
    thread spent in between: at least what the longest callback held the loop."""

    TICK = 0.01

    def __init__(self) -> None:
        self.worst = 0.0
        self.stopped = False

    async def run(self) -> None:
        while not self.stopped:
            before = time.thread_time()
            await asyncio.sleep(self.TICK)
            self.worst = max(self.worst, time.thread_time() - before)


@pytest.fixture
async def http(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A client of the app, whose event loop no request may block over ``LOOP_BUDGET_S``
    (the test fails at teardown if one did)."""
    async with AsyncTestClient(app=app) as client:
        watch = LoopWatch()
        watching = client.blocking_portal.start_task_soon(watch.run)
        try:
            yield client
        finally:
            watch.stopped = True
            await asyncio.wrap_future(watching)
    assert watch.worst < LOOP_BUDGET_S, (
        f"a request held the event loop for {watch.worst:.2f} s (budget {LOOP_BUDGET_S} s)"
    )


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


T = TypeVar("T")


async def on_app_loop(http: AsyncTestClient[Litestar], work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work`` on the event loop the test client runs the app on, where the app's
    database connections live (asyncpg's belong to the loop that opened them)."""
    portal = http.blocking_portal
    return await asyncio.to_thread(portal.call, work)


async def drifts(http: AsyncTestClient[Litestar]) -> list[Any]:
    """What ``rapport-server check`` would report of the app's database."""
    from server.services.audit import check

    report = await on_app_loop(http, lambda: check(http.app.state.ctx))
    return list(report.drifts)


async def fails(call: Awaitable[Any]) -> ApiError:
    """The ApiError ``call`` raises (the test fails if it succeeds)."""
    with pytest.raises(ApiError) as caught:
        await call
    return caught.value


async def busy_history(
    ana: RapportClient, ben: RapportClient, clock: FakeClock, days: int = 10
) -> str:
    """Teammates' history with a bit of everything: a catalog habit and a custom one,
    a challenge, check-ins witnessed by the teammate and confirmed, one of them undone,
    over ``days`` days. The team's id."""
    team = (await ana.request("POST", "/api/v1/teams", body={"name": "Pod"})).json()
    code = (await ana.request("POST", f"/api/v1/teams/{team['id']}/invites")).json()["code"]
    await ben.request("POST", "/api/v1/teams/join", body={"code": code})
    promise = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    listen = await ana.create_habit(
        schemas.HabitCreate(title="Listen", category="relationships", schedule=schemas.Daily())
    )
    body = {"template": "promise-keeper-week"}
    challenge = (await ana.request("POST", "/api/v1/challenges", body=body)).json()
    await ana.request("POST", f"/api/v1/challenges/{challenge['id']}/join")
    ben_id = UUID(str((await ben.me()).id))
    for day in range(days):
        await ana.check_in(promise.id)
        if day % 3:
            done = await ana.check_in(listen.id, schemas.CheckInCreate(witness=ben_id))
            if day == 4:
                await ana.undo(listen.id, done.checkin.id)
        clock.advance(days=1)
    for pending in (await ben.request("GET", "/api/v1/confirmations")).json():
        await ben.request("POST", f"/api/v1/confirmations/{pending['id']}", body={"confirm": True})
    return str(team["id"])


def stored_checkin_ids(base: str, auth: dict[str, str], habit_id: str) -> set[str]:
    """Every live check-in id of a habit, page by page, from a running server."""
    stored: set[str] = set()
    cursor = None
    while True:
        page = httpx.get(
            f"{base}/api/v1/habits/{habit_id}/checkins",
            params={"limit": 200, **({"cursor": cursor} if cursor else {})},
            headers=auth,
        ).json()
        stored |= {c["id"] for c in page["items"]}
        cursor = page["next_cursor"]
        if not cursor:
            return stored


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


class ServerProcess:
    """One ``rapport-server`` subprocess on a free loopback port."""

    def __init__(self, database: Path | str, env: dict[str, str] | None = None, *args: str) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "server", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            [*command, "--log-level", "warning", *args],
            env={
                **os.environ,
                "RAPPORT_DATABASE": str(database),
                "RAPPORT_SYNCHRONOUS": "NORMAL",
                # Fuzzing writes and registers far faster than any person.
                "RAPPORT_WRITES_PER_MINUTE": "1000000",
                "RAPPORT_REGISTRATIONS_PER_MINUTE": "1000000",
                **(env or {}),
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def wait_ready(self) -> None:
        for _ in range(150):
            try:
                if httpx.get(f"{self.base}/health/ready", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self) -> str:
        """Stop it (if still running); what it wrote to stderr."""
        if self.proc.poll() is None:
            self.proc.terminate()
        _, stderr = self.proc.communicate(timeout=10)
        return stderr.decode(errors="replace")


@contextmanager
def live_servers(
    database: Path | str, count: int, env: dict[str, str] | None = None
) -> Iterator[list[ServerProcess]]:
    """``count`` server processes on one database, started at the same moment.

    On exit they are stopped, and a traceback in a log fails the test: an unhandled error
    is a bug even when it was answered politely."""
    servers = [ServerProcess(database, env) for _ in range(count)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        logs = [server.stop() for server in servers]
        for log in logs:
            assert "Traceback" not in log, log[-3000:]


@contextmanager
def live_server(database: Path | str) -> Iterator[str]:
    """The real server as a subprocess on a free loopback port; its base URL."""
    with live_servers(database, 1) as [server]:
        yield server.base
