"""Name a teammate as witness of a check-in: they are asked to confirm it, and a
confirmation pays you both (the server decides which habits may have one, and says why
not)."""

from __future__ import annotations

from uuid import UUID

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from tui.wording import SERVICE_ERRORS, error_text

PAGE = 200  # members asked for at a time


class WitnessScreen(ModalScreen[UUID | None]):
    """Dismissed with the chosen teammate's user id, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="witness.cancel"),
        Binding("enter", "choose", "Check in", id="witness.choose"),
    ]

    def __init__(self, habit_title: str) -> None:
        super().__init__()
        self.habit_title = habit_title
        self.people: list[UUID] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="witness-box") as box:
            box.border_title = "Check in with a witness"
            yield Label(self.habit_title, classes="dialog-subject")
            yield Label("[dim]Asking the server for your teammates…[/dim]", id="witness-state")
            yield OptionList(id="witnesses")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False
        self.load()

    @work(exclusive=True)
    async def load(self) -> None:
        state = self.query_one("#witness-state", Label)
        session = getattr(self.app, "session", None)
        if session is None:
            state.update("Not connected.")
            return
        try:
            me = session.user or await session.me()
            teams = await session.client.teams()
            seen: dict[UUID, str] = {}
            for team in teams:
                cursor: str | None = None
                while True:  # every page: a big team's later members are teammates too
                    page = await session.client.members(team.id, limit=PAGE, cursor=cursor)
                    for member in page.items:
                        if member.user.id != me.id and member.user.id not in seen:
                            who = member.user
                            seen[who.id] = f"{who.display_name} (@{who.handle}) · {team.name}"
                    cursor = page.next_cursor
                    if cursor is None:
                        break
        except SERVICE_ERRORS as exc:
            state.update(f"[b]Cannot list teammates:[/b] {error_text(exc)}")
            return
        if not seen:
            state.update("No teammates yet: a witness is someone in one of your teams.")
            return
        # By name: a picker reads alphabetically (and the server's order is by join).
        seen = dict(sorted(seen.items(), key=lambda item: item[1].casefold()))
        self.people = list(seen)
        options = self.query_one(OptionList)
        options.add_options([Option(text, id=str(uid)) for uid, text in seen.items()])
        options.display = True
        options.highlighted = 0
        options.focus()
        state.update("Who saw it? They will be asked to confirm.")

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(UUID(event.option.id))

    def action_choose(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and self.people:
            self.dismiss(self.people[options.highlighted])

    def action_cancel(self) -> None:
        self.dismiss(None)
