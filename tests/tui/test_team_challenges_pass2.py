"""Team and Challenges, second pass: the team list takes the arrow keys at once, the
challenge card shares its height (the description wraps and ends with "…" where it is
cut), offline and loading are said rather than drawn as zeros, a wrong invite code keeps
the Join dialog open, a left challenge shows as not joined, the footer offers only keys
that work, and cut names end with "…"."""

from __future__ import annotations

import asyncio

from textual.widgets import Input, Label, OptionList
from textual.widgets._footer import FooterKey

from shared import schemas
from tests.tui.conftest import MakeApp, Network, ready, server_client, settle
from tests.tui.test_team import register
from tui.app import RapportApp
from tui.boards import FitText
from tui.connect import Connector
from tui.screens.challenges import ChallengesScreen
from tui.screens.team import TeamScreen
from tui.screens.team_dialogs import JoinTeamScreen

LONG_DESCRIPTION = " ".join(
    ["Keep one small promise to a colleague every workday and write down which one."] * 6
)


def team_screen(app: RapportApp) -> TeamScreen:
    screen = app.screen
    assert isinstance(screen, TeamScreen)
    return screen


def challenges_screen(app: RapportApp) -> ChallengesScreen:
    screen = app.screen
    assert isinstance(screen, ChallengesScreen)
    return screen


def shown(widget: Label) -> list[str]:
    """The lines a label shows now (cut to its box)."""
    return str(widget.render()).splitlines()


def footer_keys(app: RapportApp) -> set[str]:
    return {
        key.description for key in app.screen.query(FooterKey) if not key.has_class("-disabled")
    }


def option_text(options: OptionList, index: int) -> str:
    """What row ``index`` of an option list shows, as drawn."""
    return options.render_line(index).text.rstrip()


async def test_arrow_keys_move_the_team_highlight_right_after_a_new_team(
    make_app: MakeApp,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        for name in ("Alpha", "Beta", "Gamma"):
            await ana.create_team(schemas.TeamCreate(name=name))
        await pilot.press("t")
        await ready(pilot, "TeamScreen")
        screen = team_screen(app)

        await pilot.press("c")
        await ready(pilot, "NewTeamScreen")
        await pilot.press(*"Zeta", "enter")
        await ready(pilot, "TeamScreen")
        team_list = screen.query_one("#team-list", OptionList)
        assert [t.name for t in screen.teams][team_list.highlighted or 0] == "Zeta"

        await pilot.press("up", "up", "up")
        await settle(pilot)
        assert team_list.highlighted == 0
        current = screen.current()
        assert current is not None
        assert current.name == "Alpha"
        assert "you are owner" in str(screen.query_one("#team-keys", Label).render())
        await pilot.press("down")
        await settle(pilot)
        assert screen.current() is not None
        assert screen.current().name == "Beta"  # type: ignore[union-attr]


async def test_the_challenge_list_takes_its_rows_and_the_description_the_rest(
    demo_connector: Connector,
) -> None:
    app = RapportApp(demo_connector, sync_interval=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        created = await ana.create_challenge(
            schemas.ChallengeCreate(
                title="Promise log",
                description=LONG_DESCRIPTION,
                goal=schemas.ChallengeGoalSpec(target=5, category="results"),
            )
        )
        await pilot.press("h")
        await ready(pilot, "ChallengesScreen")
        screen = challenges_screen(app)
        options = screen.query_one("#challenge-list", OptionList)
        for index in range(options.option_count):  # go to the long one
            if options.get_option_at_index(index).id == str(created.id):
                options.highlighted = index
        await settle(pilot)
        assert screen.selected == created.id

        # The list: its rows and the card's border, no more.
        list_card = screen.query_one("#challenge-list-card")
        assert list_card.outer_size.height == options.option_count + 2
        about = screen.query_one("#challenge-about", FitText)
        words = LONG_DESCRIPTION.split()
        # 80x24: the description gets the rest of the height, all of it wrapped on words.
        assert " ".join(shown(about)).split() == words

        # Smaller: wrapped on words, cut with "…".
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        small = shown(about)
        assert 2 <= len(small) < about.needed(about.content_size.width)
        assert small[-1].endswith("…")
        kept = " ".join(small).removesuffix("…").split()
        assert kept == words[: len(kept)]
        assert all(len(line) <= about.content_size.width for line in small)

        # Larger: it grows with the terminal.
        await pilot.resize_terminal(160, 48)
        await settle(pilot)
        big = shown(about)
        assert " ".join(big).split() == words
        assert not big[-1].endswith("…")
        assert max(len(line) for line in big) > 76


async def test_the_team_screen_says_loading_offline_and_empty_instead_of_zeros(
    make_app: MakeApp, network: Network
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        await ana.create_team(schemas.TeamCreate(name="Crew", goal=schemas.TeamGoalSpec(target=9)))

        # Before the first answer: a loading line, no bars, no counts.
        network.gate = asyncio.Event()
        await pilot.press("t")
        for _ in range(100):
            await pilot.pause(0.01)
            if isinstance(app.screen, TeamScreen):
                break
        screen = team_screen(app)
        await pilot.pause(0.05)
        assert "Loading your teams" in str(screen.query_one("#team-keys", Label).render())
        assert not screen.query_one("#goal-line").display
        assert not screen.query_one("#confirm-card").display
        network.gate.set()
        network.gate = None
        await settle(pilot)
        assert "0/9 check-ins this week" in str(screen.query_one("#goal-text", Label).render())

        # Offline after an answer: what was loaded stays, marked as not live.
        network.up = False
        await pilot.press("r")
        await settle(pilot)
        assert screen.query_one("#teams-card").border_subtitle == "not live · offline"
        assert screen.query_one("#team-board-card").border_subtitle == "not live · offline"
        assert [t.name for t in screen.teams] == ["Crew"]
        await pilot.press("escape")
        await ready(pilot)

        # Offline with nothing loaded: said in words, no empty bar, no "To confirm · 0".
        await pilot.press("t")
        await ready(pilot, "TeamScreen")
        screen = team_screen(app)
        keys = str(screen.query_one("#team-keys", Label).render())
        assert "Offline" in keys
        assert "cannot be loaded" in keys
        assert screen.query_one("#teams-card").border_subtitle == "offline"
        assert not screen.query_one("#goal-line").display
        assert not screen.query_one("#team-board-card").display
        assert not screen.query_one("#confirm-card").display
        assert "Period" not in footer_keys(app)


async def test_the_empty_team_screen_says_so_and_offers_only_working_keys(
    make_app: MakeApp,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await ready(pilot, "TeamScreen")
        screen = team_screen(app)
        keys = footer_keys(app)
        assert "Back" in keys
        assert not keys & {"Period", "Around me", "More", "Confirm", "Decline"}
        assert "no team yet" in str(screen.query_one("#team-board", Label).render())
        note = screen.query_one("#confirm-note", Label)
        assert note.display
        assert "No check-ins wait" in str(note.render())

        # With a team, the board keys work and show; confirming still has nothing to do.
        ana = await server_client(app)
        await ana.create_team(schemas.TeamCreate(name="Crew"))
        await pilot.press("r")
        await settle(pilot)
        keys = footer_keys(app)
        assert {"Period", "Around me", "More"} <= keys
        assert not keys & {"Confirm", "Decline"}


async def test_a_wrong_invite_code_keeps_the_join_dialog_open_with_the_reason(
    make_app: MakeApp,
) -> None:
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
        dialog = app.screen
        assert isinstance(dialog, JoinTeamScreen)
        await pilot.press(*"wrong-code", "enter")
        await settle(pilot)
        assert app.screen is dialog
        assert "unknown, revoked or expired" in str(dialog.query_one("#join-error", Label).render())
        assert dialog.query_one("#invite-code", Input).value == "wrong-code"

        dialog.query_one("#invite-code", Input).value = invite.code
        await pilot.press("enter")
        await ready(pilot, "TeamScreen")
        assert [t.name for t in screen.teams] == ["Bob's band"]


async def test_a_left_challenge_shows_as_not_joined(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        challenge = await ana.create_challenge(
            schemas.ChallengeCreate(template="promise-keeper-week")
        )
        await pilot.press("h")
        await ready(pilot, "ChallengesScreen")
        screen = challenges_screen(app)
        options = screen.query_one("#challenge-list", OptionList)
        assert screen.selected == challenge.id
        never = str(options.get_option_at_index(0).prompt)
        assert "not joined" in never
        assert "0 in" not in never
        assert "Leave" not in footer_keys(app)

        await pilot.press("j")
        await settle(pilot)
        assert "Leave" in footer_keys(app)
        assert "not joined" not in str(options.get_option_at_index(0).prompt)
        await pilot.press("l")
        await settle(pilot)
        left = str(options.get_option_at_index(0).prompt)
        assert "not joined" in left
        assert "0 in" not in left
        assert "not joined" in str(screen.query_one("#challenge-card").border_subtitle)
        assert "Join" in footer_keys(app)
        assert "Leave" not in footer_keys(app)


async def test_cut_names_end_with_an_ellipsis(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        team = await ana.create_team(schemas.TeamCreate(name="The " + "very " * 12 + "long team"))
        invite = await ana.create_invite(team.id)
        mate = await register(app, "mate", "Maximilian Alexander Featherstonehaugh")
        await mate.join_team(invite.code)
        habit = await mate.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
        await mate.check_in(habit.id, schemas.CheckInCreate())

        await pilot.press("t")
        await ready(pilot, "TeamScreen")
        screen = team_screen(app)
        team_row = option_text(screen.query_one("#team-list", OptionList), 0)
        # The name is cut (with "…") so the member count still shows.
        assert team_row.startswith("The very very")
        assert "… " in team_row
        assert team_row.endswith("2 members")
        assert "long team" not in team_row
        board = shown(screen.query_one("#team-board", Label))
        mate_row = next(line for line in board if "Maximilian" in line)
        assert "Maximilian Alexande… " in mate_row
        assert "Featherstonehaugh" not in mate_row
