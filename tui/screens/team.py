"""Team: your teams, the team board (week, month, all time; or around you), the weekly
team goal, and check-ins teammates asked you to confirm. Start a team, join one with an
invite code, and (owners and admins) make an invite code to share."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

import httpx
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.widgets import Footer, Label, OptionList, ProgressBar
from textual.widgets.option_list import Option

from shared import schemas
from tui.boards import PAGE_BINDINGS, PAGE_SIZE, BoardPages, FitText, board_lines, clip
from tui.screens.base import DataScreen, call_service
from tui.screens.team_dialogs import InviteScreen, JoinTeamScreen, NewTeamScreen
from tui.widgets.app_header import AppHeader
from tui.widgets.plain_bar import plain_bar
from tui.wording import SERVICE_ERRORS, error_text, members_text

if TYPE_CHECKING:
    from tui.session import Session

PERIODS: list[schemas.BoardPeriod] = ["week", "month", "all"]
PERIOD_TITLE = {"week": "this week", "month": "this month", "all": "all time"}
INVITERS = ("owner", "admin")
# Longer team names are cut (with "…") so the member count still shows.
TEAM_NAME_WIDTH = 48
# The subtitle of a card whose data the last load could not refresh.
NOT_LIVE = "not live · offline"
# The board keys: they do something only when a team is shown.
BOARD_ACTIONS = ("period", "around", "page")


def unreachable(exc: BaseException) -> bool:
    """True when ``exc`` says the server could not be reached (not that it refused)."""
    return isinstance(exc, httpx.TransportError)


class TeamScreen(DataScreen):
    BINDINGS = [
        Binding("escape,backspace,t", "app.pop_screen", "Back", id="team.back"),
        Binding("w", "period", "Period", id="team.period"),
        Binding("m", "around", "Around me", id="team.around_me"),
        *PAGE_BINDINGS,
        Binding("y", "decide(True)", "Confirm", id="team.confirm"),
        Binding("n", "decide(False)", "Decline", id="team.decline"),
        Binding("c", "create", "New team", show=False, id="team.new_team"),
        Binding("j", "join", "Join with a code", show=False, id="team.join_with_a_code"),
        Binding("i", "invite", "Invite code", show=False, id="team.invite_code"),
    ]
    AUTO_FOCUS = "#team-list"

    def __init__(self) -> None:
        super().__init__()
        self.teams: list[schemas.Team] = []
        self.team_id: UUID | None = None
        self.period: schemas.BoardPeriod = "week"
        self.pages = BoardPages()
        self.pending: list[schemas.PendingConfirmation] = []
        # Whether the server has answered once (what is shown is its data), and which
        # board is shown: (team, period, view, cursor).
        self.answered = False
        self.board_shown: tuple[UUID, str, str, str | None] | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader("Team")
        body = VerticalScroll(id="team-body")
        body.can_focus = False  # the arrow keys move in the team list, not the page
        with body:
            with Vertical(id="teams-card", classes="card") as card:
                card.border_title = "Teams"
                yield OptionList(id="team-list")
                with Horizontal(id="goal-line") as line:
                    line.display = False
                    yield Label("Goal", id="goal-label")
                    yield plain_bar("goal-bar")
                    yield Label("", id="goal-text")
                yield Label("[dim]Loading your teams…[/dim]", id="team-keys")
            with Vertical(id="team-board-card", classes="card") as card:
                card.display = False
                yield FitText(id="team-board")
            with Vertical(id="confirm-card", classes="card -relationships") as card:
                card.display = False
                card.border_title = "To confirm"
                yield OptionList(id="confirm-list")
                yield Label("", id="confirm-note")
        yield Footer(compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Only the keys that do something now show in the footer."""
        if action in BOARD_ACTIONS:
            return self.team_id is not None
        if action == "decide":
            return bool(self.pending)
        return True

    async def fetch(self, session: Session) -> None:
        try:
            teams = await session.client.teams()
            pending = await session.client.confirmations()
        except SERVICE_ERRORS as exc:
            self.show_unreachable(exc)
            raise  # reported by the app, as every failed load is
        self.answered = True
        self.teams, self.pending = teams, pending
        self.query_one("#teams-card").border_subtitle = ""
        self.query_one("#team-board-card").display = True
        self.show_pending()
        team_list = self.query_one("#team-list", OptionList)
        team_list.clear_options()
        team_list.add_options(
            [
                Option(
                    f"{escape(clip(t.name, TEAM_NAME_WIDTH))}"
                    f"  [dim]{members_text(t.member_count)}[/dim]",
                    id=str(t.id),
                )
                for t in teams
            ]
        )
        if not teams:
            self.team_id = None
            self.board_shown = None
            self.query_one("#goal-line").display = False
            self.query_one("#team-keys", Label).update(
                "[b]c[/b] start a team · [b]j[/b] join one with an invite code"
            )
            card = self.query_one("#team-board-card")
            card.border_title = card.border_subtitle = ""
            self.query_one("#team-board", FitText).update("[dim]You are in no team yet.[/dim]")
            self.refresh_bindings()
            return
        ids = [t.id for t in teams]
        keep = self.team_id if self.team_id in ids else ids[0]
        team_list.highlighted = ids.index(keep)
        if keep != self.team_id:
            self.pages.reset()
        self.team_id = keep
        self.show_team()
        self.refresh_bindings()

    def show_pending(self) -> None:
        confirm_list = self.query_one("#confirm-list", OptionList)
        confirm_list.clear_options()
        confirm_list.add_options(
            [
                Option(
                    f"{escape(p.from_.display_name)}: {escape(p.habit_title)}"
                    f" [dim]{p.day:%d %b}[/dim]",
                    id=str(p.id),
                )
                for p in self.pending
            ]
        )
        confirm_list.display = bool(self.pending)
        note = self.query_one("#confirm-note", Label)
        note.display = not self.pending
        note.update("[dim]No check-ins wait for you to confirm them.[/dim]")
        card = self.query_one("#confirm-card")
        card.display = True
        card.border_title = f"To confirm · {len(self.pending)}"
        card.border_subtitle = ""

    def show_unreachable(self, exc: BaseException) -> None:
        """A load failed: keep what the server said before, marked as not live; with
        nothing from it yet, say the teams cannot be loaded (never empty bars or zeros)."""
        offline = unreachable(exc)
        if self.answered:
            subtitle = NOT_LIVE if offline else "not live"
            for card in ("#teams-card", "#team-board-card", "#confirm-card"):
                self.query_one(card).border_subtitle = subtitle
            return
        if offline:
            why = "[b]Offline[/b]: your teams cannot be loaded until the server answers."
        else:
            why = f"Your teams could not be loaded: {escape(error_text(exc))}"
        self.query_one("#teams-card").border_subtitle = "offline" if offline else ""
        self.query_one("#team-keys", Label).update(why)
        self.query_one("#goal-line").display = False
        self.query_one("#team-board-card").display = False
        self.query_one("#confirm-card").display = False
        self.refresh_bindings()

    @on(OptionList.OptionHighlighted, "#team-list")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and UUID(event.option.id) != self.team_id:
            self.team_id = UUID(event.option.id)
            self.pages.reset()
            self.show_team()
            self.refresh_bindings()

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

    def board_key(self, team_id: UUID) -> tuple[UUID, str, str, str | None]:
        return (team_id, self.period, self.pages.view, self.pages.cursor)

    @work(exclusive=True, group="team-board")
    async def load_board(self, team_id: UUID) -> None:
        session = self.app.session
        if session is None:
            return
        card = self.query_one("#team-board-card")
        label = self.query_one("#team-board", FitText)
        if self.board_shown is None or self.board_shown[0] != team_id:
            card.border_title = f"Board · {PERIOD_TITLE[self.period]}"
            card.border_subtitle = ""
            label.update("[dim]Loading the board…[/dim]")
        key = self.board_key(team_id)
        try:
            board = await session.client.team_board(
                team_id,
                period=self.period,
                view=self.pages.view,
                limit=PAGE_SIZE,
                cursor=self.pages.cursor,
            )
        except SERVICE_ERRORS as exc:
            if team_id == self.team_id:
                self.board_failed(key, exc)
            self.app.service_failed(exc)
            return
        if team_id != self.team_id:
            return
        self.pages.loaded(board)
        self.board_shown = key
        card.border_title = f"Board · {PERIOD_TITLE[board.period]}"
        card.border_subtitle = self.pages.caption()
        label.update(board_lines(board))

    def board_failed(self, key: tuple[UUID, str, str, str | None], exc: BaseException) -> None:
        """The board shown stays, marked as not live, when it is the one asked for;
        otherwise the board says it cannot be loaded."""
        card = self.query_one("#team-board-card")
        offline = unreachable(exc)
        if self.board_shown == key:
            card.border_subtitle = NOT_LIVE if offline else "not live"
            return
        self.board_shown = None
        card.border_title = f"Board · {PERIOD_TITLE[self.period]}"
        card.border_subtitle = "offline" if offline else ""
        why = (
            "The board cannot be loaded while offline."
            if offline
            else f"The board could not be loaded: {escape(error_text(exc))}"
        )
        self.query_one("#team-board", FitText).update(f"[dim]{why}[/dim]")

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
        def answered(membership: schemas.Membership | None) -> None:
            if membership is not None:
                self.show_new(membership.team)
                self.notify(membership.team.name, title="Joined")

        self.app.push_screen(JoinTeamScreen(), answered)

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
