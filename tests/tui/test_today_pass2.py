"""Today, second pass: the defects a demanding user found (issue 19), each driven by keys."""

from __future__ import annotations

import asyncio

from shared import schemas
from tests.tui.conftest import MakeApp, Network, Profile, ready, server_client, settle
from tests.tui.test_saved_start import until_saved_today
from tests.tui.test_today import rows, select
from tui.screens.today import TodayScreen
from tui.widgets.habit_preview import HabitPreview


def day_count(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return str(screen.query_one("#day-count").render())


async def test_a_skip_is_not_counted_as_done_on_the_day_card(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        due = [row for row in rows(app).values() if row.line.item.due]
        assert day_count(app) == f"0/{len(due)} done"
        await select(pilot, "Deliver on a promise")
        await pilot.press("s")
        await settle(pilot)
        assert rows(app)["Deliver on a promise"].line.state == "skipped"
        assert day_count(app) == f"0/{len(due) - 1} done · 1 skipped"
        await select(pilot, "Thank a colleague for something specific")
        await pilot.press("space")
        await settle(pilot)
        assert day_count(app) == f"1/{len(due) - 1} done · 1 skipped"


async def test_the_side_panel_fills_when_the_terminal_grew_behind_another_screen(
    make_app: MakeApp,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "Deliver on a promise")
        await pilot.press("o")
        await ready(pilot, "HabitScreen")
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        await pilot.press("escape")
        await ready(pilot)
        preview = app.screen.query_one(HabitPreview)
        assert preview.display
        assert preview.border_title == "Deliver on a promise"


async def test_a_restart_keeps_level_and_tells_the_saved_time_in_the_users_zone(
    make_app: MakeApp, profile: Profile, network: Network
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        client = await server_client(app)
        # 12:00 UTC is 17:45 in Kathmandu (UTC+5:45).
        await client.update_me(schemas.ProfilePatch(timezone="Asia/Kathmandu"))
        await pilot.press("ctrl+r")
        await ready(pilot)

    network.gate = asyncio.Event()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await until_saved_today(pilot)
        card = screen.query_one("#day-card")
        assert card.border_subtitle == "saved 17:45 · refreshing…"
        assert "level 1" in str(screen.query_one("#day-points").render())
        network.gate.set()
        await ready(pilot)
        assert isinstance(app.screen, TodayScreen)
        # Live now, and the level stays on the card.
        assert card.border_subtitle == ""
        assert "level 1" in str(screen.query_one("#day-points").render())
