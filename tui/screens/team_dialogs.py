"""The Team screen's dialogs: start a team, join one with an invite code, and show a new
invite's code so it can be shared."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from shared import schemas
from tui.wording import SERVICE_ERRORS, error_text

if TYPE_CHECKING:
    from tui.app import RapportApp


class NewTeamScreen(ModalScreen[schemas.TeamCreate | None]):
    BINDINGS = [("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "New team"
            yield Label(
                "You will be its owner and can invite the others with a code.",
                classes="dialog-text",
            )
            yield Input(placeholder="Team name", max_length=80, id="team-name")
            yield Input(
                placeholder="Weekly goal: check-ins by the whole team (optional)",
                type="integer",
                max_length=6,
                id="team-goal",
            )
            yield Label("", id="team-form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Create", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        name = self.query_one("#team-name", Input).value.strip()
        goal = self.query_one("#team-goal", Input).value.strip()
        if not name:
            self.query_one("#team-form-error", Label).update("The team needs a name.")
            self.query_one("#team-name", Input).focus()
            return
        target = int(goal) if goal else 0
        spec = schemas.TeamGoalSpec(target=target) if target > 0 else None
        self.dismiss(schemas.TeamCreate(name=name, goal=spec))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class JoinTeamScreen(ModalScreen[schemas.Membership | None]):
    """Asks the server to join with the code typed; a code it refuses leaves the dialog
    open with the server's reason, so the code can be fixed. Answers the membership."""

    app: RapportApp

    BINDINGS = [("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = "Join a team"
            yield Label("Type the invite code a teammate shared with you.", classes="dialog-text")
            yield Input(placeholder="Invite code", max_length=64, id="invite-code")
            yield Label("", id="join-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Join", variant="primary", id="ok")
                yield Button("Cancel", id="cancel")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def submit(self) -> None:
        code = self.query_one("#invite-code", Input).value.strip()
        if len(code) < 4:
            self.query_one("#join-error", Label).update("An invite code has 4 characters or more.")
            return
        self.join(code)

    @work(exclusive=True, group="join-team")
    async def join(self, code: str) -> None:
        session = self.app.session
        if session is None:
            return
        error = self.query_one("#join-error", Label)
        button = self.query_one("#ok", Button)
        error.update("[dim]Joining…[/dim]")
        button.disabled = True
        try:
            membership = await session.client.join_team(code)
        except SERVICE_ERRORS as exc:
            if getattr(exc, "status", None) == 401:  # the login lapsed: the app asks again
                self.dismiss(None)
                self.app.service_failed(exc)
                return
            error.update(error_text(exc))
            button.disabled = False
            self.query_one("#invite-code", Input).focus()
            return
        self.dismiss(membership)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class InviteScreen(ModalScreen[None]):
    """A new invite's code: the server shows it only once."""

    BINDINGS = [("escape", "close", "Close"), ("c", "copy", "Copy")]

    def __init__(self, team: schemas.Team, invite: schemas.Invite) -> None:
        super().__init__()
        self.team = team
        self.invite = invite

    def compose(self) -> ComposeResult:
        expires = self.invite.expires_at.astimezone()
        with Vertical(classes="dialog", id="invite-box") as box:
            box.border_title = f"Invite to {self.team.name}"
            yield Label(self.invite.code, id="invite-code-shown")
            yield Label(
                f"Share this code: on the Team screen they press j and type it. It works "
                f"until {expires:%a} {expires.day} {expires:%b %H:%M}, for anyone who has "
                "it, and is shown only now.",
                classes="dialog-text",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Copy", variant="primary", id="copy")
                yield Button("Close", id="close")

    @on(Button.Pressed, "#copy")
    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.invite.code)
        self.notify("The invite code is on the clipboard.", title="Copied")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss()
