"""Team: your teams, the team board (week, month, all time; or around you), the weekly
team goal, and check-ins teammates asked you to confirm. Start a team, join one with an
invite code, and (owners and admins) make an invite code to share."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Label, OptionList, ProgressBar
from textual.widgets.option_list import Option

from shared import schemas
from tui.boards import PAGE_BINDINGS, PAGE_SIZE, BoardPages, board_lines
from tui.screens.base import DataScreen, call_service
from tui.screens.team_dialogs import InviteScreen, JoinTeamScreen, NewTeamScreen
from tui.widgets.app_header import AppHeader
from tui.widgets.plain_bar import plain_bar
from tui.wording import SERVICE_ERRORS, members_text

if TYPE_CHECKING:
    from tui.session import Session

PERIODS: list[schemas.BoardPeriod] = ["week", "month", "all"]
PERIOD_TITLE = {"week": "this week", "month": "this month", "all": "all time"}
INVITERS = ("owner", "admin")


class TeamScreen(DataScreen):
    BINDINGS = [
        Binding("escape,backspace,t", "app.pop_screen", "Back"),
        Binding("w", "period", "Period"),
        Binding("m", "around", "Around me"),
        *PAGE_BINDINGS,
        Binding("y", "decide(True)", "Confirm"),
        Binding("n", "decide(False)", "Decline"),
        Binding("c", "create", "New team", show=False),
        Binding("j", "join", "Join with a code", show=False),
        Binding("i", "invite", "Invite code", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.teams: list[schemas.Team] = []
        self.team_id: UUID | None = None
        self.period: schemas.BoardPeriod = "week"
        self.pages = BoardPages()
        self.pending: list[schemas.PendingConfirmation] = []

    def compose(self) -> ComposeResult:
        yield AppHeader("Team")
        with VerticalScroll(id="team-body"):
            with Vertical(id="teams-card", classes="card") as card:
                card.border_title = "Teams"
                yield OptionList(id="team-list")
                with Horizontal(id="goal-line"):
                    yield Label("Goal", id="goal-label")
                    yield plain_bar("goal-bar")
                    yield Label("", id="goal-text")
                yield Label("", id="team-keys")
            with Vertical(id="team-board-card", classes="card"):
                yield Label("", id="team-board")
            with Vertical(id="confirm-card", classes="card -relationships") as card:
                card.border_title = "To confirm"
                yield OptionList(id="confirm-list")
        yield Footer(compact=True)

    async def fetch(self, session: Session) -> None:
        teams = await session.client.teams()
        pending = await session.client.confirmations()
        self.teams, self.pending = teams, pending
        team_list = self.query_one("#team-list", OptionList)
        team_list.clear_options()
        team_list.add_options(
            [
                Option(f"{t.name}  [dim]{members_text(t.member_count)}[/dim]", id=str(t.id))
                for t in teams
            ]
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
            self.query_one("#team-keys", Label).update(
                "[b]c[/b] start a team · [b]j[/b] join one with an invite code"
            )
            card = self.query_one("#team-board-card")
            card.border_title = card.border_subtitle = ""
            self.query_one("#team-board", Label).update("[dim]You are in no team yet.[/dim]")
            return
        ids = [t.id for t in teams]
        keep = self.team_id if self.team_id in ids else ids[0]
        team_list.highlighted = ids.index(keep)
        if keep != self.team_id:
            self.pages.reset()
        self.team_id = keep
        self.show_team()

    @on(OptionList.OptionHighlighted, "#team-list")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and UUID(event.option.id) != self.team_id:
            self.team_id = UUID(event.option.id)
            self.pages.reset()
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
        invite = " · [b]i[/b] invite code" if team.my_role in INVITERS else ""
        self.query_one("#team-keys", Label).update(
            f"[dim]you are {team.my_role}[/dim] · [b]c[/b] new team · [b]j[/b] join{invite}"
        )
        self.load_board(team.id)

    @work(exclusive=True, group="team-board")
    async def load_board(self, team_id: UUID) -> None:
        session = self.app.session
        if session is None:
            return
        try:
            board = await session.client.team_board(
                team_id,
                period=self.period,
                view=self.pages.view,
                limit=PAGE_SIZE,
                cursor=self.pages.cursor,
            )
        except SERVICE_ERRORS as exc:
            self.app.service_failed(exc)
            return
        if team_id != self.team_id:
            return
        self.pages.loaded(board)
        card = self.query_one("#team-board-card")
        card.border_title = f"Board · {PERIOD_TITLE[board.period]}"
        card.border_subtitle = self.pages.caption()
        self.query_one("#team-board", Label).update(board_lines(board))

    def action_period(self) -> None:
        self.period = PERIODS[(PERIODS.index(self.period) + 1) % len(PERIODS)]
        self.pages.reset()
        if self.team_id is not None:
            self.load_board(self.team_id)

    def action_around(self) -> None:
        self.pages.toggle_around()
        if self.team_id is not None:
            self.load_board(self.team_id)

    def action_page(self, step: int) -> None:
        if self.team_id is None:
            return
        refusal = self.pages.step(step)
        if refusal:
            self.notify(refusal)
            return
        self.load_board(self.team_id)

    # -- confirmations -------------------------------------------------------------------

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
        outcome = await call_service(
            self.app,
            "Confirmation",
            lambda client: client.decide_confirmation(pending.id, confirm),
        )
        if outcome is None:
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

    # -- starting, joining and inviting --------------------------------------------------

    def action_create(self) -> None:
        def answered(body: schemas.TeamCreate | None) -> None:
            if body is not None:
                self.create(body)

        self.app.push_screen(NewTeamScreen(), answered)

    @work(group="team-change")
    async def create(self, body: schemas.TeamCreate) -> None:
        team = await call_service(
            self.app, "Team not created", lambda client: client.create_team(body)
        )
        if team is None:
            return
        self.show_new(team)
        self.notify(f"{team.name}: press i for a code to invite the others.", title="New team")

    def action_join(self) -> None:
        def answered(code: str | None) -> None:
            if code:
                self.join(code)

        self.app.push_screen(JoinTeamScreen(), answered)

    @work(group="team-change")
    async def join(self, code: str) -> None:
        membership = await call_service(
            self.app, "Not joined", lambda client: client.join_team(code)
        )
        if membership is None:
            return
        self.show_new(membership.team)
        self.notify(membership.team.name, title="Joined")

    def show_new(self, team: schemas.Team) -> None:
        """Highlight ``team`` once the screens have reloaded."""
        self.team_id = team.id
        self.pages.reset()
        self.app.data_changed()

    def action_invite(self) -> None:
        team = self.current()
        if team is None:
            self.notify("Start a team first (c), or join one (j).")
        elif team.my_role not in INVITERS:
            self.notify("Only the team's owner or an admin can make invite codes.")
        else:
            self.invite(team)

    @work(group="team-change")
    async def invite(self, team: schemas.Team) -> None:
        invite = await call_service(
            self.app, "No invite", lambda client: client.create_invite(team.id)
        )
        if invite is None:
            return
        await self.app.push_screen(InviteScreen(team, invite))
