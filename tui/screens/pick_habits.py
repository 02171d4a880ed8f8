"""Pick habits from the catalog, results on the left and relationships on the right.

Used on the first run and by ``a`` on Today. Adopting happens here; the screen dismisses
with the number of habits added.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Label, SelectionList
from textual.widgets.selection_list import Selection

from shared import schemas
from tui.offline import client_id
from tui.screens.habit_form import HabitFormScreen, create_habit
from tui.widgets.app_header import AppHeader
from tui.wording import SERVICE_ERRORS, error_text, kind_text, schedule_text

if TYPE_CHECKING:
    from tui.app import RapportApp


ARCHIVED = "archived — bring back"


def prompt(habit: schemas.CatalogHabit, *, archived: bool = False) -> Text:
    if archived:
        # First, so a cut title never hides it.
        return Text.assemble((f"{ARCHIVED}: ", "bold"), habit.title)
    return Text.assemble(habit.title, (f"  {schedule_text(habit.schedule)}", "dim"))


class PickHabitsScreen(Screen[int]):
    app: RapportApp

    BINDINGS = [
        Binding("escape", "leave", "Done", id="add.done"),
        Binding("ctrl+s", "adopt", "Adopt selected", id="add.adopt_selected"),
        Binding("c", "custom", "Custom habit", id="add.custom_habit"),
    ]

    def __init__(self, *, first_run: bool = False) -> None:
        super().__init__()
        self.first_run = first_run
        self.catalog: dict[str, schemas.CatalogHabit] = {}
        self.adopted: set[str] = set()
        self.archived: dict[str, schemas.Habit] = {}  # template -> the archived habit

    def compose(self) -> ComposeResult:
        yield AppHeader("Pick your habits" if self.first_run else "Add habits")
        yield Label(
            "Pick a few to start with, from both sides: results get work done, "
            "relationships get it noticed. Space selects.",
            id="pick-intro",
        )
        with Horizontal(id="pick-lists"):
            with Vertical(classes="card -results") as card:
                card.border_title = "Results"
                yield SelectionList[str](id="pick-results")
            with Vertical(classes="card -relationships") as card:
                card.border_title = "Relationships"
                yield SelectionList[str](id="pick-relationships")
        yield Label("", id="pick-why")
        with Horizontal(id="pick-buttons"):
            yield Button("Adopt selected", variant="primary", id="adopt", disabled=True)
            yield Button("Custom habit…", id="custom")
            yield Button("Start" if self.first_run else "Done", id="leave")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="catalog")
    async def load(self) -> None:
        session = self.app.session
        if session is None:
            return
        try:
            catalog = await session.catalog()
            # The list holds active or archived habits, never both: ask for each.
            mine = await session.client.habits(limit=200)
            archived = await session.client.habits(archived=True, limit=200)
        except SERVICE_ERRORS as exc:
            self.app.service_failed(exc)
            return
        adopted = {h.template for h in mine.items if h.template}
        self.adopted = adopted
        self.archived = {
            h.template: h for h in archived.items if h.template and h.template not in adopted
        }
        self.catalog = {c.slug: c for c in catalog}
        for category in ("results", "relationships"):
            picker = self.query_one(f"#pick-{category}", SelectionList)
            picker.add_options(
                [
                    Selection(
                        prompt(c, archived=c.slug in self.archived),
                        c.slug,
                        c.slug in adopted,
                        disabled=c.slug in adopted,
                    )
                    for c in catalog
                    if c.category == category
                ]
            )
            picker.highlighted = 0
        self.query_one("#pick-results", SelectionList).focus()
        self.describe()

    def _selected(self) -> list[str]:
        return [
            slug
            for category in ("results", "relationships")
            for slug in self.query_one(f"#pick-{category}", SelectionList).selected
            if slug not in self.adopted
        ]

    @on(SelectionList.SelectionHighlighted)
    def explain(self, event: SelectionList.SelectionHighlighted[str]) -> None:
        if event.selection_list is self.focused:
            self.describe()

    def on_descendant_focus(self) -> None:
        self.describe()

    def describe(self) -> None:
        """Describe the item highlighted in the list that has focus (the other list's
        highlight is not what the user is looking at)."""
        picker = self.focused
        if not isinstance(picker, SelectionList) or picker.highlighted is None:
            return
        slug = picker.get_option_at_index(picker.highlighted).value
        habit = self.catalog.get(slug)
        if habit is None:
            return
        details = f"{schedule_text(habit.schedule)} · {kind_text(habit)} · {habit.difficulty}"
        if slug in self.archived:
            details = f"{ARCHIVED}: select it to have it on Today again, history and all"
        elif slug in self.adopted:
            details = f"already yours · {details}"
        why = Text(habit.why)
        why.append("\n")
        why.append(details, "dim")
        self.query_one("#pick-why", Label).update(why)

    @on(SelectionList.SelectedChanged)
    def count(self) -> None:
        count = len(self._selected())
        button = self.query_one("#adopt", Button)
        button.disabled = count == 0
        button.label = (
            f"Adopt {count} habit{'s' if count != 1 else ''}" if count else "Adopt selected"
        )

    @on(Button.Pressed, "#adopt")
    def action_adopt(self) -> None:
        if self._selected():
            self.adopt(self._selected())

    @work(exclusive=True, group="adopt")
    async def adopt(self, slugs: list[str]) -> None:
        session = self.app.session
        if session is None:
            return
        added = 0
        for slug in slugs:
            try:
                if slug in self.archived:  # the same habit back, history and all
                    await session.client.update_habit(
                        self.archived[slug].id, schemas.HabitPatch(archived=False)
                    )
                else:
                    # A client id makes a retry after a lost answer harmless.
                    await session.client.create_habit(
                        schemas.HabitCreate(id=client_id(), template=slug)
                    )
            except SERVICE_ERRORS as exc:
                self.notify(error_text(exc), title="Not added", severity="error")
                break
            added += 1
        if added:
            self.notify(f"{added} habit{'s' if added != 1 else ''} added.", title="Habits")
        self.dismiss(added)

    @on(Button.Pressed, "#leave")
    def action_leave(self) -> None:
        self.dismiss(0)

    @on(Button.Pressed, "#custom")
    def action_custom(self) -> None:
        def created(result: object) -> None:
            if isinstance(result, schemas.HabitCreate):
                self.create(result)

        self.app.push_screen(HabitFormScreen(), created)

    @work(group="adopt")
    async def create(self, body: schemas.HabitCreate) -> None:
        if await create_habit(self.app, body) is not None:
            self.dismiss(1)
