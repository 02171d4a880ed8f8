"""Planned breaks: of one habit (``/habits/{id}/breaks``) or of all habits (``/me/breaks``)."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from server.api.deps import BEARER
from server.api.params import BreakId, HabitId
from server.api.problems import problems
from server.services import breaks
from server.services.context import Context
from server.store.records import UserRecord
from shared import schemas

ABOUT = (
    "A break covers the caller's days `starts_on` through `ends_on` (today or later, at"
    " most 92 days, starting at most 365 days ahead): streaks neither break nor grow, no"
    " reminder rings, and nothing is due. A day done anyway still counts as done."
)


class BreaksController(Controller):
    path = "/api/v1"
    tags = ["breaks"]
    security = BEARER

    @post(
        "/habits/{habit_id:uuid}/breaks",
        operation_id="breaks_create",
        summary="Pause a habit for a while (a holiday)",
        description=ABOUT,
        status_code=HTTP_201_CREATED,
        responses=problems(429, 401, 404, 409, 422),
    )
    async def create(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        habit_id: HabitId,
        data: JSONBody[schemas.BreakCreate],
    ) -> schemas.Break:
        return await breaks.create(ctx, user, habit_id, data)

    @get(
        "/habits/{habit_id:uuid}/breaks",
        operation_id="breaks_list",
        summary="A habit's breaks, past and planned",
        responses=problems(401, 404),
    )
    async def list_breaks(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord], habit_id: HabitId
    ) -> list[schemas.Break]:
        return await breaks.listed(ctx, user, habit_id)

    @delete(
        "/habits/{habit_id:uuid}/breaks/{break_id:uuid}",
        operation_id="breaks_end",
        summary="End a break today (the days behind stay a break; a planned one goes)",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(429, 401, 404),
    )
    async def end(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        habit_id: HabitId,
        break_id: BreakId,
    ) -> None:
        await breaks.end(ctx, user, habit_id, break_id)

    @post(
        "/me/breaks",
        operation_id="me_breaks_create",
        summary="Pause every habit for a while",
        description=ABOUT,
        status_code=HTTP_201_CREATED,
        responses=problems(429, 401, 409, 422),
    )
    async def create_all(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        data: JSONBody[schemas.BreakCreate],
    ) -> schemas.Break:
        return await breaks.create(ctx, user, None, data)

    @get(
        "/me/breaks",
        operation_id="me_breaks_list",
        summary="All the caller's breaks (of one habit or of all), past and planned",
        responses=problems(401),
    )
    async def list_all(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord]
    ) -> list[schemas.Break]:
        return await breaks.listed(ctx, user, None)

    @delete(
        "/me/breaks/{break_id:uuid}",
        operation_id="me_breaks_end",
        summary="End any of the caller's breaks today",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(429, 401, 404),
    )
    async def end_all(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord], break_id: BreakId
    ) -> None:
        await breaks.end(ctx, user, None, break_id)
