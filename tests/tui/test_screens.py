"""Habit, Profile, Help, the command palette and the theme, against a real server."""

from __future__ import annotations

from textual.widgets import Input

from shared import schemas
from tests.conftest import FakeClock
from tests.tui.conftest import MakeApp, Profile, ready, server_client, settle
from tests.tui.test_today import rows, select
from tui.screens.habit import HabitScreen, weekly_done
from tui.screens.habit_form import HabitFormScreen
from tui.screens.help import HelpScreen
from tui.screens.profile import ProfileScreen
from tui.widgets.balance_meter import BalanceMeter
from tui.widgets.heatmap import Heatmap
from tui.widgets.streak_flame import StreakFlame


async def test_habit_screen_shows_history_streaks_and_notes(
    make_app: MakeApp, profile: Profile, clock: FakeClock
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        habit_id = profile.habits["deliver-on-a-promise"]
        clock.advance(days=-1)
        await ana.check_in(habit_id, schemas.CheckInCreate(note="Sent the deck on time"))
        clock.advance(days=1)
        await ana.check_in(habit_id, schemas.CheckInCreate())

        await pilot.press("r")
        await select(pilot, "Deliver on a promise")
        await pilot.press("o")
        await ready(pilot, "HabitScreen")
        screen = app.screen
        assert isinstance(screen, HabitScreen)
        heatmap = screen.query_one(Heatmap)
        assert {d.isoformat() for d in heatmap.days} == {"2026-03-10", "2026-03-11"}
        assert heatmap.last is not None
        assert heatmap.last.isoformat() == "2026-03-11"
        assert screen.query_one("#current-streak", StreakFlame).streak == 2
        assert "best 2 days" in str(screen.query_one("#best-streak").render())
        assert "Sent the deck on time" in str(screen.query_one("#notes").render())
        assert "every commitment you finish" in str(screen.query_one("#habit-why").render()).lower()

        await pilot.press("escape")
        await ready(pilot)


async def test_habit_can_be_edited_and_archived(make_app: MakeApp, profile: Profile) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "Thank a colleague for something specific")
        await pilot.press("o")
        await ready(pilot, "HabitScreen")

        await pilot.press("e")
        await ready(pilot, "HabitFormScreen")
        form = app.screen
        assert isinstance(form, HabitFormScreen)
        title = form.query_one("#title")
        title.value = "Thank someone, specifically"  # type: ignore[attr-defined]
        form.query_one("#schedule-param").value = "Mon,Wed"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await ready(pilot, "HabitScreen")

        ana = await server_client(app)
        habit = await ana.habit(profile.habits["thank-a-colleague"])
        assert habit.title == "Thank someone, specifically"
        assert habit.schedule == schemas.Weekdays(days=[1, 3])

        await pilot.press("x")
        await ready(pilot, "ConfirmScreen")
        await pilot.press("y")
        await ready(pilot)
        assert (await ana.habit(profile.habits["thank-a-colleague"])).archived
        assert "Thank someone, specifically" not in rows(app)


async def test_custom_habit_form_checks_its_fields(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("c")
        await ready(pilot, "HabitFormScreen")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "give the habit a title" in str(app.screen.query_one("#form-error").render())
        app.screen.query_one("#title").value = "Read one paper"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await ready(pilot)
        assert "Read one paper" in rows(app)


async def test_the_habit_form_sets_reminder_times(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        await pilot.press("c")
        await ready(pilot, "HabitFormScreen")
        app.screen.query_one("#title", Input).value = "Stretch"
        app.screen.query_one("#reminders", Input).value = "25:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        error = str(app.screen.query_one("#form-error").render())
        assert "reminders are times of day, HH:MM" in error
        assert [h.title for h in (await ana.habits()).items if h.title == "Stretch"] == []
        app.screen.query_one("#reminders", Input).value = "18:00, 08:30"
        await pilot.press("ctrl+s")
        await ready(pilot)
        [stretch] = [h for h in (await ana.habits()).items if h.title == "Stretch"]
        assert stretch.reminders == ["08:30", "18:00"]


async def test_profile_shows_level_badges_and_balance(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "Deliver on a promise")
        await pilot.press("space")
        await select(pilot, "Thank a colleague for something specific")
        await pilot.press("space")
        await settle(pilot)
        await pilot.press("p")
        await ready(pilot, "ProfileScreen")
        screen = app.screen
        assert isinstance(screen, ProfileScreen)
        assert "Level 1" in str(screen.query_one("#level").render())
        # easy 5 + trivial 2 + balance bonus 10
        assert "17/50 XP to level 2" in str(screen.query_one("#xp-text").render())
        badges = str(screen.query_one("#badges").render())
        assert "First step" in badges
        assert "Both sides" in badges
        week = screen.query_one("#balance-7", BalanceMeter)
        assert (week.results, week.relationships) == (1, 1)
        ledger = str(screen.query_one("#ledger").render())
        assert "Balance bonus" in ledger
        assert "Check-in · Deliver on a promise" in ledger
        await pilot.press("escape")
        await ready(pilot)


async def test_profile_hides_you_from_every_board_and_back(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        await pilot.press("p")
        await ready(pilot, "ProfileScreen")
        await pilot.press("v")
        await settle(pilot)
        assert (await ana.me()).hidden_on_boards is True
        assert "hidden from boards" in str(app.screen.query_one("#totals").render())
        await pilot.press("v")
        await settle(pilot)
        assert (await ana.me()).hidden_on_boards is False
        assert "hidden from boards" not in str(app.screen.query_one("#totals").render())


async def test_help_lists_the_keys_of_the_screen(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await ready(pilot, "HelpScreen")
        assert isinstance(app.screen, HelpScreen)
        keys = str(app.screen.keys().columns[1]._cells)
        for description in ("Check", "Skip", "Undo", "Open", "Profile"):
            assert description in keys
        await pilot.press("escape")
        await ready(pilot)


async def test_command_palette_has_the_apps_commands(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for title in ("Profile", "Add habits", "Server and login", "Sync now", "Light or dark"):
            assert title in titles
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"profi")
        await settle(pilot)
        await pilot.press("enter")
        await ready(pilot, "ProfileScreen")


async def test_theme_toggle_is_remembered(make_app: MakeApp, profile: Profile) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.theme == "rapport-dark"
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert app.theme == "rapport-light"
    assert profile.config.load().theme == "rapport-light"
    async with make_app().run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert pilot.app.theme == "rapport-light"


async def test_the_embedded_server_closes_when_the_app_quits(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        session = app.session
        assert session is not None
        assert not session.closed
        await pilot.press("q")
        await pilot.pause()
    assert session.closed
    assert app.session is None


def test_weekly_done_counts_done_days_per_week() -> None:
    from datetime import date

    days = [
        schemas.CalendarDay(day=date(2026, 3, 9), value=1, done=True, skipped=False),
        schemas.CalendarDay(day=date(2026, 3, 11), value=1, done=True, skipped=False),
        schemas.CalendarDay(day=date(2026, 3, 4), value=1, done=False, skipped=True),
        schemas.CalendarDay(day=date(2026, 3, 2), value=1, done=True, skipped=False),
    ]
    assert weekly_done(days, date(2026, 3, 11), weeks=3) == [0.0, 1.0, 2.0]


async def test_n_checks_in_with_a_note(make_app: MakeApp, profile: Profile) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "Deliver on a promise")
        await pilot.press("n")
        await ready(pilot, "NoteScreen")
        app.screen.query_one("#note").value = "Sent the deck"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await ready(pilot)
        ana = await server_client(app)
        [checkin] = (await ana.checkins(profile.habits["deliver-on-a-promise"])).items
        assert checkin.note == "Sent the deck"


async def test_palette_opens_a_habit_by_name(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"thank")
        await settle(pilot)
        await pilot.press("enter")
        await ready(pilot, "HabitScreen")
        assert app.screen.query_one("#habit-info").border_title == (
            "Thank a colleague for something specific"
        )


async def test_palette_finds_an_archived_habit_to_bring_back(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        [thank] = [h for h in (await ana.habits()).items if h.title.startswith("Thank")]
        await ana.update_habit(thank.id, schemas.HabitPatch(archived=True))
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"thank")
        await settle(pilot)
        await pilot.press("enter")
        await ready(pilot, "HabitScreen")
        assert app.screen.query_one("#habit-info").border_title == (
            "Thank a colleague for something specific"
        )


async def test_the_habit_screen_shows_its_reminders_and_the_next_one(
    make_app: MakeApp, profile: Profile
) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        habit_id = profile.habits["deliver-on-a-promise"]
        # The clock says 12:00 UTC on 11 March: 08:30 has passed, 18:00 has not.
        await ana.update_habit(habit_id, schemas.HabitPatch(reminders=["18:00", "08:30"]))
        await pilot.press("r")
        await select(pilot, "Deliver on a promise")
        await pilot.press("o")
        await ready(pilot, "HabitScreen")
        meta = str(app.screen.query_one("#habit-meta").render())
        assert "⏰ 08:30, 18:00 · next today 18:00" in meta
