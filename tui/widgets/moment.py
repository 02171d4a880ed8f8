"""A moment worth a pause: a level reached, a badge earned, a streak milestone. A banner
across the top of the screen for a few seconds, unlike the routine check-in, which only
flashes its row and writes one status line."""

from __future__ import annotations

from textual.widgets import Static

SHOWN_SECONDS = 6.0


class Moment(Static):
    DEFAULT_CSS = """
    Moment {
        overlay: screen;
        position: absolute;
        offset: 4 3;
        display: none;
        width: 1fr;
        max-width: 72;
        height: auto;
        padding: 0 2;
        border: heavy $accent;
        background: $accent 20%;
        color: $foreground;
        text-align: center;
        text-style: bold;
        &.-shown { display: block; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.lines: list[str] = []
        self._timer_generation = 0

    def celebrate(self, *lines: str) -> None:
        """Show ``lines`` (added to what is showing, if a moment is up) for a few seconds."""
        if not lines:
            return
        self.lines = [*self.lines, *lines] if self.has_class("-shown") else list(lines)
        self.update("\n".join(self.lines))
        self.add_class("-shown")
        self._timer_generation += 1
        generation = self._timer_generation
        self.set_timer(SHOWN_SECONDS, lambda: self._hide(generation))

    def _hide(self, generation: int) -> None:
        if generation == self._timer_generation:
            self.remove_class("-shown")
            self.lines = []

    def on_click(self) -> None:
        self._hide(self._timer_generation)
