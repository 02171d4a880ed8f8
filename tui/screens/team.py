"""Team: your teams, the team board (week, month, all time; or around you), the weekly
team goal, and check-ins teammates asked you to confirm."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, OptionList, ProgressBar
from textual.widgets.option_list import Option

from shared import schemas
from tui.screens.challenges import board_lines
from tui.widgets.app_header import AppHeader
from tui.wording import SERVICE_ERRORS, error_text

if TYPE_CHECKING:
    from tui.app import RapportApp

PERIODS: list[schemas.BoardPeriod] = ["week", "month", "all"]
PERIOD_TITLE = {"week": "this week", "month": "this month", "all": "all time"}


class TeamScreen(Screen[None]):
    app: RapportApp

    BINDINGS = [
        Binding("escape,backspace,t", "app.pop_screen", "Back"),
        Binding("w", "period", "Week/month/all"),
        Binding("m", "around", "Around me"),
        Binding("y", "decide(True)", "Confirm"),
        Binding("n", "decide(False)", "Decline"),
        Binding("r", "reload", "Refresh", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.teams: list[schemas.Team] = []
        self.team_id: UUID | None = None
        self.period: schemas.BoardPeriod = "week"
        self.around = False
        self.pending: list[schemas.PendingConfirmation] = []

    def compose(self) -> ComposeResult:
        yield AppHeader("Team")
        with VerticalScroll(id="team-body"):
            with Vertical(id="teams-card", classes="card") as card:
                card.border_title = "Teams"
                yield OptionList(id="team-list")
                with Horizontal(id="goal-line"):
                    yield Label("Goal", id="goal-label")
                    yield ProgressBar(total=1, show_eta=False, show_percentage=False, id="goal-bar")
                    yield Label("", id="goal-text")
            with Vertical(id="team-board-card", classes="card"):
                yield Label("", id="team-board")
            with Vertical(id="confirm-card", classes="card -relationships") as card:
                card.border_title = "To confirm"
                yield OptionList(id="confirm-list")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.watch(self.app, "revision", self.action_reload, init=False)
        self.action_reload()

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="team-load")
    async def load(self) -> None:
        session = self.app.session
        if session is None:
            return
        try:
            teams = await session.client.teams()
            pending = await session.client.confirmations()
        except SERVICE_ERRORS as exc:
            self.app.service_failed(exc)
            return
        self.teams, self.pending = teams, pending
        team_list = self.query_one("#team-list", OptionList)
        team_list.clear_options()
        team_list.add_options(
            [Option(f"{t.name}  [dim]{t.member_count} members[/dim]", id=str(t.id)) for t in teams]
        )
        confirm_list = self.query_one("#confirm-list", OptionList)
        confirm_list.clear_options()
        confirm_list.add_options(
            [
                Option(
                    f"{p.from_.display_name}: {p.habit_title} [dim]{p.day:%d %b}[/dim]",
                    id=str(p.id),
                )
                for p in pending
            ]
        )
        self.query_one("#confirm-card").border_title = f"To confirm · {len(pending)}"
        if not teams:
            self.team_id = None
            self.query_one("#goal-line").display = False
            self.query_one("#team-board", Label).update("[dim]You are in no team yet.[/dim]")
            return
        ids = [t.id for t in teams]
        keep = self.team_id if self.team_id in ids else ids[0]
        team_list.highlighted = ids.index(keep)
        self.team_id = keep
        self.show_team()

    @on(OptionList.OptionHighlighted, "#team-list")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and UUID(event.option.id) != self.team_id:
            self.team_id = UUID(event.option.id)
            self.show_team()

    def current(self) -> schemas.Team | None:
        return next((t for t in self.teams if t.id == self.team_id), None)

    def show_team(self) -> None:
        team = self.current()
        if team is None:
            return
        goal = team.goal
        self.query_one("#goal-line").display = goal is not None
        if goal is not None:
            self.query_one("#goal-bar", ProgressBar).update(
                total=max(1, goal.target), progress=min(goal.progress, goal.target)
            )
            what = f" {goal.category}" if goal.category else ""
            self.query_one("#goal-text", Label).update(
                f"{goal.progress}/{goal.target}{what} check-ins this week"
            )
        self.load_board(team.id)

    @work(exclusive=True, group="team-board")
    async def load_board(self, team_id: UUID) -> None:
        session = self.app.session
        if session is None:
            return
        view = "around" if self.around else "page"
        try:
            board = await session.client.team_board(
                team_id, period=self.period, view=view, limit=10
            )
        except SERVICE_ERRORS as exc:
            self.app.service_failed(exc)
            return
        card = self.query_one("#team-board-card")
        card.border_title = f"Board · {PERIOD_TITLE[board.period]}"
        card.border_subtitle = "around me" if self.around else ""
        self.query_one("#team-board", Label).update(board_lines(board))

    def action_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)]
        if self.team_id is not None:
            self.load_board(self.team_id)

    def action_around(self) -> None:
        self.around = not self.around
        if self.team_id is not None:
            self.load_board(self.team_id)

    def action_decide(self, confirm: bool) -> None:
        confirm_list = self.query_one("#confirm-list", OptionList)
        index = confirm_list.highlighted
        if index is None and self.pending:
            index = 0
        if index is None or index >= len(self.pending):
            self.notify("Nothing to confirm.")
            return
        self.decide(self.pending[index], confirm)

    @work(group="team-decide")
    async def decide(self, pending: schemas.PendingConfirmation, confirm: bool) -> None:
        session = self.app.session
        if session is None:
            return
        try:
            outcome = await session.client.decide_confirmation(pending.id, confirm)
        except SERVICE_ERRORS as exc:
            self.notify(error_text(exc), title="Confirmation", severity="error")
            return
        who = pending.from_.display_name
        if outcome.status == "confirmed":
            self.notify(
                f"{who}: {pending.habit_title} · +{outcome.points_awarded} pts",
                title="✔ Confirmed",
            )
        else:
            self.notify(f"{who}: {pending.habit_title}", title="Declined")
        self.app.data_changed()
