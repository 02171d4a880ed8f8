"""A fast start: the Today screen the last run saved is painted before the in-process
server is up, marked as saved, then replaced by the live answer."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot

from shared import schemas
from shared.client import RapportClient
from tests.conftest import FakeClock
from tests.tui.conftest import MakeApp, Network, Profile, ready
from tests.tui.test_today import rows
from tui.config import Config
from tui.launch import LocalServer
from tui.screens.today import TodayScreen
from tui.session import read_saved_today


async def until_saved_today(pilot: Pilot[None]) -> TodayScreen:
    """Wait for the Today screen with rows, without waiting for workers (the session is
    held back on purpose)."""
    for _ in range(1000):
        await pilot.pause(0.01)
        screen = pilot.app.screen
        if isinstance(screen, TodayScreen) and rows(pilot.app):
            return screen
    raise AssertionError("no Today screen with rows")


async def check_in_elsewhere(profile: Profile, clock: FakeClock, slug: str) -> None:
    """A check-in made while the client was closed (on another device, say)."""
    local = profile.config.load().local
    assert local is not None
    server = LocalServer(profile.data_dir / "rapport.db", clock=clock, synchronous="NORMAL")
    http = await server.start()
    try:
        client = RapportClient(http=http, token=local.token)
        await client.check_in(profile.habits[slug], schemas.CheckInCreate())
    finally:
        await server.stop()


async def test_the_saved_today_is_painted_first_then_refreshed(
    make_app: MakeApp, profile: Profile, clock: FakeClock, network: Network
) -> None:
    saved = profile.data_dir / "cache" / "_local" / "today.json"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert rows(app)["Deliver on a promise"].line.state == "open"
    assert saved.exists()

    await check_in_elsewhere(profile, clock, "deliver-on-a-promise")
    network.gate = asyncio.Event()  # the service answers nothing until the gate opens
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_saved_today(pilot)
        assert app.session is None
        assert app.where == "this computer"
        # What the last run saw, not yet the check-in made since, and said so.
        assert rows(app)["Deliver on a promise"].line.state == "open"
        assert len(rows(app)) == 3
        day_card = screen.query_one("#day-card")
        assert day_card.border_title == "Wednesday 11 March"
        assert day_card.border_subtitle == "saved 12:00 · refreshing…"
        await pilot.press("space")
        assert any("Still starting" in n.message for n in app._notifications)

        network.gate.set()
        await ready(pilot)
        assert app.screen is screen  # the same screen, refreshed in place
        assert app.session is not None
        assert rows(app)["Deliver on a promise"].line.state == "done"
        assert day_card.border_subtitle == ""

    fresh = read_saved_today(saved)
    assert fresh is not None
    done = {h.habit.title: h.done for h in fresh.today.habits}
    assert done["Deliver on a promise"]


async def test_no_saved_today_for_another_profile(make_app: MakeApp, profile: Profile) -> None:
    app = make_app()
    assert app.connector.saved_today() is None  # nothing saved yet
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
    assert app.connector.saved_today() is not None
    config = profile.config.load()
    assert config.local is not None
    config.local.handle = "someone-else"
    profile.config.save(config)
    assert app.connector.saved_today() is None
    profile.config.save(Config(server="https://rapport.example.org"))
    assert app.connector.saved_today() is None
