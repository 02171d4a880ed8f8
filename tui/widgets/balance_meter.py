"""The balance meter: results against relationships over a window of days.

A single bar split in the two category colours, with a tick at the middle (perfect
balance). The numbers are the server's (``Balance7``/``BalanceWindow``); the widget only
draws them.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


def verdict(results: int, relationships: int) -> str:
    total = results + relationships
    if not total:
        return "nothing done yet"
    share = relationships / total
    if 0.4 <= share <= 0.6:
        return "well balanced"
    return "leans to results" if share < 0.4 else "leans to relationships"


class BalanceMeter(Widget):
    COMPONENT_CLASSES = {
        "balance-meter--results",
        "balance-meter--relationships",
        "balance-meter--empty",
        "balance-meter--tick",
        "balance-meter--verdict",
    }

    DEFAULT_CSS = """
    BalanceMeter {
        height: 3;
        & > .balance-meter--results { color: $results; text-style: bold; }
        & > .balance-meter--relationships { color: $relationships; text-style: bold; }
        & > .balance-meter--empty { color: $foreground 20%; }
        & > .balance-meter--tick { color: $foreground; }
        & > .balance-meter--verdict { color: $text-muted; }
    }
    """

    results: reactive[int] = reactive(0)
    relationships: reactive[int] = reactive(0)

    def __init__(self, results: int = 0, relationships: int = 0, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(BalanceMeter.results, results)
        self.set_reactive(BalanceMeter.relationships, relationships)

    def show(self, results: int, relationships: int) -> None:
        self.results = results
        self.relationships = relationships

    def render(self) -> RenderableType:
        width = max(self.content_size.width, 10)
        res_style = self.get_component_rich_style("balance-meter--results")
        rel_style = self.get_component_rich_style("balance-meter--relationships")
        total = self.results + self.relationships
        left = f"Results {self.results}"
        right = f"{self.relationships} Relationships"
        labels = Text.assemble(
            (left, res_style), " " * max(1, width - len(left) - len(right)), (right, rel_style)
        )
        bar = Text()
        middle = width // 2
        empty = self.get_component_rich_style("balance-meter--empty")
        if total == 0:
            bar.append("━" * middle, empty)
        else:
            split = round(width * self.results / total)
            if self.results and split == 0:
                split = 1
            if self.relationships and split == width:
                split = width - 1
            bar.append("━" * split, Style(color=res_style.color))
            bar.append("━" * (width - split), Style(color=rel_style.color))
        if total == 0:
            bar.append("━" * (width - middle), empty)
        tick = self.get_component_rich_style("balance-meter--tick")
        # The middle mark: perfect balance.
        bar = bar[:middle] + Text("╋", tick) + bar[middle + 1 :]
        caption = Text(
            verdict(self.results, self.relationships),
            self.get_component_rich_style("balance-meter--verdict"),
            justify="center",
        )
        return Group(labels, bar, caption)
