"""What the Today, Habit, Profile, Team and Challenges screens share: they load on mount, load
again whenever the app's ``revision`` moves (or at ``r``), and report a failed load the
same way; and how any screen asks the service to change something (``call_service``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

import httpx
from textual import work
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Label

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


class DataStatus(Label):
    """What a screen's data is, said where the data goes: loading (before the first
    answer), cannot be loaded (offline or refused, nothing shown yet), or not live (the
    last answer stays, with the time it was loaded). Hidden while the data is live."""

    DEFAULT_CSS = """
    DataStatus {
        width: 100%;
        height: auto;
        padding: 0 1;
        display: none;
        color: $text-muted;
        &.-loading, &.-offline, &.-failed { display: block; }
        &.-offline { color: $warning; }
        &.-failed { color: $error; }
    }
    """


class DataScreen(Screen[None]):
    """A screen of server data. Subclasses implement ``fetch``: read what the screen shows
    through ``session`` and show it; an API or network error ends the load and is reported
    by the app (a lapsed login leads to the login screen).

    A screen that composes a ``DataStatus`` and names its body (``BODY``, a selector) gets
    honest states: the body stays hidden until the first answer, so nothing is drawn as
    data that is not (no empty bars, no "🔥 0"); ``WHAT`` names the data in the words."""

    app: RapportApp

    BINDINGS = [Binding("r", "reload", "Refresh", show=False, id="screen.refresh")]
    BODY = ""
    WHAT = "this screen"

    loaded_at: datetime | None = None  # when the data shown was loaded (None: not yet)

    def on_mount(self) -> None:
        status = self._status()
        if status is not None:
            status.update(f"Loading {self.WHAT}…")
            status.set_classes("-loading")
            if self.BODY:
                self.query_one(self.BODY).display = False
        self.watch(self.app, "revision", self.action_reload, init=False)
        self.action_reload()

    def _status(self) -> DataStatus | None:
        found = self.query(DataStatus)
        return found.first() if found else None

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
            self.load_failed(exc)
            self.app.service_failed(exc)
            return
        self.loaded()

    def loaded(self) -> None:
        self.loaded_at = datetime.now()
        status = self._status()
        if status is not None:
            status.update("")
            status.set_classes("")
            if self.BODY:
                self.query_one(self.BODY).display = True

    def load_failed(self, exc: BaseException) -> None:
        status = self._status()
        if status is None:
            return
        offline = isinstance(exc, httpx.TransportError)
        status.set_classes("-offline" if offline else "-failed")
        if self.loaded_at is None:
            status.update(
                f"{self.WHAT[:1].upper()}{self.WHAT[1:]} cannot be loaded while offline. "
                "ctrl+r tries again."
                if offline
                else f"{self.WHAT[:1].upper()}{self.WHAT[1:]} could not be loaded: "
                f"{error_text(exc)}"
            )
            return
        why = "offline" if offline else "not refreshed"
        status.update(f"{why} · not live: as loaded at {self.loaded_at:%H:%M}")

    async def fetch(self, session: Session) -> None:
        raise NotImplementedError
