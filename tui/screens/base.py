"""What the Today, Habit, Profile, Team and Challenges screens share: they load on mount, load
again whenever the app's ``revision`` moves (or at ``r``), and report a failed load the
same way; and how any screen asks the service to change something (``call_service``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

from textual import work
from textual.binding import Binding
from textual.screen import Screen

from tui.wording import SERVICE_ERRORS, error_text

if TYPE_CHECKING:
    from shared.client import RapportClient
    from tui.app import RapportApp
    from tui.session import Session

T = TypeVar("T")


async def call_service(
    app: RapportApp, failed: str, request: Callable[[RapportClient], Awaitable[T]]
) -> T | None:
    """``request`` made with the open session's client: its answer, or None when no session
    is open or the service refused it or could not be reached (said in an error toast
    titled ``failed``)."""
    session = app.session
    if session is None:
        return None
    try:
        return await request(session.client)
    except SERVICE_ERRORS as exc:
        app.notify(error_text(exc), title=failed, severity="error")
        return None


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
