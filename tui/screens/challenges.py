"""Challenges: browse them (upcoming, active, ended), join or leave, see your progress and
the challenge's board, ten at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.widgets import Footer, Label, OptionList, ProgressBar
from textual.widgets.option_list import Option

from shared import schemas
from tui.boards import PAGE_BINDINGS, PAGE_SIZE, BoardPages, FitText, board_lines
from tui.screens.base import DataScreen, call_service
from tui.screens.team import unreachable
from tui.widgets.app_header import AppHeader
from tui.widgets.plain_bar import plain_bar
from tui.wording import SERVICE_ERRORS, error_text

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from shared.client import RapportClient
    from tui.session import Session

STATUS_STYLE = {"active": "$success", "upcoming": "$warning", "ended": "$text-muted"}
# The description keeps at least this many rows when the board is long (the board
# shows first: it is the live part).
ABOUT_ROWS = 1
# The list keeps at least this many rows (its border and three lines).
LIST_ROWS = 5


def text_bar(progress: int, target: int, width: int = 10) -> str:
    """A bar of ``width`` cells, ``progress`` of ``target`` filled."""
    filled = 0 if target <= 0 else min(width, progress * width // target)
    return "█" * filled + "░" * (width - filled)


def challenge_row(challenge: schemas.Challenge) -> str:
    status = f"[{STATUS_STYLE[challenge.status]}]{challenge.status:<8}[/]"
    mine = challenge.my_progress
    if mine is None:  # never joined, or left: the same to the server
        others = f" · {challenge.participants} in" if challenge.participants else ""
        tail = f"[dim]not joined{others}[/dim]"
    else:
        done = " ✔" if mine.completed else ""
        tail = f"{text_bar(mine.progress, mine.target)} {mine.progress}/{mine.target}{done}"
    return f"{status} {escape(challenge.title)}  {tail}"


class ChallengesScreen(DataScreen):
    BINDINGS = [
        Binding("escape,backspace,h", "app.pop_screen", "Back", id="challenges.back"),
        Binding("j", "join", "Join", id="challenges.join"),
        Binding("l", "leave", "Leave", id="challenges.leave"),
        *PAGE_BINDINGS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.challenges: list[schemas.Challenge] = []
        self.templates: list[schemas.CatalogChallenge] = []
        self.selected: UUID | None = None
        self.template: str | None = None
        self.pages = BoardPages()
        self.answered = False  # whether the server has answered once

    def compose(self) -> ComposeResult:
        yield AppHeader("Challenges")
        with Vertical(id="challenges-body"):
            with Vertical(id="challenge-list-card", classes="card") as card:
                card.border_title = "Challenges"
                yield OptionList(id="challenge-list")
            with Vertical(id="challenge-card", classes="card"):
                about = FitText(
                    "[dim]Loading the challenges…[/dim]", wrap=True, id="challenge-about"
                )
                about.room = self.about_room
                yield about
                with Horizontal(id="challenge-progress-line") as line:
                    line.display = False
                    yield plain_bar("challenge-bar")
                    yield Label("", id="challenge-progress")
                board = FitText(id="challenge-board")
                board.room = self.board_room
                yield board
        yield Footer(compact=True)

    # -- sharing the card's height: the board what it needs, the description the rest ----

    def progress_rows(self) -> int:
        return 1 if self.query_one("#challenge-progress-line").display else 0

    def board_room(self, height: int, width: int) -> int:
        about = self.query_one("#challenge-about", FitText)
        return height - self.progress_rows() - min(about.needed(width), ABOUT_ROWS)

    def about_room(self, height: int, width: int) -> int:
        board = self.query_one("#challenge-board", FitText)
        shown = min(board.needed(width), self.board_room(height, width))
        return height - self.progress_rows() - shown

    def show_text(self, about: str, board: str) -> None:
        """Change the description and the board together (each one's room depends on the
        other)."""
        self.query_one("#challenge-about", FitText).update(about)
        self.query_one("#challenge-board", FitText).update(board)
        self.share_height()

    def on_resize(self) -> None:
        self.share_height()

    def share_height(self) -> None:
        """The list takes the rows it needs, but leaves the card below room for its whole
        board (the list then scrolls); the card's description gets what is left."""
        body = self.query_one("#challenges-body").size
        width = body.width - 4  # the card's border and padding
        board = self.query_one("#challenge-board", FitText).needed(width)
        about = min(self.query_one("#challenge-about", FitText).needed(width), ABOUT_ROWS)
        card = 2 + self.progress_rows() + board + about
        self.query_one("#challenge-list-card").styles.max_height = max(
            LIST_ROWS, body.height - card
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the keys that do something for the highlighted line show in the footer."""
        challenge = self.current()
        if action == "join":
            return self.template is not None or (
                challenge is not None and challenge.my_progress is None
            )
        if action == "leave":
            return challenge is not None and challenge.my_progress is not None
        if action == "page":
            return challenge is not None and self.template is None
        return True

    async def fetch(self, session: Session) -> None:
        try:
            page = await session.client.challenges(limit=100)
            catalog = await session.client.catalog_challenges()
        except SERVICE_ERRORS as exc:
            self.show_unreachable(exc)
            raise  # reported by the app, as every failed load is
        self.answered = True
        self.query_one("#challenge-list-card").border_subtitle = ""
        order = {"active": 0, "upcoming": 1, "ended": 2}
        self.challenges = sorted(page.items, key=lambda c: (order[c.status], c.starts_on))
        running = {c.template for c in self.challenges if c.status != "ended"}
        self.templates = [t for t in catalog if t.slug not in running]
        options = self.query_one("#challenge-list", OptionList)
        keep = self.selected
        options.clear_options()
        options.add_options([Option(challenge_row(c), id=str(c.id)) for c in self.challenges])
        options.add_options(
            [
                Option(
                    f"[$accent]{'catalog':<8}[/] {t.title}  [dim]{t.duration_days} days[/dim]",
                    id=f"template:{t.slug}",
                )
                for t in self.templates
            ]
        )
        if options.option_count == 0:
            self.query_one("#challenge-progress-line").display = False
            self.show_text("[dim]No challenges yet.[/dim]", "")
            self.refresh_bindings()
            return
        ids = [c.id for c in self.challenges]
        options.highlighted = ids.index(keep) if keep in ids else 0
        self.show_selected()

    def show_unreachable(self, exc: BaseException) -> None:
        """A load failed: what the server said before stays, marked as not live; with
        nothing from it yet, the card says the challenges cannot be loaded."""
        offline = unreachable(exc)
        card = self.query_one("#challenge-list-card")
        if self.answered:
            card.border_subtitle = "not live · offline" if offline else "not live"
            return
        card.border_subtitle = "offline" if offline else ""
        self.query_one("#challenge-progress-line").display = False
        why = (
            "[b]Offline[/b]: the challenges cannot be loaded until the server answers."
            if offline
            else f"The challenges could not be loaded: {escape(error_text(exc))}"
        )
        self.show_text(why, "")
        self.refresh_bindings()

    @on(OptionList.OptionHighlighted, "#challenge-list")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        option_id = event.option.id
        if option_id is None:
            return
        if option_id.startswith("template:"):
            self.selected, self.template = None, option_id.removeprefix("template:")
        else:
            self.selected, self.template = UUID(option_id), None
        self.pages.reset()
        self.show_selected()

    def current(self) -> schemas.Challenge | None:
        for challenge in self.challenges:
            if challenge.id == self.selected:
                return challenge
        return None

    def show_selected(self) -> None:
        template = next((t for t in self.templates if t.slug == self.template), None)
        if template is not None:
            self.show_template(template)
            return
        challenge = self.current()
        if challenge is None:
            return
        card = self.query_one("#challenge-card")
        card.border_title = escape(challenge.title)
        card.border_subtitle = self.subtitle(challenge)
        self.query_one("#challenge-about", FitText).update(
            f"[dim]{escape(challenge.description)}[/dim]"
        )
        self.refresh_bindings()
        mine = challenge.my_progress
        bar = self.query_one("#challenge-bar", ProgressBar)
        line = self.query_one("#challenge-progress-line")
        line.display = mine is not None
        self.share_height()
        if mine is not None:
            bar.update(total=max(1, mine.target), progress=min(mine.progress, mine.target))
            done = " ✔ done" if mine.completed else ""
            self.query_one("#challenge-progress", Label).update(
                f"{mine.progress}/{mine.target}{done}"
            )
        self.load_board(challenge.id)

    def subtitle(self, challenge: schemas.Challenge) -> str:
        dates = f"{challenge.starts_on:%d %b} to {challenge.ends_on:%d %b}"
        joined = "not joined" if challenge.my_progress is None else ""
        parts = [challenge.status, dates, f"{challenge.reward_points} pts", joined]
        parts.append(self.pages.caption())
        return " · ".join(part for part in parts if part)

    def show_template(self, template: schemas.CatalogChallenge) -> None:
        card = self.query_one("#challenge-card")
        card.border_title = escape(template.title)
        card.border_subtitle = (
            f"catalog · {template.duration_days} days · {template.reward_points} pts"
        )
        self.query_one("#challenge-progress-line").display = False
        self.show_text(
            f"[dim]{escape(template.description)}[/dim]",
            "[dim]j starts this challenge from today and joins it.[/dim]",
        )
        self.refresh_bindings()

    @work(exclusive=True, group="challenges-board")
    async def load_board(self, challenge_id: UUID) -> None:
        session = self.app.session
        if session is None:
            return
        try:
            board = await session.client.challenge_board(
                challenge_id, view=self.pages.view, limit=PAGE_SIZE, cursor=self.pages.cursor
            )
        except SERVICE_ERRORS as exc:
            self.app.service_failed(exc)
            return
        challenge = self.current()
        if challenge is None or challenge.id != challenge_id:
            return
        self.pages.loaded(board)
        self.query_one("#challenge-board", FitText).update(board_lines(board, "days"))
        self.share_height()
        self.query_one("#challenge-card").border_subtitle = self.subtitle(challenge)

    def action_page(self, step: int) -> None:
        challenge = self.current()
        if challenge is None:
            return
        refusal = self.pages.step(step)
        if refusal:
            self.notify(refusal)
            return
        self.load_board(challenge.id)

    def action_join(self) -> None:
        if self.template is not None:
            self.start(self.template)
            return
        challenge = self.current()
        if challenge is not None:
            self.change(challenge, join=True)

    @work(group="challenges-change")
    async def start(self, slug: str) -> None:
        async def start_and_join(client: RapportClient) -> schemas.Challenge:
            challenge = await client.create_challenge(schemas.ChallengeCreate(template=slug))
            await client.join_challenge(challenge.id)
            return challenge

        challenge = await call_service(self.app, "Challenge", start_and_join)
        if challenge is None:
            return
        self.selected, self.template = challenge.id, None
        self.notify(challenge.title, title="Started and joined")
        self.app.data_changed()

    def action_leave(self) -> None:
        challenge = self.current()
        if challenge is not None:
            self.change(challenge, join=False)

    @work(group="challenges-change")
    async def change(self, challenge: schemas.Challenge, *, join: bool) -> None:
        def join_or_leave(client: RapportClient) -> Awaitable[schemas.Challenge]:
            if join:
                return client.join_challenge(challenge.id)
            return client.leave_challenge(challenge.id)

        if await call_service(self.app, "Challenge", join_or_leave) is None:
            return
        self.notify(challenge.title, title="Joined" if join else "Left")
        self.app.data_changed()
