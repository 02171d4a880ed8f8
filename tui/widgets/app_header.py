"""The one-line bar on top of every screen: brand, the four sections as tabs with the keys
that reach them from anywhere, the screen's own title, connection state."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Label

# The sections every screen reaches with the same keys (the app's ``go.*`` bindings).
SECTIONS = (("today", "Today"), ("challenges", "Challenges"), ("team", "Team"),
            ("profile", "Profile"))  # fmt: skip


class AppHeader(Horizontal):
    """Watches the app's ``online``, ``pending`` and ``where`` reactives. A ``title`` that
    names a section lights its tab; any other title (a habit, a form) is shown after the
    tabs."""

    DEFAULT_CSS = """
    AppHeader {
        dock: top;
        height: 1;
        background: $panel;
        padding: 0 1;
        #brand { color: $primary; text-style: bold; padding-right: 1; }
        .tab { color: $text-muted; padding: 0 1; }
        .tab.-current { color: $foreground; background: $primary 30%; text-style: bold; }
        #title {
            width: 1fr; color: $foreground; text-style: bold; padding-left: 1;
            text-wrap: nowrap; text-overflow: ellipsis;
        }
        #pending { color: $warning; padding-left: 1; display: none; }
        #where { color: $success; padding-left: 1; text-wrap: nowrap; text-overflow: ellipsis;
                 max-width: 30; }
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
        for section, name in SECTIONS:
            yield Label(name, id=f"tab-{section}", classes="tab")
        yield Label("", id="title")
        yield Label("", id="pending")
        yield Label("", id="where")

    def on_mount(self) -> None:
        self.watch(self.app, "online", self._show_state)
        self.watch(self.app, "pending", self._show_state)
        self.watch(self.app, "where", self._show_state)
        self._show_tabs()

    def watch_title(self, title: str) -> None:
        if self.is_mounted:
            self._show_tabs()

    def _show_tabs(self) -> None:
        names = {name: section for section, name in SECTIONS}
        current = names.get(self.title)
        for section, name in SECTIONS:
            tab = self.query_one(f"#tab-{section}", Label)
            key = self._key(section)
            tab.update(f"[b]{key}[/b] {name}" if key else name)
            tab.set_class(section == current, "-current")
        self.query_one("#title", Label).update("" if current else self.title)

    def _key(self, section: str) -> str:
        """The first key of the app's ``go.<section>`` binding (remappable in config.toml)."""
        for active in self.screen.active_bindings.values():
            if active.binding.id == f"go.{section}":
                return self.app.get_key_display(active.binding)
        return ""

    def _show_state(self) -> None:
        online: bool = getattr(self.app, "online", True)
        pending: int = getattr(self.app, "pending", 0)
        where: str = getattr(self.app, "where", "")
        self.set_class(not online, "-offline")
        self.set_class(pending > 0, "-pending")
        self.query_one("#pending", Label).update(f"↻ {pending} pending")
        self.query_one("#where", Label).update(f"● {where}" if online else f"○ offline · {where}")
