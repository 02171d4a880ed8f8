"""Today, driven by keys against a real in-process server: check in, undo, skip, count."""

from __future__ import annotations

from datetime import date

from tests.tui.conftest import MakeApp, Profile, ready, server_client, settle
from tui.screens.today import TodayScreen
from tui.widgets.habit_list import HabitList, HabitRow
from tui.widgets.streak_flame import StreakFlame

DAY = date(2026, 3, 11)


def rows(app: object) -> dict[str, HabitRow]:
    screen = app.screen  # type: ignore[attr-defined]
    return {row.line.habit.title: row for row in screen.query(HabitRow)}


async def select(pilot: object, title: str) -> None:
    """Move the list cursor to the habit called ``title``."""
    app = pilot.app  # type: ignore[attr-defined]
    habits = app.screen.query_one(HabitList)
    for index, item in enumerate(habits.children):
        if isinstance(item, HabitRow) and item.line.habit.title == title:
            habits.index = index
            await pilot.pause()  # type: ignore[attr-defined]
            return
    raise AssertionError(f"no row {title!r}")


async def test_today_lists_due_habits_with_their_categories(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        shown = rows(app)
        assert set(shown) == {
            "Deliver on a promise",
            "Listen actively in three conversations",
            "Thank a colleague for something specific",
        }
        assert shown["Deliver on a promise"].has_class("-results")
        assert shown["Listen actively in three conversations"].has_class("-relationships")
        assert all(row.line.state == "open" for row in shown.values())
        assert app.where == "this computer"


async def test_space_checks_in_and_the_server_counts_it(
    make_app: MakeApp, profile: Profile
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "Deliver on a promise")
        await pilot.press("space")
        await settle(pilot)
        row = rows(app)["Deliver on a promise"]
        assert row.line.state == "done"
        assert row.line.item.streak == 1
        assert app.screen.query_one("#top-flame", StreakFlame).streak == 1
        assert "+5 pts today" in str(app.screen.query_one("#day-points").render())

        ana = await server_client(app)
        page = await ana.checkins(profile.habits["deliver-on-a-promise"])
        assert [(c.day, c.value, c.skip) for c in page.items] == [(DAY, 1, False)]
        assert (await ana.me()).points == 5
        assert "+5 points" in str(app.screen.query_one("#habits-card").border_subtitle)

        # A second space on a done yes/no habit is refused politely, not sent.
        await pilot.press("space")
        await settle(pilot)
        assert len((await ana.checkins(profile.habits["deliver-on-a-promise"])).items) == 1


async def test_u_undoes_the_check_in_and_its_points(make_app: MakeApp, profile: Profile) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "Deliver on a promise")
        await pilot.press("enter")
        await settle(pilot)
        assert rows(app)["Deliver on a promise"].line.state == "done"
        await pilot.press("u")
        await settle(pilot)
        assert rows(app)["Deliver on a promise"].line.state == "open"

        ana = await server_client(app)
        assert (await ana.checkins(profile.habits["deliver-on-a-promise"])).items == []
        assert (await ana.me()).points == 0
        # Nothing left to undo: said so, nothing sent.
        await pilot.press("u")
        await settle(pilot)
        assert any("nothing to undo" in n.message for n in app._notifications)


async def test_s_skips_the_day(make_app: MakeApp, profile: Profile) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "Thank a colleague for something specific")
        await pilot.press("s")
        await settle(pilot)
        row = rows(app)["Thank a colleague for something specific"]
        assert row.line.state == "skipped"
        assert row.has_class("-skipped")

        ana = await server_client(app)
        [checkin] = (await ana.checkins(profile.habits["thank-a-colleague"])).items
        assert checkin.skip
        # Undo takes the skip back.
        await pilot.press("u")
        await settle(pilot)
        assert rows(app)["Thank a colleague for something specific"].line.state == "open"
        assert (await ana.checkins(profile.habits["thank-a-colleague"])).items == []


async def test_plus_and_minus_count_towards_the_target(make_app: MakeApp, profile: Profile) -> None:
    title = "Listen actively in three conversations"
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, title)
        await pilot.press("plus", "plus")
        await settle(pilot)
        row = rows(app)[title]
        assert (row.line.value, row.line.state) == (2, "partial")
        assert "2/3" in str(row.query_one("#count").render())

        await pilot.press("minus")
        await settle(pilot)
        assert rows(app)[title].line.value == 1

        await pilot.press("plus", "plus")
        await settle(pilot)
        row = rows(app)[title]
        assert (row.line.value, row.line.state) == (3, "done")

        ana = await server_client(app)
        items = (await ana.checkins(profile.habits["listen-actively"])).items
        assert sum(c.value for c in items) == 3
        assert len(items) == 3  # the undone one is gone, not counted
        # Points come once, when the target is reached.
        ledger = (await ana.points()).items
        assert [e.reason for e in ledger] == ["checkin"]


async def test_today_screen_works_in_a_large_terminal(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert app.screen.has_class("-wide")
        # The schedule column shows when there is room: "Mon-Fri" for the weekday habit.
        row = rows(app)["Thank a colleague for something specific"]
        assert row.query_one("#when").display
        assert "Mon-Fri" in str(row.query_one("#when").render())


async def test_habit_titles_stay_readable_at_every_width(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 30)) as pilot:
        await ready(pilot)
        for width in (80, 99, 100, 115, 129, 130, 145, 200):
            await pilot.resize_terminal(width, 30)
            await pilot.pause()
            for title, row in rows(app).items():
                name = row.query_one("#name")
                assert name.size.width >= 18, (width, title, name.size.width)
        # Grown wide enough for the side panel, it shows the highlighted habit.
        await pilot.resize_terminal(160, 40)
        await settle(pilot)
        preview = app.screen.query_one("#preview")
        assert preview.display
        assert preview.border_title
