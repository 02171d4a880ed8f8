"""The rules of the game as the API publishes them (``GET /api/v1/catalog/rules``): read
from the domain modules that apply them and from the settings, never restated."""

from __future__ import annotations

from typing import get_args

from server.domain import levels, scoring, streaks
from server.settings import Settings
from shared import schemas


def published(settings: Settings) -> schemas.Rules:
    """>>> rules = published(Settings())
    >>> [(p.difficulty, p.points) for p in rules.points]
    [('trivial', 2), ('easy', 5), ('medium', 10), ('hard', 20)]
    >>> rules.max_multiplier_percent, rules.backdate_days
    (200, 1)
    """
    difficulties: tuple[schemas.Difficulty, ...] = get_args(schemas.Difficulty)
    return schemas.Rules(
        points=[
            schemas.DifficultyPoints(difficulty=d, points=scoring.points_for_checkin(d, 0))
            for d in sorted(difficulties, key=lambda d: scoring.BASE_POINTS[d])
        ],
        streak_step_percent=scoring.STREAK_STEP_PERCENT,
        max_multiplier_percent=scoring.streak_multiplier_percent(scoring.STREAK_CAP),
        milestones=[
            schemas.MilestoneBonus(streak=m, bonus=scoring.milestone_bonus(m))
            for m in sorted(scoring.MILESTONE_BONUS)
        ],
        balance_bonus=scoring.BALANCE_BONUS,
        freeze_every=streaks.FREEZE_EVERY,
        max_freezes=streaks.MAX_FREEZES,
        backdate_days=settings.backdate_days,
        xp_step=levels.XP_STEP,
    )
