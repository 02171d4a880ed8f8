"""The one-line bar on top of every screen: brand, screen title, connection state."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label


class AppHeader(Horizontal):
    """Watches the app's ``online``, ``pending`` and ``where`` reactives."""

    DEFAULT_CSS = """
    AppHeader {
        dock: top;
        height: 1;
        background: $panel;
        padding: 0 1;
        #brand { color: $primary; text-style: bold; padding-right: 2; }
        #title { width: 1fr; color: $foreground; text-style: bold; }
        #pending { color: $warning; padding-right: 2; display: none; }
        #where { color: $success; }
        &.-offline #where { color: $error; }
        &.-pending #pending { display: block; }
    }
    """

    title: reactive[str] = reactive("")

    def __init__(self, title: str = "") -> None:
        super().__init__()
        self.set_reactive(AppHeader.title, title)

    def compose(self) -> ComposeResult:
        yield Label("◆ rapport", id="brand")
        yield Label(self.title, id="title")
        yield Label("", id="pending")
        yield Label("", id="where")

    def on_mount(self) -> None:
        self.watch(self.app, "online", self._show_state)
        self.watch(self.app, "pending", self._show_state)
        self.watch(self.app, "where", self._show_state)

    def watch_title(self, title: str) -> None:
        if self.is_mounted:
            self.query_one("#title", Label).update(title)

    def _show_state(self) -> None:
        online: bool = getattr(self.app, "online", True)
        pending: int = getattr(self.app, "pending", 0)
        where: str = getattr(self.app, "where", "")
        self.set_class(not online, "-offline")
        self.set_class(pending > 0, "-pending")
        self.query_one("#pending", Label).update(f"↻ {pending} pending")
        self.query_one("#where", Label).update(f"● {where}" if online else f"○ offline · {where}")
