"""The streak flame: a streak count that burns hotter as it grows."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

HEAT = ((21, "-blazing"), (7, "-hot"), (1, "-warm"), (0, "-cold"))


def heat_class(streak: int) -> str:
    return next(name for floor, name in HEAT if streak >= floor)


class StreakFlame(Widget):
    """``🔥 12 days``; grey when there is no streak. ``unit`` names what a period is."""

    DEFAULT_CSS = """
    StreakFlame {
        width: auto;
        height: 1;
        &.-cold { color: $text-muted; }
        &.-warm { color: $text-warning; }
        &.-hot { color: $warning; text-style: bold; }
        &.-blazing { color: $error; text-style: bold; }
    }
    """

    streak: reactive[int] = reactive(0)
    unit: reactive[str] = reactive("")

    def __init__(
        self, streak: int = 0, *, unit: str = "", id: str | None = None, classes: str = ""
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.set_reactive(StreakFlame.streak, streak)
        self.set_reactive(StreakFlame.unit, unit)
        self.add_class(heat_class(streak))

    def watch_streak(self, streak: int) -> None:
        for _, name in HEAT:
            self.remove_class(name)
        self.add_class(heat_class(streak))

    def render(self) -> Text:
        if self.streak <= 0:
            return Text.assemble("🔥", (" 0", "dim"), (f" {self.unit}" if self.unit else "", "dim"))
        text = Text.assemble("🔥 ", str(self.streak))
        if self.unit:
            text.append(f" {self.unit}", style="not bold")
        return text
