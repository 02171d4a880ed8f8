"""The client takes the game's difficulties from the contract and leaves the points to the
server: it shows no "easy 5" of its own that could drift from the rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from server.domain.scoring import BASE_POINTS
from shared import schemas
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
