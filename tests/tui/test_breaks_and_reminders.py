"""Planned breaks from the Habit screen, and reminders that ring while the client is open
(a toast, and an OSC 9 / bell alert as config.toml says)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from textual.widgets import Input

from shared import schemas
from tests.conftest import FakeClock
from tests.tui.conftest import MakeApp, Profile, ready, server_client, settle
from tests.tui.test_today import rows, select
from tui.reminder_bell import Bell, osc9
from tui.screens.break_form import BreakFormScreen
from tui.screens.habit import HabitScreen

TITLE = "Deliver on a promise"


async def open_habit(pilot: object, title: str = TITLE) -> HabitScreen:
    await select(pilot, title)
    await pilot.press("o")  # type: ignore[attr-defined]
    await ready(pilot, "HabitScreen")  # type: ignore[arg-type]
    screen = pilot.app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, HabitScreen)
    return screen


async def test_b_plans_a_break_that_today_then_shows(make_app: MakeApp, profile: Profile) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        assert rows(app)[TITLE].line.state == "open"
        screen = await open_habit(pilot)
        await pilot.press("b")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, BreakFormScreen)
        dialog.query_one("#starts-on", Input).value = "2026-03-10"  # yesterday: refused
        await pilot.click("#ok")
        await settle(pilot)
        assert app.screen is dialog  # still open, saying why
        assert "starts today or later" in str(dialog.query_one("#break-problem").render())

        dialog.query_one("#starts-on", Input).value = "2026-03-11"
        reason = dialog.query_one("#reason", Input)
        reason.value = "Offsite"
        reason.focus()
        await pilot.press("enter")
        await ready(pilot, "HabitScreen")
        meta = str(screen.query_one("#habit-meta").render())
        assert "on a break 11 Mar-17 Mar: Offsite" in meta

        ana = await server_client(app)
        [made] = await ana.breaks(profile.habits["deliver-on-a-promise"])
        assert (made.starts_on, made.ends_on) == (date(2026, 3, 11), date(2026, 3, 17))
        await pilot.press("escape")
        await ready(pilot)
        assert rows(app)[TITLE].line.state == "break"

        await open_habit(pilot)
        await pilot.press("B")
        await settle(pilot)
        await pilot.click("#yes")
        await ready(pilot, "HabitScreen")
        assert await ana.breaks(profile.habits["deliver-on-a-promise"]) == []


def upcoming(title: str, at: datetime) -> schemas.UpcomingReminder:
    return schemas.UpcomingReminder(
        habit_id=uuid4(), title=title, day=at.date(), local_time=f"{at:%H:%M}", at=at
    )


def test_the_bell_rings_each_reminder_once_and_lets_stale_ones_go() -> None:
    now = datetime(2026, 3, 11, 12, 0, tzinfo=UTC)
    bell = Bell()
    bell.plan([upcoming("Soon", now + timedelta(minutes=1)), upcoming("Now", now)])
    assert [r.title for r in bell.due(now)] == ["Now"]
    assert bell.due(now) == []
    bell.plan([upcoming("Slept through", now - timedelta(minutes=6))])
    assert bell.due(now) == []  # more than 5 minutes late: not shown
    assert osc9("Time for\x07 Listen") == "\x1b]9;Time for Listen\x07"


@pytest.mark.parametrize("done", [False, True], ids=["not done", "done before"])
async def test_a_reminder_rings_in_the_open_client_unless_the_habit_is_done(
    make_app: MakeApp, profile: Profile, clock: FakeClock, done: bool
) -> None:
    app = make_app()
    alerts: list[str] = []
    app.alert = alerts.append  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        habit_id = profile.habits["deliver-on-a-promise"]
        await ana.update_habit(habit_id, schemas.HabitPatch(reminders=["12:05"]))
        if done:
            await ana.check_in(habit_id, schemas.CheckInCreate())
        app.data_changed()  # as after any change: the upcoming list is fetched again
        await settle(pilot)
        clock.advance(minutes=5)
        app.ring_reminders()
        await settle(pilot)
        expected = [] if done else [f"Time for {TITLE} (12:05)"]
        assert alerts == expected
        toasts = [n.message for n in app._notifications if n.title == "⏰ Reminder"]
        assert toasts == expected
        app.ring_reminders()
        assert len(alerts) == len(expected)  # once
