"""The catalog of habit and challenge templates from ``seed/``."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency

from server.api.deps import BEARER
from server.api.problems import problems
from server.services import rules as game_rules
from server.services.context import Context
from server.store.records import UserRecord
from shared import schemas


class CatalogController(Controller):
    path = "/api/v1/catalog"
    tags = ["catalog"]
    security = BEARER

    @get(
        "/habits",
        operation_id="catalog_habits",
        summary="Habit templates to adopt",
        responses=problems(401),
    )
    async def habits(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord]
    ) -> list[schemas.CatalogHabit]:
        return list(ctx.catalog.habits)

    @get(
        "/challenges",
        operation_id="catalog_challenges",
        summary="Challenge templates",
        responses=problems(401),
    )
    async def challenges(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord]
    ) -> list[schemas.CatalogChallenge]:
        return list(ctx.catalog.challenges)

    @get(
        "/rules",
        operation_id="catalog_rules",
        summary="The rules of the game as numbers: points, multiplier, milestones, freezes",
        responses=problems(401),
    )
    async def rules(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord]
    ) -> schemas.Rules:
        return game_rules.published(ctx.settings)
