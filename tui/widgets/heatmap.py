"""A year heatmap calendar: one column per week, one row per weekday (Monday on top).

The server lists only the days that have check-ins; every other day inside the range is
drawn as empty. Cells are one character wide, two when the widget is wide enough.
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from shared import schemas

LABELS = ["Mon", "", "Wed", "", "Fri", "", "Sun"]
LABEL_WIDTH = 4
CELL = "■"


class Heatmap(Widget):
    """``days``: the calendar answer; ``last``: the final day shown (the user's today)."""

    COMPONENT_CLASSES = {
        "heatmap--empty",
        "heatmap--before",
        "heatmap--partial",
        "heatmap--done",
        "heatmap--skipped",
        "heatmap--label",
        "heatmap--today",
    }

    DEFAULT_CSS = """
    Heatmap {
        height: 9;
        & > .heatmap--empty { color: $foreground 14%; }
        & > .heatmap--before { color: $foreground 6%; }
        & > .heatmap--partial { color: $success 50%; }
        & > .heatmap--done { color: $success; }
        & > .heatmap--skipped { color: $warning 70%; }
        & > .heatmap--label { color: $text-muted; }
        & > .heatmap--today { text-style: reverse; }
    }
    """

    days: reactive[dict[date, schemas.CalendarDay]] = reactive(dict, layout=False)
    last: reactive[date | None] = reactive(None)
    first: reactive[date | None] = reactive(None)

    def show(
        self, days: list[schemas.CalendarDay], *, last: date, first: date | None = None
    ) -> None:
        self.first = first
        self.last = last
        self.days = {d.day: d for d in days}

    def _weeks(self, columns: int) -> list[date]:
        """The Monday of each week shown, oldest first, ending with ``last``'s week."""
        assert self.last is not None
        final_monday = self.last - timedelta(days=self.last.weekday())
        return [final_monday - timedelta(weeks=n) for n in reversed(range(columns))]

    @staticmethod
    def _months(weeks: list[date], cell_width: int, room: int, style: Style) -> Text:
        """The month names over the weeks in which a month starts. A name that would run
        past ``room`` (the width beside the day labels) or into the next name is left out,
        never cut."""
        months = Text(" " * LABEL_WIDTH)
        free_from = 0  # first column position not covered by a label yet
        for index, monday in enumerate(weeks):
            sunday = monday + timedelta(days=6)
            position = index * cell_width
            name = f"{sunday:%b}"
            if sunday.day <= 7 and position >= free_from and position + len(name) <= room:
                months.append(" " * (position - (len(months) - LABEL_WIDTH)))
                months.append(name, style)
                free_from = position + len(name) + 1
        return months

    def render(self) -> RenderableType:
        if self.last is None:
            return Text("")
        width = max(self.content_size.width - LABEL_WIDTH, 1)
        cell_width = 2 if width >= 53 * 2 else 1
        columns = min(53, width // cell_width)
        weeks = self._weeks(columns)
        label_style = self.get_component_rich_style("heatmap--label")
        styles = {
            name: self.get_component_rich_style(f"heatmap--{name}")
            for name in ("empty", "before", "partial", "done", "skipped")
        }
        today_style = self.get_component_rich_style("heatmap--today", partial=True)

        rows = [self._months(weeks, cell_width, width, label_style)]
        for weekday in range(7):
            row = Text(f"{LABELS[weekday]:<{LABEL_WIDTH}}", label_style)
            for monday in weeks:
                day = monday + timedelta(days=weekday)
                if day > self.last:
                    row.append(" " * cell_width)
                    continue
                entry = self.days.get(day)
                if self.first is not None and day < self.first:
                    name = "before"  # the habit did not exist yet: not a miss
                elif entry is None or (not entry.done and not entry.skipped and not entry.value):
                    name = "empty"
                elif entry.skipped:
                    name = "skipped"
                elif entry.done:
                    name = "done"
                else:
                    name = "partial"
                style: Style = styles[name]
                if day == self.last:
                    style = style + today_style
                row.append(CELL, style)
                if cell_width == 2:
                    row.append(" ")
            rows.append(row)
        legend = Text(" " * LABEL_WIDTH)
        legend.append("less ", label_style)
        legend.append(CELL, styles["empty"])
        legend.append(CELL, styles["partial"])
        legend.append(CELL, styles["done"])
        legend.append(" more   ", label_style)
        legend.append(CELL, styles["skipped"])
        legend.append(" skipped", label_style)
        rows.append(legend)
        return Group(*rows)
