"""First run on this computer: create the local profile, then pick habits."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Center, Grid, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label

from shared import schemas
from tui.config import system_timezone
from tui.connect import usable_timezone
from tui.screens.loading import LOGO
from tui.screens.pick_habits import PickHabitsScreen
from tui.screens.today import TodayScreen
from tui.wording import SERVICE_ERRORS, error_text

if TYPE_CHECKING:
    from tui.app import RapportApp


def handle_for(name: str) -> str:
    handle = re.sub(r"[^a-z0-9_.-]+", ".", name.strip().lower()).strip(".-_")
    return (handle or "me")[:32].ljust(3, "0")


class WelcomeScreen(Screen[None]):
    app: RapportApp

    BINDINGS = [("ctrl+l", "app.login", "Use a server instead")]

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="welcome-box"):
            yield Label(LOGO, id="logo")
            yield Label(
                "Grow at work with small daily habits: deliver [b]results[/b] and build "
                "[b]relationships[/b]. Your data stays on this computer.",
                id="welcome-text",
            )
            with Vertical(classes="card", id="welcome-form") as box:
                box.border_title = "Your profile"
                with Grid(id="welcome-grid"):
                    yield Label("Name", classes="form-label")
                    yield Input(
                        placeholder="what should we call you?", id="name", max_length=80,
                        compact=True,
                    )  # fmt: skip
                    yield Label("Time zone", classes="form-label")
                    yield Input(usable_timezone(system_timezone()), id="timezone", compact=True)
                    yield Label("Day starts at", classes="form-label")
                    yield Input("4", type="integer", id="day-start", max_length=2, compact=True)
                yield Label(
                    "[dim]Before that hour, a check-in still counts for the day before.[/dim]",
                    id="welcome-hint",
                )
                yield Label("", id="welcome-error")
                yield Button("Create my profile", variant="primary", id="create")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#create")
    def create(self) -> None:
        self.create_profile()

    @work(exclusive=True, group="welcome")
    async def create_profile(self) -> None:
        session = self.app.session
        if session is None:
            return
        name = self.query_one("#name", Input).value.strip() or "Me"
        hour_text = self.query_one("#day-start", Input).value
        hour = int(hour_text) if hour_text.isdigit() else 0
        if not 0 <= hour <= 23:
            self.query_one("#welcome-error", Label).update("⚠ the day starts at an hour 0-23")
            return
        handle = handle_for(name)
        password = secrets.token_urlsafe(24)
        body = schemas.RegisterRequest(
            handle=handle,
            password=password,
            display_name=name,
            timezone=self.query_one("#timezone", Input).value.strip() or "UTC",
            day_start_hour=hour,
        )
        try:
            auth = await session.client.register(body)
        except SERVICE_ERRORS as exc:
            self.query_one("#welcome-error", Label).update(f"⚠ {error_text(exc)}")
            return
        session.user = auth.user
        self.app.connector.remember_local(handle, password, auth)
        self.app.push_screen(
            PickHabitsScreen(first_run=True),
            lambda _: self.app.switch_screen(TodayScreen()),
        )
