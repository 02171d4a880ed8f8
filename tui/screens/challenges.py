"""Challenges: browse them (upcoming, active, ended), join or leave, see your progress and
the challenge's board, ten at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Label, OptionList, ProgressBar
from textual.widgets.option_list import Option

from shared import schemas
from tui.boards import PAGE_BINDINGS, PAGE_SIZE, BoardPages, board_lines
from tui.screens.base import DataScreen, call_service
from tui.widgets.app_header import AppHeader
from tui.widgets.plain_bar import plain_bar
from tui.wording import SERVICE_ERRORS

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from shared.client import RapportClient
    from tui.session import Session

STATUS_STYLE = {"active": "$success", "upcoming": "$warning", "ended": "$text-muted"}


def text_bar(progress: int, target: int, width: int = 10) -> str:
    """A bar of ``width`` cells, ``progress`` of ``target`` filled."""
    filled = 0 if target <= 0 else min(width, progress * width // target)
    return "█" * filled + "░" * (width - filled)


def challenge_row(challenge: schemas.Challenge) -> str:
    status = f"[{STATUS_STYLE[challenge.status]}]{challenge.status:<8}[/]"
    mine = challenge.my_progress
    if mine is None:
        tail = f"[dim]{challenge.participants} in[/dim]"
    else:
        done = " ✔" if mine.completed else ""
        tail = f"{text_bar(mine.progress, mine.target)} {mine.progress}/{mine.target}{done}"
    return f"{status} {challenge.title}  {tail}"


class ChallengesScreen(DataScreen):
    BINDINGS = [
        Binding("escape,backspace,h", "app.pop_screen", "Back"),
        Binding("j", "join", "Join"),
        Binding("l", "leave", "Leave"),
        *PAGE_BINDINGS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.challenges: list[schemas.Challenge] = []
        self.templates: list[schemas.CatalogChallenge] = []
        self.selected: UUID | None = None
        self.template: str | None = None
        self.pages = BoardPages()

    def compose(self) -> ComposeResult:
        yield AppHeader("Challenges")
        with Vertical(id="challenges-body"):
            with Vertical(id="challenge-list-card", classes="card") as card:
                card.border_title = "Challenges"
                yield OptionList(id="challenge-list")
            with Vertical(id="challenge-card", classes="card"):
                yield Label("", id="challenge-about")
                with Horizontal(id="challenge-progress-line"):
                    yield plain_bar("challenge-bar")
                    yield Label("", id="challenge-progress")
                yield Label("", id="challenge-board")
        yield Footer(compact=True)

    async def fetch(self, session: Session) -> None:
        page = await session.client.challenges(limit=100)
        catalog = await session.client.catalog_challenges()
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
            self.query_one("#challenge-about", Label).update("[dim]No challenges yet.[/dim]")
            return
        ids = [c.id for c in self.challenges]
        options.highlighted = ids.index(keep) if keep in ids else 0
        self.show_selected()

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
        card.border_title = challenge.title
        card.border_subtitle = self.subtitle(challenge)
        self.query_one("#challenge-about", Label).update(f"[dim]{challenge.description}[/dim]")
        mine = challenge.my_progress
        bar = self.query_one("#challenge-bar", ProgressBar)
        line = self.query_one("#challenge-progress-line")
        line.display = mine is not None
        if mine is not None:
            bar.update(total=max(1, mine.target), progress=min(mine.progress, mine.target))
            done = " ✔ done" if mine.completed else ""
            self.query_one("#challenge-progress", Label).update(
                f"{mine.progress}/{mine.target}{done}"
            )
        self.load_board(challenge.id)

    def subtitle(self, challenge: schemas.Challenge) -> str:
        dates = f"{challenge.starts_on:%d %b} to {challenge.ends_on:%d %b}"
        parts = [challenge.status, dates, f"{challenge.reward_points} pts", self.pages.caption()]
        return " · ".join(part for part in parts if part)

    def show_template(self, template: schemas.CatalogChallenge) -> None:
        card = self.query_one("#challenge-card")
        card.border_title = template.title
        card.border_subtitle = (
            f"catalog · {template.duration_days} days · {template.reward_points} pts"
        )
        self.query_one("#challenge-about", Label).update(f"[dim]{template.description}[/dim]")
        self.query_one("#challenge-progress-line").display = False
        self.query_one("#challenge-board", Label).update(
            "[dim]j starts this challenge from today and joins it.[/dim]"
        )

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
        self.query_one("#challenge-board", Label).update(board_lines(board, "days"))
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
