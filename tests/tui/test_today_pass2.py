"""Today, second pass: the defects a demanding user found (issue 19), each driven by keys."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Label

from shared import schemas
from tests.conftest import FakeClock
from tests.tui.conftest import MakeApp, Network, Profile, ready, server_client, settle
from tests.tui.test_saved_start import until_saved_today
from tests.tui.test_team import register
from tests.tui.test_today import rows, select
from tui.screens.today import TodayScreen
from tui.widgets.habit_list import HabitColumns
from tui.widgets.habit_preview import HabitPreview
from tui.widgets.moment import Moment


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


async def test_counting_up_and_down_writes_a_status_line_not_a_pile_of_toasts(
    make_app: MakeApp,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "Listen actively in three conversations")
        for key in ("plus", "minus") * 3:
            await pilot.press(key)
            await settle(pilot)
        assert list(app._notifications) == []
        card = app.screen.query_one("#habits-card")
        assert "Listen actively in three conversations" in str(card.border_subtitle)
        assert rows(app)["Listen actively in three conversations"].line.value == 0


async def test_crossing_a_level_is_a_moment(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        for title in ("Ship the report", "Close the deal"):
            habit = await ana.create_habit(
                schemas.HabitCreate(
                    title=title, category="results", schedule=schemas.Daily(), difficulty="hard"
                )
            )
            await ana.check_in(habit.id, schemas.CheckInCreate())
        before = await ana.me()
        assert before.level == 1
        await pilot.press("r")
        await settle(pilot)
        await select(pilot, "Thank a colleague for something specific")
        await pilot.press("space")
        await settle(pilot)
        after = await ana.me()
        assert after.level == 2
        moment = app.screen.query_one(Moment)
        assert moment.has_class("-shown")
        assert "Level 2" in str(moment.render())
        assert list(app._notifications) == []


async def test_a_routine_check_in_is_no_moment(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "Deliver on a promise")
        await pilot.press("space")
        await settle(pilot)
        row = rows(app)["Deliver on a promise"]
        assert row.line.state == "done"
        moment = app.screen.query_one(Moment)
        shown = moment.has_class("-shown")
        # Only a badge may make the first check-in a moment; never the points themselves.
        assert not shown or "🏅" in str(moment.render())
        assert "+5 points" in str(app.screen.query_one("#habits-card").border_subtitle)


async def test_the_day_strip_checks_in_for_yesterday_within_the_servers_window(
    make_app: MakeApp, profile: Profile
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        card = app.screen.query_one("#day-card")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert card.border_title == "Tuesday 10 March · yesterday"
        await select(pilot, "Deliver on a promise")
        await pilot.press("space")
        await settle(pilot)
        assert rows(app)["Deliver on a promise"].line.state == "done"
        ana = await server_client(app)
        page = await ana.checkins(profile.habits["deliver-on-a-promise"])
        assert [c.day.isoformat() for c in page.items] == ["2026-03-10"]
        # The window is the server's (one day back): no further.
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert card.border_title == "Tuesday 10 March · yesterday"
        assert "today or yesterday" in str(app.screen.query_one("#habits-card").border_subtitle)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert card.border_title == "Wednesday 11 March"
        assert rows(app)["Deliver on a promise"].line.state == "open"


async def test_w_names_a_teammate_as_witness_who_is_then_asked_to_confirm(
    make_app: MakeApp,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        bob = await register(app, "bob", "Bob")
        team = await bob.create_team(schemas.TeamCreate(name="Bob's band"))
        await ana.join_team((await bob.create_invite(team.id)).code)
        await select(pilot, "Thank a colleague for something specific")
        await pilot.press("w")
        await ready(pilot, "WitnessScreen")
        assert "Bob (@bob) · Bob's band" in str(
            app.screen.query_one("#witnesses").get_option_at_index(0).prompt
        )
        await pilot.press("enter")
        await ready(pilot)
        assert rows(app)["Thank a colleague for something specific"].line.state == "done"
        [asked] = await bob.confirmations()
        assert asked.from_.handle == "ana"
        assert asked.habit_title == "Thank a colleague for something specific"


async def test_columns_have_headings_and_schedules_show_from_100_columns(
    make_app: MakeApp,
) -> None:
    app = make_app()
    async with app.run_test(size=(99, 30)) as pilot:
        await ready(pilot)
        headings = app.screen.query_one(HabitColumns)
        assert headings.display
        names = [str(label.render()) for label in headings.query(Label) if label.display]
        assert names == ["", "habit", "count", "streak", "strength"]
        await pilot.resize_terminal(100, 30)
        await settle(pilot)
        assert headings.query_one("#when", Label).display
        assert (
            rows(app)["Thank a colleague for something specific"].query_one("#when", Label).display
        )
        assert "Mon-Fri" in str(
            rows(app)["Thank a colleague for something specific"].query_one("#when", Label).render()
        )


async def test_a_day_strip_left_on_yesterday_follows_midnight_back_to_today(
    make_app: MakeApp, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        card = app.screen.query_one("#day-card")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert card.border_title == "Tuesday 10 March · yesterday"
        clock.advance(days=1)  # Tuesday is now two days back: past the window
        await pilot.press("r")
        await settle(pilot)
        assert card.border_title == "Thursday 12 March"
        assert "past the window" in str(app.screen.query_one("#habits-card").border_subtitle)


async def test_offline_on_yesterday_shows_today_as_today_and_checks_in_today(
    make_app: MakeApp, network: Network
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        card = app.screen.query_one("#day-card")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert card.border_title == "Tuesday 10 March · yesterday"
        network.up = False
        await pilot.press("r")
        await settle(pilot)
        # What is shown is today's list, and it says so: a check-in goes to the day shown.
        assert card.border_title == "Wednesday 11 March"
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        assert screen.today is not None
        assert screen.today.day.isoformat() == "2026-03-11"


async def test_quick_count_ups_each_tell_their_own_result_and_one_level_up_once(
    make_app: MakeApp, network: Network
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        for title in ("Ship the report", "Close the deal"):
            habit = await ana.create_habit(
                schemas.HabitCreate(
                    title=title, category="results", schedule=schemas.Daily(), difficulty="hard"
                )
            )
            await ana.check_in(habit.id, schemas.CheckInCreate())
        await pilot.press("r")
        await settle(pilot)
        await select(pilot, "Listen actively in three conversations")
        # Three presses on a slow link: each action's flush waits on the one before,
        # which sends the entries queued meanwhile.
        network.gate = asyncio.Event()
        await pilot.press("plus", "plus", "plus")
        await pilot.pause(0.1)
        network.gate.set()
        await settle(pilot)
        assert (await ana.me()).level == 2
        assert rows(app)["Listen actively in three conversations"].line.value == 3
        moment = app.screen.query_one(Moment)
        assert str(moment.render()).count("Level 2") == 1
        # Nothing announced as "synced" from the offline queue: these were the user's own.
        assert not [n for n in app._notifications if n.title == "Synced"]


async def test_the_witness_picker_reads_every_page_of_members(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tui.screens.witness.PAGE", 1)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        bob = await register(app, "bob", "Bob")
        team = await bob.create_team(schemas.TeamCreate(name="Band"))
        code = (await bob.create_invite(team.id)).code
        await ana.join_team(code)
        for handle, name in (("cat", "Cat"), ("dan", "Dan")):
            await (await register(app, handle, name)).join_team(code)
        await select(pilot, "Thank a colleague for something specific")
        await pilot.press("w")
        await ready(pilot, "WitnessScreen")
        options = app.screen.query_one("#witnesses")
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert shown == ["Bob (@bob) · Band", "Cat (@cat) · Band", "Dan (@dan) · Band"]
