"""Habit, Profile, Add and the dialogs, second pass: archived habits come back, the ledger
names its habits, text wraps or ends in "…", offline is said, descriptions follow focus,
forms label their fields and dialogs show their own keys."""

from __future__ import annotations

import asyncio
import io
from datetime import date, timedelta
from typing import Any

from rich.console import Console
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import Input, Select, SelectionList

from shared import schemas
from tests.conftest import FakeClock
from tests.tui.conftest import MakeApp, Network, Profile, ready, server_client, settle
from tests.tui.test_today import rows, select
from tui.app import RapportApp
from tui.connect import Connector
from tui.screens.habit import HabitScreen
from tui.screens.pick_habits import PickHabitsScreen
from tui.widgets.heatmap import Heatmap
from tui.widgets.streak_flame import StreakFlame

MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}


def screen_text(app: RapportApp) -> str:
    """What the terminal shows now, as plain text (what a user reads)."""
    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), force_terminal=True,
        color_system="truecolor", record=True, legacy_windows=False, safe_box=False,
    )  # fmt: skip
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return console.export_text(styles=False)


def footer_line(app: RapportApp) -> str:
    return screen_text(app).rstrip("\n").splitlines()[-1]


async def open_habit(pilot: Pilot[Any], title: str) -> HabitScreen:
    await select(pilot, title)
    await pilot.press("o")
    await ready(pilot, "HabitScreen")
    screen = pilot.app.screen
    assert isinstance(screen, HabitScreen)
    return screen


# -- 1. archived habits come back ------------------------------------------------------


async def test_palette_offers_to_bring_back_an_archived_habit(
    make_app: MakeApp, profile: Profile
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        thank = profile.habits["thank-a-colleague"]
        await ana.update_habit(thank, schemas.HabitPatch(archived=True))
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"bring back")
        await settle(pilot)
        assert "Bring back: Thank a colleague" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert not (await ana.habit(thank)).archived
        assert "Thank a colleague for something specific" in rows(app)


async def test_habit_x_archives_and_brings_back(make_app: MakeApp, profile: Profile) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        thank = profile.habits["thank-a-colleague"]
        await ana.update_habit(thank, schemas.HabitPatch(archived=True))
        app.push_screen(HabitScreen(thank))
        await ready(pilot, "HabitScreen")
        assert "x Bring back" in footer_line(app)
        assert "Archive" not in footer_line(app)
        await pilot.press("x")
        await settle(pilot)
        assert not (await ana.habit(thank)).archived
        assert "x Archive" in footer_line(app)
        assert "(archived)" not in screen_text(app)
        await pilot.press("x")
        await ready(pilot, "ConfirmScreen")
        await pilot.press("y")
        await ready(pilot)
        assert (await ana.habit(thank)).archived


async def test_add_shows_archived_habits_and_brings_them_back(
    make_app: MakeApp, profile: Profile
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        thank = profile.habits["thank-a-colleague"]
        await ana.update_habit(thank, schemas.HabitPatch(archived=True))
        await pilot.press("a")
        await ready(pilot, "PickHabitsScreen")
        assert "archived — bring back" in screen_text(app)
        picker = app.screen.query_one("#pick-relationships", SelectionList)
        picker.select("thank-a-colleague")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await ready(pilot)
        assert not (await ana.habit(thank)).archived
        titles = [h.title for h in (await ana.habits()).items]
        assert titles.count("Thank a colleague for something specific") == 1


# -- 2. the ledger names its habits ----------------------------------------------------


async def test_recent_points_name_an_archived_habit(make_app: MakeApp, profile: Profile) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        deliver = profile.habits["deliver-on-a-promise"]
        await ana.check_in(deliver, schemas.CheckInCreate())
        await ana.update_habit(deliver, schemas.HabitPatch(archived=True))
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("p")
        await ready(pilot, "ProfileScreen")
        ledger = str(app.screen.query_one("#ledger").render())
        assert "Check-in · Deliver on a promise" in ledger


# -- 3. text wraps, sections grow, labels are whole ------------------------------------

LONG_NOTE = (
    "Walked the whole team through the migration plan, answered every question about "
    "the rollback, and wrote down the three open risks for Friday's review"
)


async def test_notes_wrap_and_scroll_into_view_in_full(
    make_app: MakeApp, profile: Profile, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        await ana.check_in(
            profile.habits["deliver-on-a-promise"], schemas.CheckInCreate(note=LONG_NOTE)
        )
        await pilot.press("r")
        screen = await open_habit(pilot, "Deliver on a promise")
        notes = screen.query_one("#notes")
        assert notes.size.height >= 3  # wrapped, not one cut line
        assert notes.size.width <= 80
        screen.query_one("#habit-body").scroll_end(animate=False)
        await settle(pilot)
        shown = " ".join(screen_text(app).replace("│", " ").split())
        assert "three open risks for Friday's review" in shown
        assert "Walked the whole team" in shown


async def test_at_200x50_notes_and_badges_use_the_room(
    demo_connector: Connector,
) -> None:
    app = RapportApp(demo_connector)
    async with app.run_test(size=(200, 50)) as pilot:
        await ready(pilot)
        screen = await open_habit(pilot, "Deliver on a promise")
        notes = screen.query_one("#notes")
        assert notes.size.height > 4  # more than the old four one-line notes
        body = screen.query_one("#habit-body")
        assert body.max_scroll_y == 0  # all of it shown, nothing to scroll at this size
        await pilot.press("escape")
        await ready(pilot)
        await pilot.press("p")
        await ready(pilot, "ProfileScreen")
        badges = app.screen.query_one("#badges-card")
        assert badges.max_scroll_y == 0
        assert "Recent points" in screen_text(app)


class HeatmapApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Heatmap()


async def test_heatmap_month_labels_are_never_cut() -> None:
    """Whatever the width and the day, a month name is shown whole or not at all."""
    app = HeatmapApp()
    async with app.run_test(size=(80, 12)) as pilot:
        heatmap = app.query_one(Heatmap)
        shown: set[str] = set()
        for width in (40, 57, 78, 80, 110, 120):
            await pilot.resize_terminal(width, 12)
            for offset in range(0, 62, 3):
                heatmap.show([], last=date(2026, 10, 1) + timedelta(days=offset))
                await pilot.pause()
                months = heatmap.render().renderables[0].plain  # type: ignore[attr-defined]
                labels = months.split()
                assert set(labels) <= MONTHS, (width, offset, labels)
                shown.update(labels)
        assert len(shown) == 12  # dropping a cut label drops no whole one


# -- 4. offline and loading ------------------------------------------------------------


async def test_habit_screen_offline_says_so_instead_of_zeros(
    make_app: MakeApp, network: Network
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        network.up = False
        screen = await open_habit(pilot, "Deliver on a promise")
        shown = screen_text(app)
        assert "cannot be loaded while offline" in shown
        assert "🔥 0" not in shown
        assert not screen.query_one("#habit-body").display


async def test_habit_screen_keeps_loaded_data_marked_not_live(
    make_app: MakeApp, network: Network, profile: Profile
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        await ana.check_in(profile.habits["deliver-on-a-promise"], schemas.CheckInCreate())
        await pilot.press("r")
        screen = await open_habit(pilot, "Deliver on a promise")
        assert screen.query_one("#current-streak", StreakFlame).streak == 1
        network.up = False
        await pilot.press("r")
        await settle(pilot)
        shown = screen_text(app)
        assert "not live" in shown
        assert "offline" in shown
        assert screen.query_one("#habit-body").display
        assert screen.query_one("#current-streak", StreakFlame).streak == 1


async def test_habit_screen_shows_loading_before_the_first_answer(
    make_app: MakeApp, network: Network, profile: Profile
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        network.gate = asyncio.Event()
        app.push_screen(HabitScreen(profile.habits["deliver-on-a-promise"]))
        await pilot.pause(0.2)
        shown = screen_text(app)
        assert "Loading" in shown
        assert "🔥" not in shown
        network.gate.set()
        await ready(pilot, "HabitScreen")
        assert "Loading" not in screen_text(app)
        assert "Deliver on a promise" in screen_text(app)


# -- 5. the Add screen's description follows focus -------------------------------------


async def test_add_description_follows_the_focused_list(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        app.push_screen(PickHabitsScreen(first_run=True))
        await ready(pilot, "PickHabitsScreen")
        screen = app.screen
        assert isinstance(screen, PickHabitsScreen)

        def described() -> str:
            return str(screen.query_one("#pick-why").render())

        def why_of_focused() -> str:
            focused = screen.focused
            assert isinstance(focused, SelectionList)
            option = focused.get_option_at_index(focused.highlighted or 0)
            return screen.catalog[option.value].why

        first = screen.focused
        assert isinstance(first, SelectionList)
        assert why_of_focused() in described()
        await pilot.press("tab")
        await settle(pilot)
        assert screen.focused is not first
        assert isinstance(screen.focused, SelectionList)
        assert why_of_focused() in described()
        await pilot.press("down")
        await settle(pilot)
        assert why_of_focused() in described()


# -- 6. forms and dialogs --------------------------------------------------------------


async def test_habit_form_labels_every_field_and_clears_the_title_warning(
    make_app: MakeApp,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("c")
        await ready(pilot, "HabitFormScreen")
        shown = screen_text(app)
        for label in ("Difficulty", "Target"):
            assert label in shown
        app.screen.query_one("#schedule", Select).value = "every_n_days"
        await settle(pilot)
        assert "Every N" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "give the habit a title" in screen_text(app)
        app.screen.query_one("#title", Input).focus()
        await pilot.press("R")
        await settle(pilot)
        assert "give the habit a title" not in screen_text(app)


async def test_dialogs_show_their_own_keys(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await open_habit(pilot, "Deliver on a promise")
        assert "e Edit" in footer_line(app)
        await pilot.press("x")
        await ready(pilot, "ConfirmScreen")
        footer = footer_line(app)
        assert "Edit" not in footer
        assert "Break" not in footer
        assert "No" in footer
        assert "Yes" in footer
        await pilot.press("escape")
        await ready(pilot, "HabitScreen")
        for key, dialog, words in (
            ("e", "HabitFormScreen", ("Cancel", "Save")),
            ("b", "BreakFormScreen", ("Cancel", "Plan break")),
        ):
            await pilot.press(key)
            await ready(pilot, dialog)
            footer = footer_line(app)
            assert "Edit" not in footer, footer
            assert "Archive" not in footer, footer
            for word in words:
                assert word in footer, footer
            await pilot.press("escape")
            await ready(pilot, "HabitScreen")
        await pilot.press("escape")
        await ready(pilot)
        await select(pilot, "Deliver on a promise")
        await pilot.press("n")
        await ready(pilot, "NoteScreen")
        footer = footer_line(app)
        assert "Check in" in footer
        assert "Cancel" in footer
        assert "Skip" not in footer


async def test_profile_offline_says_so_and_keeps_what_it_had_marked_not_live(
    make_app: MakeApp, network: Network
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        network.up = False
        await pilot.press("4")
        await ready(pilot, "ProfileScreen")
        shown = screen_text(app)
        assert "Your profile cannot be loaded while offline" in shown
        assert not app.screen.query_one("#profile-body").display
        assert "Level" not in shown
        network.up = True
        await pilot.press("r")
        await settle(pilot)
        assert app.screen.query_one("#profile-body").display
        assert "Level 1" in screen_text(app)
        network.up = False
        await pilot.press("r")
        await settle(pilot)
        assert "offline · not live: as loaded at" in screen_text(app)
        assert "Level 1" in screen_text(app)
