"""Leaderboards as the Team and Challenges screens show them: one page of ten at a time,
``]`` for the next page (the server's cursor) and ``[`` to go back; or "around me", the
top and your neighbours, which has no pages."""

from __future__ import annotations

from textual.binding import Binding

from shared import schemas

PAGE_SIZE = 10
# The keys of a paged board (the screen's ``action_page`` moves and reloads).
PAGE_BINDINGS = [
    Binding("right_square_bracket", "page(1)", "More"),
    Binding("left_square_bracket", "page(-1)", "Page back", show=False),
]


def board_lines(board: schemas.Leaderboard, unit: str = "pts") -> str:
    lines = []
    for entry in board.entries:
        name = entry.user.display_name if not entry.hidden else "(hidden)"
        line = f"{entry.rank:>3}. {name:<20.20} {entry.points:>6,} {unit}"
        lines.append(f"[b $primary]{line}[/]" if entry.me else line)
    return "\n".join(lines) or "[dim]Nobody on this board yet.[/dim]"


class BoardPages:
    """Where the shown page of a board starts, and the pages before it (cursors are
    forward-only, so going back returns to a cursor already seen)."""

    def __init__(self) -> None:
        self.around = False
        self._starts: list[str | None] = [None]
        self._next: str | None = None

    @property
    def cursor(self) -> str | None:
        """The cursor of the page to load (None: the first page)."""
        return self._starts[-1]

    @property
    def number(self) -> int:
        return len(self._starts)

    @property
    def view(self) -> str:
        return "around" if self.around else "page"

    def reset(self) -> None:
        """Back to the first page (another board, period or view)."""
        self._starts, self._next = [None], None

    def toggle_around(self) -> None:
        self.around = not self.around
        self.reset()

    def loaded(self, board: schemas.Leaderboard) -> None:
        self._next = None if self.around else board.next_cursor

    def forward(self) -> bool:
        """Move to the next page; False when this is the last one."""
        if self._next is None:
            return False
        self._starts.append(self._next)
        self._next = None
        return True

    def back(self) -> bool:
        """Move to the page before; False on the first one."""
        if len(self._starts) == 1:
            return False
        self._starts.pop()
        self._next = None
        return True

    def step(self, step: int) -> str | None:
        """Move a page forward (``step`` > 0) or back; why not, when it cannot."""
        if self.around:
            return "Around me shows your neighbours on one page: m shows the whole board."
        if step > 0 and not self.forward():
            return "This is the last page."
        if step <= 0 and not self.back():
            return "This is the first page."
        return None

    def caption(self) -> str:
        """The board's subtitle: which page, and the keys that page on."""
        if self.around:
            return "around me"
        parts = [f"page {self.number}"] if self.number > 1 else []
        if self._next is not None:
            parts.append("] more")
        if self.number > 1:
            parts.append("[ back")
        return " · ".join(parts)
