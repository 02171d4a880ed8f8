"""The Team screen: start a team, join one with a code, make an invite code, and page
through the team and challenge boards, against a real server."""

from __future__ import annotations

import asyncio

from textual.widgets import Input, Label, OptionList

from shared import schemas
from shared.client import RapportClient
from tests.tui.conftest import PASSWORD, MakeApp, Profile, ready, server_client, settle
from tui.app import RapportApp
from tui.screens.challenges import ChallengesScreen
from tui.screens.team import TeamScreen
from tui.screens.team_dialogs import InviteScreen, JoinTeamScreen, NewTeamScreen


def team_screen(app: RapportApp) -> TeamScreen:
    screen = app.screen
    assert isinstance(screen, TeamScreen)
    return screen


def board_names(label: Label) -> list[str]:
    """The names on a board, in order (a line is ``  1. Name   points pts``)."""
    return [line.split(". ", 1)[1][:20].strip() for line in str(label.render()).splitlines()]


def notified(app: RapportApp, text: str) -> bool:
    return any(text in n.message for n in app._notifications)


async def register(app: RapportApp, handle: str, name: str) -> RapportClient:
    assert app.session is not None
    client = RapportClient(http=app.session.client.http)
    await client.register(
        schemas.RegisterRequest(handle=handle, password=PASSWORD, display_name=name)
    )
    return client


async def test_create_a_team(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await ready(pilot, "TeamScreen")
        screen = team_screen(app)
        assert "no team yet" in str(screen.query_one("#team-board", Label).render())
        assert "start a team" in str(screen.query_one("#team-keys", Label).render())

        await pilot.press("c")
        await ready(pilot, "NewTeamScreen")
        await pilot.press("enter")  # no name yet: the dialog stays and says why
        await settle(pilot)
        assert isinstance(app.screen, NewTeamScreen)
        assert "needs a name" in str(app.screen.query_one("#team-form-error", Label).render())

        await pilot.press(*"Crew", "tab", *"12", "enter")
        await ready(pilot, "TeamScreen")
        assert [(t.name, t.my_role) for t in screen.teams] == [("Crew", "owner")]
        listed = str(screen.query_one("#team-list", OptionList).get_option_at_index(0).prompt)
        assert "1 member" in listed  # issue 19, defect 15: not "1 members"
        assert "1 members" not in listed
        assert "0/12 check-ins this week" in str(screen.query_one("#goal-text", Label).render())
        assert screen.query_one("#team-board-card").border_title == "Board · this week"
        assert "Nobody on this board yet" in str(screen.query_one("#team-board", Label).render())
        assert "i invite code" in str(screen.query_one("#team-keys", Label).render())

        ana = await server_client(app)
        [team] = await ana.teams()
        assert team.name == "Crew"
        assert team.goal is not None
        assert team.goal.target == 12


async def test_join_a_team_with_an_invite_code(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        bob = await register(app, "bob", "Bob")
        team = await bob.create_team(schemas.TeamCreate(name="Bob's band"))
        invite = await bob.create_invite(team.id)

        await pilot.press("t")
        await ready(pilot, "TeamScreen")
        screen = team_screen(app)
        await pilot.press("j")
        await ready(pilot, "JoinTeamScreen")
        await pilot.press(*"wrong-code", "enter")
        await settle(pilot)
        # The dialog stays open with the server's reason, so the code can be fixed.
        assert isinstance(app.screen, JoinTeamScreen)
        reason = str(app.screen.query_one("#join-error", Label).render())
        assert "unknown, revoked or expired" in reason
        assert screen.teams == []
        app.screen.query_one("#invite-code", Input).value = invite.code
        await pilot.press("enter")
        await ready(pilot, "TeamScreen")
        assert [(t.name, t.my_role, t.member_count) for t in screen.teams] == [
            ("Bob's band", "member", 2)
        ]
        assert [t.member_count for t in await bob.teams()] == [2]
        # A member makes no invite codes: only the owner and admins do.
        assert "invite" not in str(screen.query_one("#team-keys", Label).render())
        await pilot.press("i")
        await settle(pilot)
        assert notified(app, "Only the team's owner or an admin")
        assert app.screen is screen


async def test_an_owner_makes_an_invite_code_that_lets_someone_join(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        await ana.create_team(schemas.TeamCreate(name="Crew"))
        await pilot.press("t")
        await ready(pilot, "TeamScreen")
        screen = team_screen(app)

        await pilot.press("i")
        await ready(pilot, "InviteScreen")
        dialog = app.screen
        assert isinstance(dialog, InviteScreen)
        code = str(dialog.query_one("#invite-code-shown", Label).render())
        assert code == dialog.invite.code
        assert dialog.query_one("#invite-box").border_title == "Invite to Crew"
        await pilot.press("escape")
        await ready(pilot, "TeamScreen")

        cleo = await register(app, "cleo", "Cleo")
        membership = await cleo.join_team(code)
        assert membership.team.name == "Crew"
        await pilot.press("r")
        await settle(pilot)
        assert [t.member_count for t in screen.teams] == [2]


async def test_team_and_challenge_boards_page_through_the_cursor(
    make_app: MakeApp, profile: Profile
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        team = await ana.create_team(schemas.TeamCreate(name="Crew"))
        invite = await ana.create_invite(team.id)
        challenge = await ana.create_challenge(
            schemas.ChallengeCreate(template="promise-keeper-week")
        )
        await ana.join_challenge(challenge.id)
        await ana.check_in(profile.habits["deliver-on-a-promise"], schemas.CheckInCreate())

        async def teammate(n: int) -> None:
            mate = await register(app, f"mate{n:02d}", f"Mate {n:02d}")
            await mate.join_team(invite.code)
            await mate.join_challenge(challenge.id)
            habit = await mate.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
            await mate.check_in(habit.id, schemas.CheckInCreate())

        await asyncio.gather(*(teammate(n) for n in range(11)))
        everyone = {"Ana", *(f"Mate {n:02d}" for n in range(11))}

        await pilot.press("t")
        await ready(pilot, "TeamScreen")
        screen = team_screen(app)
        board = screen.query_one("#team-board", Label)
        card = screen.query_one("#team-board-card")
        first = board_names(board)
        assert len(first) == 10
        assert card.border_subtitle == "] more"

        await pilot.press("right_square_bracket")
        await settle(pilot)
        second = board_names(board)
        assert len(second) == 2
        assert set(first) | set(second) == everyone
        assert card.border_subtitle == "page 2 · [ back"
        await pilot.press("right_square_bracket")  # the last page: nothing more
        await settle(pilot)
        assert notified(app, "This is the last page.")
        assert board_names(board) == second

        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert board_names(board) == first
        assert card.border_subtitle == "] more"

        # Around me has no pages; m goes back to the first page of the whole board.
        await pilot.press("right_square_bracket", "m")
        await settle(pilot)
        assert card.border_subtitle == "around me"
        assert "Ana" in board_names(board)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert card.border_subtitle == "around me"
        await pilot.press("m")
        await settle(pilot)
        assert board_names(board) == first

        await pilot.press("escape", "h")
        await ready(pilot, "ChallengesScreen")
        challenges = app.screen
        assert isinstance(challenges, ChallengesScreen)
        assert challenges.selected == challenge.id
        challenge_board = challenges.query_one("#challenge-board", Label)
        top = board_names(challenge_board)
        assert len(top) == 10
        assert "] more" in str(challenges.query_one("#challenge-card").border_subtitle)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        rest = board_names(challenge_board)
        assert set(top) | set(rest) == everyone
        assert len(rest) == 2
        assert "page 2" in str(challenges.query_one("#challenge-card").border_subtitle)
