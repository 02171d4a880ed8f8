"""Fixtures for the terminal client: a real in-process server on a temporary database, a
network that can go down or lose answers, and a prebuilt demo profile for snapshots."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from textual.pilot import Pilot

from shared import schemas
from shared.client import RapportClient
from tests.conftest import FakeClock
from tui.app import RapportApp
from tui.config import Config, ConfigStore, LocalProfile
from tui.connect import Connector
from tui.demo import DEMO_HANDLE, DEMO_PASSWORD, DemoClock, build_demo
from tui.launch import LocalServer

PASSWORD = "a long enough password"
# The demo's "now": a Wednesday morning, so weekday and weekly habits both show.
DEMO_END = datetime(2026, 3, 11, 9, 30, tzinfo=UTC)


class Network:
    """Stands between the client and the in-process server. ``up = False``: every request
    fails to connect. ``lose_answers = True``: requests reach the server, answers are lost.
    ``gate`` (an unset event): requests wait until it is set, like a slow start."""

    def __init__(self) -> None:
        self.up = True
        self.lose_answers = False
        self.gate: asyncio.Event | None = None
        self.delivered: list[tuple[str, str]] = []

    def wrap(self, inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        return _Transport(inner, self)


class _Transport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, network: Network) -> None:
        self.inner = inner
        self.network = network

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.network.gate is not None:
            await self.network.gate.wait()
        if not self.network.up:
            raise httpx.ConnectError("network is down", request=request)
        response = await self.inner.handle_async_request(request)
        self.network.delivered.append((request.method, request.url.path))
        if self.network.lose_answers:
            await response.aclose()
            raise httpx.ReadError("the answer was lost", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass
class Profile:
    """A local profile on disk: database, config file, and the habits it holds."""

    data_dir: Path
    config: ConfigStore
    habits: dict[str, UUID] = field(default_factory=dict)


@pytest.fixture
def network() -> Network:
    return Network()


@dataclass
class ProfileFiles:
    folder: Path
    token: str
    habits: dict[str, UUID]


@pytest.fixture(scope="session")
def profile_files(tmp_path_factory: pytest.TempPathFactory) -> ProfileFiles:
    """Ana's database, made once per run (registering hashes a password: slow on purpose)."""
    folder = tmp_path_factory.mktemp("ana")
    clock = FakeClock(datetime(2026, 3, 11, 12, 0, tzinfo=UTC))  # as tests/conftest.py

    async def build() -> ProfileFiles:
        server = LocalServer(folder / "rapport.db", clock=clock, synchronous="NORMAL")
        http = await server.start()
        try:
            client = RapportClient(http=http)
            auth = await client.register(
                schemas.RegisterRequest(handle="ana", password=PASSWORD, display_name="Ana")
            )
            habits = {}
            for slug in ("deliver-on-a-promise", "listen-actively", "thank-a-colleague"):
                habit = await client.create_habit(schemas.HabitCreate(template=slug))
                habits[slug] = habit.id
        finally:
            await server.stop()
        return ProfileFiles(folder=folder, token=auth.token, habits=habits)

    return asyncio.run(build())


@pytest.fixture
def profile(tmp_path: Path, profile_files: ProfileFiles) -> Profile:
    """Ana's local profile with three habits: a yes/no, a count (3) and a weekday one."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    for path in profile_files.folder.iterdir():
        shutil.copy(path, data_dir / path.name)
    config = ConfigStore(tmp_path / "config" / "config.toml")
    config.save(
        Config(local=LocalProfile(handle="ana", password=PASSWORD, token=profile_files.token))
    )
    return Profile(data_dir=data_dir, config=config, habits=dict(profile_files.habits))


MakeApp = Callable[..., RapportApp]


@pytest.fixture
def make_app(profile: Profile, clock: FakeClock, network: Network) -> MakeApp:
    def make(**options: object) -> RapportApp:
        connector = Connector(
            config=profile.config,
            data_dir=profile.data_dir,
            clock=clock,
            synchronous="NORMAL",
            wrap_transport=network.wrap,
            log_to_file=False,
        )
        # Heartbeats are slow here: tests sync on purpose (ctrl+r), never by luck.
        return RapportApp(connector, sync_interval=float(options.get("sync_interval", 60.0)))

    return make


async def ready(pilot: Pilot[None], screen: str = "TodayScreen") -> None:
    """Wait until ``screen`` is up and every worker has finished."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        await pilot.pause(0.01)
        if type(pilot.app.screen).__name__ == screen:
            break
    assert type(pilot.app.screen).__name__ == screen
    await settle(pilot)


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and the screen repaint, until two rounds in a row start no new
    worker (a worker's result may post a message that starts another)."""
    quiet = 0
    for _ in range(50):
        await pilot.app.workers.wait_for_complete()
        # A short sleep, not pause(): waiting for "CPU idle" costs up to a second a time.
        await pilot.pause(0.01)
        busy = any(not worker.is_finished for worker in pilot.app.workers)
        quiet = 0 if busy else quiet + 1
        if quiet == 2:
            return


async def server_client(app: RapportApp) -> RapportClient:
    """A second client of the same server, as the app's user, to look at what the server
    holds (through the same network: bring it up first)."""
    assert app.session is not None
    return RapportClient(http=app.session.client.http, token=app.session.client.token)


# -- the demo, built once per run ------------------------------------------------------


@dataclass
class DemoFiles:
    folder: Path
    token: str


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    folder = tmp_path_factory.mktemp("demo")

    async def build() -> str:
        clock = DemoClock(DEMO_END)
        server = LocalServer(folder / "rapport.db", clock=clock, synchronous="NORMAL")
        http = await server.start()
        try:
            auth = await build_demo(RapportClient(http=http), clock, end=DEMO_END)
        finally:
            await server.stop()
        return auth.token

    return DemoFiles(folder=folder, token=asyncio.run(build()))


@pytest.fixture
def demo_connector(tmp_path: Path, demo_files: DemoFiles) -> Connector:
    """The demo profile as a local profile on a copy of the prebuilt database, with the
    clock pinned at the demo's end."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    for path in demo_files.folder.iterdir():
        shutil.copy(path, data_dir / path.name)
    config = ConfigStore(tmp_path / "config.toml")
    config.save(
        Config(
            local=LocalProfile(handle=DEMO_HANDLE, password=DEMO_PASSWORD, token=demo_files.token)
        )
    )
    return Connector(
        config=config,
        data_dir=data_dir,
        clock=DemoClock(DEMO_END),
        synchronous="NORMAL",
        log_to_file=False,
    )
