"""``?``: the keys of the screen below, and the rules of the game in a few lines."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from tui.wording import SERVICE_ERRORS, rules_text

# Arrow keys, paging and the like work everywhere; the help lists the app's own keys.
NAVIGATION = ("scroll_", "cursor_", "page_", "select_cursor", "app.focus_", "focus_", "screen.copy")


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "close", "Close", id="help.close")]

    def __init__(self, below: Screen[object]) -> None:
        super().__init__()
        self.below = below

    def keys(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="right", style="bold", no_wrap=True)
        table.add_column(no_wrap=True)
        seen: set[str] = set()
        bindings = [active.binding for active in self.below.active_bindings.values()]
        # Keys shown in the footer first, so "space Check" wins over "enter Check".
        bindings.sort(key=lambda binding: not binding.show)
        for binding in bindings:
            if binding.action.startswith(NAVIGATION) or not binding.description:
                continue
            if binding.description in seen:
                continue
            seen.add(binding.description)
            table.add_row(Text(self.app.get_key_display(binding)), binding.description)
        # The theme, login and section keys are the app's bindings, listed above with
        # whatever keys config.toml gave them.
        return table

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-box") as box:
            box.border_title = "Help"
            box.border_subtitle = "esc to close"
            with VerticalScroll(), Horizontal(id="help-columns"):
                with Vertical(id="help-keys"):
                    yield Label("[b]Keys here[/b]")
                    yield Static(self.keys())
                with Vertical(id="help-rules"):
                    yield Label("[b]How it works[/b]")
                    # From the server (GET /catalog/rules): the client restates no rule.
                    yield Static("[dim]Asking the server…[/dim]", id="rules")

    def on_mount(self) -> None:
        self.load_rules()

    @work(exclusive=True)
    async def load_rules(self) -> None:
        session = getattr(self.app, "session", None)
        shown = self.query_one("#rules", Static)
        if session is None or not session.signed_in:
            shown.update("[dim]Log in (ctrl+l) to read the rules of the game.[/dim]")
            return
        try:
            rules = await session.rules()
        except SERVICE_ERRORS:
            shown.update(
                "[dim]The rules come from the server, which cannot be reached now. "
                "docs/gamification.md has them in full.[/dim]"
            )
            return
        shown.update(rules_text(rules))

    def action_close(self) -> None:
        self.dismiss()
