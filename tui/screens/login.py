"""Server and login: connect to a Rapport server (or this computer) and sign in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label

from shared import schemas
from shared.client import ApiError
from tui.config import system_timezone
from tui.connect import usable_timezone
from tui.widgets.app_header import AppHeader
from tui.wording import error_text

if TYPE_CHECKING:
    from tui.app import RapportApp


class LoginScreen(Screen[None]):
    app: RapportApp

    BINDINGS = [Binding("escape", "cancel", "Back", id="login.back")]

    def __init__(self, server: str = "", *, can_cancel: bool = False) -> None:
        super().__init__()
        self.server = server
        self.can_cancel = can_cancel

    def compose(self) -> ComposeResult:
        yield AppHeader("Server and login")
        with Center(), Vertical(id="login-box", classes="card") as box:
            box.border_title = "Connect"
            yield Label(
                "Rapport runs on this computer unless you connect to a server, "
                "for example your team's.",
                id="login-intro",
            )
            with Grid(id="login-grid"):
                yield Label("Server", classes="form-label")
                yield Input(
                    self.server if "://" in self.server else "",
                    placeholder="https://rapport.example.com  (blank: this computer)",
                    id="server",
                    compact=True,
                )
                yield Label("Handle", classes="form-label")
                yield Input(placeholder="your handle", id="handle", max_length=32, compact=True)
                yield Label("Password", classes="form-label")
                yield Input(
                    placeholder="at least 8 characters", password=True, id="password",
                    compact=True,
                )  # fmt: skip
            yield Label("", id="login-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Log in", variant="primary", id="login")
                yield Button("Create account", id="register")
                yield Button("Use this computer", id="local")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        config = self.app.connector.config
        if config.server and not self.query_one("#server", Input).value:
            self.query_one("#server", Input).value = config.server
        if config.handle:
            self.query_one("#handle", Input).value = config.handle
        first_empty = next((i for i in self.query(Input) if not i.value), None)
        (first_empty or self.query_one("#password", Input)).focus()

    def action_cancel(self) -> None:
        if self.can_cancel:
            self.dismiss()

    def _error(self, text: str) -> None:
        self.query_one("#login-error", Label).update(f"⚠ {text}")

    @on(Input.Submitted)
    @on(Button.Pressed, "#login")
    def login(self) -> None:
        self.connect(create=False)

    @on(Button.Pressed, "#register")
    def register(self) -> None:
        self.connect(create=True)

    @on(Button.Pressed, "#local")
    def local(self) -> None:
        self.query_one("#server", Input).value = ""
        self.connect(create=False)

    @work(exclusive=True, group="login")
    async def connect(self, *, create: bool) -> None:
        url = self.query_one("#server", Input).value.strip().rstrip("/")
        handle = self.query_one("#handle", Input).value.strip().lower()
        password = self.query_one("#password", Input).value
        connector = self.app.connector
        self.query_one("#login-error", Label).update("")
        if not url:
            connector.use_local()
            self.app.open_session(await connector.open_local())
            return
        if not url.startswith(("http://", "https://")):
            self._error("the server address starts with http:// or https://")
            return
        if not handle or not password:
            self._error("enter your handle and password")
            return
        session = await connector.open_remote(url)
        try:
            if create:
                auth = await session.client.register(
                    schemas.RegisterRequest(
                        handle=handle,
                        password=password,
                        timezone=usable_timezone(system_timezone()),
                    )
                )
            else:
                auth = await session.client.login(handle, password)
        except (ApiError, httpx.HTTPError) as exc:
            await session.close()
            if isinstance(exc, ApiError) and exc.status == 401:
                self._error("wrong handle or password")
            elif isinstance(exc, httpx.TransportError):
                self._error(f"cannot reach {url}")
            else:
                self._error(error_text(exc))
            return
        session.online = True
        session.user = auth.user
        connector.remember_remote(url, auth)
        self.app.open_session(session, pick_habits=create)
