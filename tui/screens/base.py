"""What the Today, Habit, Profile, Team and Challenges screens share: they load on mount, load
again whenever the app's ``revision`` moves (or at ``r``), and report a failed load the
same way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding
from textual.screen import Screen

from tui.wording import SERVICE_ERRORS

if TYPE_CHECKING:
    from tui.app import RapportApp
    from tui.session import Session


class DataScreen(Screen[None]):
    """A screen of server data. Subclasses implement ``fetch``: read what the screen shows
    through ``session`` and show it; an API or network error ends the load and is reported
    by the app (a lapsed login leads to the login screen)."""

    app: RapportApp

    BINDINGS = [Binding("r", "reload", "Refresh", show=False)]

    def on_mount(self) -> None:
        self.watch(self.app, "revision", self.action_reload, init=False)
        self.action_reload()

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="load")
    async def load(self) -> None:
        session = self.app.session
        if session is None:
            return
        try:
            await self.fetch(session)
        except SERVICE_ERRORS as exc:
            self.app.service_failed(exc)

    async def fetch(self, session: Session) -> None:
        raise NotImplementedError
