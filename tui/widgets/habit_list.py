"""The Today list: one row per habit, with the keys that act on the highlighted habit.

The list does not call the server: it posts ``HabitList.Act`` and its screen does the work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label, ListItem, ListView

from shared import schemas
from tui.widgets.streak_flame import StreakFlame
from tui.wording import schedule_text

Action = Literal["check", "count_up", "count_down", "skip", "undo", "note", "witness", "open"]


@dataclass(frozen=True)
class HabitLine:
    """A habit as today's list shows it: the server's answer plus check-ins still queued."""

    item: schemas.TodayHabit
    value: int
    done: bool
    skipped: bool
    pending: int = 0

    @property
    def habit(self) -> schemas.Habit:
        return self.item.habit

    @property
    def state(self) -> str:
        if self.skipped:
            return "skipped"
        if self.done:
            return "done"
        if self.value:
            return "partial"
        if self.item.on_break:
            return "break"
        return "open" if self.item.due else "rest"


MARKS = {"open": "○", "partial": "◐", "done": "✔", "skipped": "↷", "rest": "·", "break": "⏸"}


def strength_bar(strength: int, cells: int = 5) -> str:
    full = round(strength * cells / 100)
    return "▰" * full + "▱" * (cells - full)


class HabitRow(ListItem):
    """One habit. Its category shows as the colour of the stripe on the left."""

    def __init__(self, line: HabitLine) -> None:
        super().__init__(classes=f"habit-row -{line.habit.category}")
        self.line = line

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(id="mark")
            yield Label(id="name")
            yield Label(id="count")
            yield Label(id="when")
            yield StreakFlame(id="streak")
            yield Label(id="strength")

    def on_mount(self) -> None:
        self.show(self.line)

    def show(self, line: HabitLine) -> None:
        self.line = line
        habit = line.habit
        for state in MARKS:
            self.set_class(line.state == state, f"-{state}")
        self.set_class(line.pending > 0, "-pending")
        self.query_one("#mark", Label).update(MARKS[line.state])
        name = habit.title + ("  ↻" if line.pending else "")
        self.query_one("#name", Label).update(name)
        count = f"{min(line.value, 9999)}/{habit.target}" if habit.kind == "count" else ""
        self.query_one("#count", Label).update(count)
        when = "on a break" if line.state == "break" else schedule_text(habit.schedule)
        self.query_one("#when", Label).update("" if when == "daily" else when)
        flame = self.query_one("#streak", StreakFlame)
        flame.streak = line.item.streak
        self.query_one("#strength", Label).update(
            f"{strength_bar(line.item.strength)} {line.item.strength:>3}"
        )


class HabitColumns(Horizontal):
    """The column headings over the list, in the widths of a ``HabitRow`` (app.tcss)."""

    def compose(self) -> ComposeResult:
        yield Label("", id="mark")
        yield Label("habit", id="name")
        yield Label("count", id="count")
        yield Label("schedule", id="when")
        yield Label("streak", id="streak")
        yield Label("strength", id="strength")


class SectionTitle(ListItem):
    """A heading inside the list; never highlighted."""

    def __init__(self, text: str) -> None:
        super().__init__(Label(text), classes="section-title", disabled=True)


class HabitList(ListView):
    BINDINGS = [
        Binding("space", "act('check')", "Check", id="today.check"),
        Binding("enter", "act('check')", "Check", show=False, id="today.check_enter"),
        Binding("plus", "act('count_up')", "Count", key_display="+/-", id="today.count_up"),
        Binding("minus", "act('count_down')", "Count down", show=False, id="today.count_down"),
        Binding("s", "act('skip')", "Skip", id="today.skip"),
        Binding("u", "act('undo')", "Undo", id="today.undo"),
        Binding("n", "act('note')", "Note", show=False, id="today.note"),
        Binding("w", "act('witness')", "Witness", show=False, id="today.witness"),
        Binding("o", "act('open')", "Open", id="today.open"),
        Binding("right", "act('open')", "Open", show=False, id="today.open_right"),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    class Act(Message):
        """The user asked for ``action`` on ``line``'s habit."""

        def __init__(self, line: HabitLine, action: Action) -> None:
            super().__init__()
            self.line = line
            self.action = action

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._order: list[UUID | str] = []

    @property
    def current(self) -> HabitLine | None:
        row = self.highlighted_child
        return row.line if isinstance(row, HabitRow) else None

    def action_act(self, action: Action) -> None:
        line = self.current
        if line is not None:
            self.post_message(self.Act(line, action))

    async def show(self, lines: list[HabitLine]) -> None:
        """Show ``lines``: due habits first, then the rest under a heading."""
        due = [line for line in lines if line.item.due]
        rest = [line for line in lines if not line.item.due]
        order: list[UUID | str] = [line.habit.id for line in due]
        if rest:
            order.append("rest")
            order += [line.habit.id for line in rest]
        if order == self._order:
            rows = [child for child in self.children if isinstance(child, HabitRow)]
            for row, line in zip(rows, due + rest, strict=True):
                row.show(line)
            return
        keep = self.current.habit.id if self.current else None
        self._order = order
        await self.clear()
        items: list[ListItem] = [HabitRow(line) for line in due]
        if rest:
            items.append(SectionTitle("Not due today"))
            items += [HabitRow(line) for line in rest]
        await self.extend(items)
        positions = {
            item.line.habit.id: index
            for index, item in enumerate(items)
            if isinstance(item, HabitRow)
        }
        self.index = positions.get(keep) if keep else None
        if self.index is None and positions:
            self.index = min(positions.values())
