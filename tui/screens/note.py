"""A one-line note to go with a check-in ("what did you do?")."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label


class NoteScreen(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
        Binding("ctrl+s", "submit", "Check in", id="note.check_in"),
    ]

    def __init__(self, habit_title: str) -> None:
        super().__init__()
        self.habit_title = habit_title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Check in with a note"
            yield Label(self.habit_title, classes="dialog-subject")
            yield Input(placeholder="What did you do? (optional)", max_length=500, id="note")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Check in", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")
        yield Footer(compact=True)

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def action_submit(self) -> None:
        self.dismiss(self.query_one("#note", Input).value.strip())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
