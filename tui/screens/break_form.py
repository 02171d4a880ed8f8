"""Plan a break for a habit: from a day to a day, with an optional reason. The server
decides what is allowed (today or later, at most 92 days) and its answer is shown as it
comes; the dialog stays open on a refusal so the dates can be fixed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label

from shared import schemas
from tui.wording import SERVICE_ERRORS, error_text

DEFAULT_DAYS = 7


Save = Callable[[schemas.BreakCreate], Awaitable[schemas.Break]]


class BreakFormScreen(ModalScreen[schemas.Break | None]):
    """Dismissed with the break the server made, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="break_form.cancel"),
        Binding("ctrl+s", "submit", "Plan break", id="break_form.plan_break"),
    ]
    AUTO_FOCUS = "#starts-on"

    def __init__(self, habit_title: str, today: date, save: Save) -> None:
        super().__init__()
        self.habit_title = habit_title
        self.today = today
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Plan a break"
            yield Label(self.habit_title, classes="dialog-subject")
            yield Label(
                "While it lasts the streak neither breaks nor grows and no reminder rings.",
                classes="dialog-text",
            )
            last = self.today + timedelta(days=DEFAULT_DAYS - 1)
            with Grid(id="break-grid"):
                yield Label("From", classes="form-label")
                yield Input(self.today.isoformat(), id="starts-on", max_length=10,
                            placeholder="YYYY-MM-DD", compact=True)  # fmt: skip
                yield Label("To", classes="form-label")
                yield Input(last.isoformat(), id="ends-on", max_length=10,
                            placeholder="YYYY-MM-DD", compact=True)  # fmt: skip
                yield Label("Reason", classes="form-label")
                yield Input(placeholder="optional, e.g. Holiday", id="reason", max_length=120,
                            compact=True)  # fmt: skip
            yield Label("", id="break-problem")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Plan break", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")
        yield Footer(compact=True)

    def _day(self, widget_id: str) -> date | None:
        try:
            return date.fromisoformat(self.query_one(f"#{widget_id}", Input).value.strip())
        except ValueError:
            return None

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    async def action_submit(self) -> None:
        problem = self.query_one("#break-problem", Label)
        problem.update("")
        starts_on, ends_on = self._day("starts-on"), self._day("ends-on")
        if starts_on is None or ends_on is None:
            problem.update("⚠ dates are YYYY-MM-DD")
            return
        reason = self.query_one("#reason", Input).value.strip() or None
        body = schemas.BreakCreate(starts_on=starts_on, ends_on=ends_on, reason=reason)
        try:
            made = await self.save(body)
        except SERVICE_ERRORS as exc:
            problem.update(f"⚠ {error_text(exc)}")  # stays open: the dates can be fixed
            return
        self.dismiss(made)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
