"""Leaderboards as the Team and Challenges screens show them: one page of ten at a time,
``]`` for the next page (the server's cursor) and ``[`` to go back; or "around me", the
top and your neighbours, which has no pages. Also the text box both screens cut to fit
(``FitText``): wherever text is cut, it ends with "…"."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len, set_cell_size
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.markup import escape
from textual.widgets import Label

from shared import schemas

PAGE_SIZE = 10
# The keys of a paged board (the screen's ``action_page`` moves and reloads).
PAGE_BINDINGS = [
    Binding("right_square_bracket", "page(1)", "More"),
    Binding("left_square_bracket", "page(-1)", "Page back", show=False),
]
ELLIPSIS = "…"
NAME_WIDTH = 20


def clip(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, ending with "…" when it had to be cut."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)) + ELLIPSIS if width > 0 else ""


def board_lines(board: schemas.Leaderboard, unit: str = "pts") -> str:
    """The board as markup, a line a row (names cut to a column, ending with "…")."""
    lines = []
    for entry in board.entries:
        name = clip(entry.user.display_name if not entry.hidden else "(hidden)", NAME_WIDTH)
        padded = name + " " * (NAME_WIDTH - cell_len(name))
        line = f"{entry.rank:>3}. {escape(padded)} {entry.points:>6,} {unit}"
        lines.append(f"[b $primary]{line}[/]" if entry.me else line)
    return "\n".join(lines) or "[dim]Nobody on this board yet.[/dim]"


# How many rows a FitText may take: given the height and width of its container.
Room = Callable[[int, int], int]


class FitText(Label):
    """Text cut to fit its box, with "…" where it is cut. ``wrap``: wrapped on words (a
    description); otherwise a row a line (a board), a row too wide ends with "…" and rows
    that do not fit are counted on the last one. It is as tall as its text, or as ``room``
    allows when the screen shares the height out. ``update`` takes markup, as a Label's."""

    DEFAULT_CSS = "FitText { width: 1fr; height: auto; min-height: 0; }"

    def __init__(self, markup: str = "", *, wrap: bool = False, id: str | None = None) -> None:
        super().__init__(markup, id=id)
        self.wrap = wrap
        self.room: Room | None = None

    @property
    def text(self) -> Content:
        """The whole text, uncut (what ``render`` cuts to fit)."""
        visual = self.visual
        return visual if isinstance(visual, Content) else Content(str(self.content))

    def lines(self, width: int) -> list[Content]:
        """Every line the text needs at ``width`` (each fits)."""
        if width <= 0 or not self.text.plain:
            return []
        if self.wrap:
            return [line.rstrip() for line in self.text.wrap(width, overflow="ellipsis")]
        return [line.truncate(width, ellipsis=True) for line in self.text.split("\n")]

    def needed(self, width: int) -> int:
        return len(self.lines(width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        needed = self.needed(width)
        if self.room is None:
            return needed
        return max(0, min(needed, self.room(container.height, width)))

    def fitted(self, width: int, height: int) -> list[Content]:
        """The lines shown in ``width`` x ``height`` cells, the last one ending with "…"
        when some did not fit."""
        lines = self.lines(width)
        if len(lines) <= height:
            return lines
        shown = lines[: max(0, height)]
        if not shown:
            return shown
        if self.wrap:
            last = shown[-1]
            room = width - 1
            if last.cell_length > room:
                last = last.truncate(room)
            shown[-1] = last.rstrip() + ELLIPSIS
        else:
            hidden = len(lines) - len(shown) + 1
            more = f"{ELLIPSIS} {hidden} more rows"
            shown[-1] = Content.styled(more, "dim").truncate(width, ellipsis=True)
        return shown

    def render(self) -> Content:
        width, height = self.content_size
        return Content("\n").join(self.fitted(width, height))


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
