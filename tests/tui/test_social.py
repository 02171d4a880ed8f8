"""Challenges and Team: join a challenge and watch it move, switch the team board's
period, and confirm a teammate's check-in, against a real server."""

from __future__ import annotations

from textual.widgets import Label, OptionList, ProgressBar

from shared import schemas
from shared.client import RapportClient
from tests.tui.conftest import PASSWORD, MakeApp, Profile, ready, server_client, settle
from tui.app import RapportApp
from tui.connect import Connector
from tui.screens.challenges import ChallengesScreen
from tui.screens.team import TeamScreen


async def test_join_a_challenge_and_see_progress_after_a_check_in(
    make_app: MakeApp, profile: Profile
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        started = await ana.create_challenge(
            schemas.ChallengeCreate(template="promise-keeper-week")
        )

        await pilot.press("h")
        await ready(pilot, "ChallengesScreen")
        screen = app.screen
        assert isinstance(screen, ChallengesScreen)
        assert screen.selected == started.id
        assert "active" in str(
            screen.query_one("#challenge-list", OptionList).get_option_at_index(0).prompt
        )

        await pilot.press("j")
        await settle(pilot)
        assert screen.current() is not None
        mine = screen.current().my_progress  # type: ignore[union-attr]
        assert mine is not None
        assert (mine.progress, mine.target) == (0, 5)

        await ana.check_in(profile.habits["deliver-on-a-promise"], schemas.CheckInCreate())
        await pilot.press("r")
        await settle(pilot)
        mine = screen.current().my_progress  # type: ignore[union-attr]
        assert mine is not None
        assert mine.progress == 1
        bar = screen.query_one("#challenge-bar", ProgressBar)
        assert (bar.progress, bar.total) == (1, 5)
        assert "1/5" in str(screen.query_one("#challenge-progress", Label).render())
        assert "Ana" in str(screen.query_one("#challenge-board", Label).render())

        await pilot.press("l")
        await settle(pilot)
        assert screen.current().my_progress is None  # type: ignore[union-attr]


async def test_team_board_switches_period_and_shows_the_goal(
    make_app: MakeApp, profile: Profile
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        await ana.create_team(schemas.TeamCreate(name="Crew", goal=schemas.TeamGoalSpec(target=10)))
        await ana.check_in(profile.habits["deliver-on-a-promise"], schemas.CheckInCreate())

        await pilot.press("t")
        await ready(pilot, "TeamScreen")
        screen = app.screen
        assert isinstance(screen, TeamScreen)
        card = screen.query_one("#team-board-card")
        assert card.border_title == "Board · this week"
        assert "Ana" in str(screen.query_one("#team-board", Label).render())
        assert "1/10" in str(screen.query_one("#goal-text", Label).render())

        await pilot.press("w")
        await settle(pilot)
        assert card.border_title == "Board · this month"
        await pilot.press("w")
        await settle(pilot)
        assert card.border_title == "Board · all time"
        await pilot.press("m")
        await settle(pilot)
        assert card.border_subtitle == "around me"
        assert "Ana" in str(screen.query_one("#team-board", Label).render())


async def test_accept_a_pending_confirmation(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        me = await ana.me()
        team = await ana.create_team(schemas.TeamCreate(name="Crew"))
        invite = await ana.create_invite(team.id)

        assert app.session is not None
        bob = RapportClient(http=app.session.client.http)
        await bob.register(
            schemas.RegisterRequest(handle="bob", password=PASSWORD, display_name="Bob")
        )
        await bob.join_team(invite.code)
        habit = await bob.create_habit(schemas.HabitCreate(template="listen-actively"))
        await bob.check_in(habit.id, schemas.CheckInCreate(witness=me.id))

        await pilot.press("t")
        await ready(pilot, "TeamScreen")
        screen = app.screen
        assert isinstance(screen, TeamScreen)
        assert [p.from_.handle for p in screen.pending] == ["bob"]
        assert screen.query_one("#confirm-card").border_title == "To confirm · 1"

        await pilot.press("y")
        await settle(pilot)
        assert screen.pending == []
        assert await ana.confirmations() == []
        assert screen.query_one("#confirm-card").border_title == "To confirm · 0"


async def test_the_demo_has_a_team_a_confirmation_to_give_and_a_joined_challenge(
    demo_connector: Connector,
) -> None:
    app = RapportApp(demo_connector, sync_interval=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("t")
        await ready(pilot, "TeamScreen")
        screen = app.screen
        assert isinstance(screen, TeamScreen)
        assert [(t.name, t.my_role, t.member_count) for t in screen.teams] == [
            ("Product crew", "owner", 6)
        ]
        board = screen.query_one("#team-board", Label)
        rows = {}
        for period in ("this week", "this month", "all time"):
            assert screen.query_one("#team-board-card").border_title == f"Board · {period}"
            rows[period] = str(board.render()).splitlines()
            assert any("Sam Rivera" in line for line in rows[period])
            await pilot.press("w")
            await settle(pilot)
        assert len(rows["this week"]) >= 2
        assert len(rows["all time"]) == 6  # everyone in the team has points by now
        assert sorted(p.from_.handle for p in screen.pending) == ["jordan", "priya"]

        await pilot.press("y")
        await settle(pilot)
        assert len(screen.pending) == 1
        assert screen.query_one("#confirm-card").border_title == "To confirm · 1"

        await pilot.press("escape", "h")
        await ready(pilot, "ChallengesScreen")
        challenges = app.screen
        assert isinstance(challenges, ChallengesScreen)
        active = [c for c in challenges.challenges if c.status == "active"]
        assert [c.title for c in active] == ["Listening lab"]
        mine = active[0].my_progress
        assert mine is not None
        assert 0 < mine.progress < mine.target
        assert active[0].participants == 3
        names = str(challenges.query_one("#challenge-board", Label).render())
        assert "Sam Rivera" in names
        assert "Jordan Lee" in names
