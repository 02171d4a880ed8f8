"""Every screen and dialog at 80x24 and at 160x48, on the demo profile with the clock
pinned (Wednesday 11 March 2026, 09:30 UTC): the same pixels on every run. Regenerate with
``--snapshot-update`` and look at the report before accepting a change."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import Network, ready, settle
from tests.tui.test_today import select
from tui.app import RapportApp
from tui.config import ConfigStore
from tui.connect import Connector

SnapCompare = Callable[..., bool]
Size = tuple[int, int]


@pytest.fixture(params=[(80, 24), (160, 48)], ids=["80x24", "160x48"])
def size(request: pytest.FixtureRequest) -> Size:
    """The smallest terminal the client is made for, and a large one."""
    value: Size = request.param
    return value


def until(screen: str, *keys: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Wait for Today, press ``keys``, then wait for ``screen`` and quiet workers."""

    async def run(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await ready(pilot, screen)

    return run


def test_today(size: Size, snap_compare: SnapCompare, demo_connector: Connector) -> None:
    assert snap_compare(
        RapportApp(demo_connector), terminal_size=size, run_before=until("TodayScreen")
    )


def test_today_light_theme(
    size: Size, snap_compare: SnapCompare, demo_connector: Connector
) -> None:
    app = RapportApp(demo_connector)
    assert snap_compare(app, terminal_size=size, run_before=until("TodayScreen", "ctrl+t"))


def test_habit(size: Size, snap_compare: SnapCompare, demo_connector: Connector) -> None:
    app = RapportApp(demo_connector)

    async def run(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await select(pilot, "Deliver on a promise")
        await pilot.press("o")
        await ready(pilot, "HabitScreen")

    assert snap_compare(app, terminal_size=size, run_before=run)


def test_profile(size: Size, snap_compare: SnapCompare, demo_connector: Connector) -> None:
    assert snap_compare(
        RapportApp(demo_connector), terminal_size=size, run_before=until("ProfileScreen", "p")
    )


def test_challenges(size: Size, snap_compare: SnapCompare, demo_connector: Connector) -> None:
    assert snap_compare(
        RapportApp(demo_connector), terminal_size=size, run_before=until("ChallengesScreen", "h")
    )


def test_team(size: Size, snap_compare: SnapCompare, demo_connector: Connector) -> None:
    assert snap_compare(
        RapportApp(demo_connector), terminal_size=size, run_before=until("TeamScreen", "t")
    )


def test_help(size: Size, snap_compare: SnapCompare, demo_connector: Connector) -> None:
    app = RapportApp(demo_connector)
    assert snap_compare(app, terminal_size=size, run_before=until("HelpScreen", "question_mark"))


def test_add_habits(size: Size, snap_compare: SnapCompare, demo_connector: Connector) -> None:
    assert snap_compare(
        RapportApp(demo_connector), terminal_size=size, run_before=until("PickHabitsScreen", "a")
    )


def test_new_habit_form(size: Size, snap_compare: SnapCompare, demo_connector: Connector) -> None:
    assert snap_compare(
        RapportApp(demo_connector), terminal_size=size, run_before=until("HabitFormScreen", "c")
    )


def test_login(size: Size, snap_compare: SnapCompare, demo_connector: Connector) -> None:
    assert snap_compare(
        RapportApp(demo_connector), terminal_size=size, run_before=until("LoginScreen", "ctrl+l")
    )


def test_offline_with_pending_check_ins(
    size: Size, snap_compare: SnapCompare, demo_connector: Connector
) -> None:
    network = Network()
    demo_connector.wrap_transport = network.wrap
    app = RapportApp(demo_connector, sync_interval=60)

    async def run(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        network.up = False
        await select(pilot, "Time-block today's top priority")
        await pilot.press("space")
        await settle(pilot)
        # Notifications would cover the rows; the header and the rows tell the story.
        app.clear_notifications()
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run)


def test_welcome_on_first_run(
    size: Size,
    snap_compare: SnapCompare,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    connector = Connector(
        config=ConfigStore(tmp_path / "config.toml"),
        data_dir=tmp_path / "data",
        synchronous="NORMAL",
        log_to_file=False,
    )
    assert snap_compare(
        RapportApp(connector), terminal_size=size, run_before=until_first("WelcomeScreen")
    )


def until_first(screen: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    async def run(pilot: Pilot[Any]) -> None:
        await ready(pilot, screen)

    return run


def test_witness(size: Size, snap_compare: SnapCompare, demo_connector: Connector) -> None:
    app = RapportApp(demo_connector)

    async def run(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await select(pilot, "Reach out to someone in your network")
        await pilot.press("w")
        await ready(pilot, "WitnessScreen")

    assert snap_compare(app, terminal_size=size, run_before=run)


def test_note(size: Size, snap_compare: SnapCompare, demo_connector: Connector) -> None:
    app = RapportApp(demo_connector)

    async def run(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await select(pilot, "Deliver on a promise")
        await pilot.press("n")
        await ready(pilot, "NoteScreen")

    assert snap_compare(app, terminal_size=size, run_before=run)


def test_break_form(size: Size, snap_compare: SnapCompare, demo_connector: Connector) -> None:
    app = RapportApp(demo_connector)

    async def run(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await select(pilot, "Deliver on a promise")
        await pilot.press("o")
        await ready(pilot, "HabitScreen")
        await pilot.press("b")
        await ready(pilot, "BreakFormScreen")

    assert snap_compare(app, terminal_size=size, run_before=run)


def test_import(size: Size, snap_compare: SnapCompare, demo_connector: Connector) -> None:
    app = RapportApp(demo_connector)
    assert snap_compare(app, terminal_size=size, run_before=until("ImportScreen", "p", "i"))


def test_join_team(size: Size, snap_compare: SnapCompare, demo_connector: Connector) -> None:
    app = RapportApp(demo_connector)
    assert snap_compare(app, terminal_size=size, run_before=until("JoinTeamScreen", "t", "j"))
