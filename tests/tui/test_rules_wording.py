"""The client takes the game's difficulties from the contract and leaves the points to the
server: it shows no "easy 5" of its own that could drift from the rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from textual.widgets import Static

from server.domain.scoring import BASE_POINTS
from shared import schemas
from tests.tui.conftest import MakeApp, ready, server_client
from tui.wording import DIFFICULTIES

TUI = Path(__file__).resolve().parents[2] / "tui"


def test_difficulties_are_the_contracts_from_fewest_points_to_most() -> None:
    assert get_args(schemas.Difficulty) == DIFFICULTIES
    assert set(DIFFICULTIES) == set(BASE_POINTS)
    # The form's hint shows them joined with "<".
    assert list(DIFFICULTIES) == sorted(DIFFICULTIES, key=BASE_POINTS.__getitem__)


def test_the_client_does_not_restate_points_per_difficulty() -> None:
    restated = re.compile(
        "|".join(rf"\b{name}\W{{0,3}}{points}\b" for name, points in BASE_POINTS.items())
    )
    offenders = [
        f"{path.relative_to(TUI.parent)}:{number}: {line.strip()}"
        for path in sorted(TUI.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if restated.search(line)
    ]
    assert not offenders, "\n".join(offenders)


def test_the_client_does_not_restate_milestones_or_bonuses() -> None:
    from server.domain.scoring import BALANCE_BONUS, MILESTONE_BONUS

    milestones = ", ".join(str(m) for m in sorted(MILESTONE_BONUS)[:3])
    offenders = [
        str(path.relative_to(TUI.parent))
        for path in sorted(TUI.rglob("*.py"))
        if milestones in (text := path.read_text(encoding="utf-8"))
        or f"+{BALANCE_BONUS} for" in text
    ]
    assert not offenders


async def test_the_help_tells_the_rules_the_server_publishes(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot)
        published = await (await server_client(app)).rules()
        await pilot.press("question_mark")
        await ready(pilot, "HelpScreen")
        text = str(app.screen.query_one("#rules", Static).render())
        for entry in published.points:  # trivial included
            assert f"{entry.difficulty} {entry.points}" in text
        assert f"every {published.freeze_every} in a row" in text
        assert "today or yesterday" in text  # the server's window: one day back
