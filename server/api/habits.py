"""Habits: CRUD, the Today view, stats and the calendar heatmap."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from server.api.deps import BEARER
from server.api.params import Cursor, FromDay, HabitId, Limit, ToDay
from server.api.problems import problems
from server.services import checkins, habits
from server.services.context import Context
from server.services.paging import DEFAULT_LIMIT
from server.store.records import UserRecord
from shared import schemas

Archived = Annotated[
    bool | None,
    QueryParameter(description="true: archived only; false (default): active only"),
]


class HabitsController(Controller):
    path = "/api/v1/habits"
    tags = ["habits"]
    security = BEARER

    @get(operation_id="habits_list", summary="The caller's habits", responses=problems(401))
    async def list_habits(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        archived: Archived = False,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> schemas.HabitPage:
        return await habits.list_habits(ctx, user, archived=archived, limit=limit, cursor=cursor)

    @post(
        operation_id="habits_create",
        summary="Adopt a catalog habit or create a custom one",
        description="Sending an `id` already created by the caller answers 200 with that habit.",
        status_code=HTTP_201_CREATED,
        responses={
            HTTP_200_OK: ResponseSpec(schemas.Habit, description="Replay of a known id"),
            **problems(429, 401, 409, 422),
        },
    )
    async def create_habit(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        data: JSONBody[schemas.HabitCreate],
    ) -> Response[schemas.Habit]:
        habit, created = await habits.create_habit(ctx, user, data)
        return Response(habit, status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get(
        "/{habit_id:uuid}",
        operation_id="habits_get",
        summary="One habit",
        responses=problems(401, 404),
    )
    async def get_habit(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord], habit_id: HabitId
    ) -> schemas.Habit:
        return await habits.get_habit(ctx, user, habit_id)

    @patch(
        "/{habit_id:uuid}",
        operation_id="habits_update",
        summary="Edit or archive a habit",
        responses=problems(429, 401, 404, 409, 422),
    )
    async def update_habit(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        habit_id: HabitId,
        data: JSONBody[schemas.HabitPatch],
    ) -> schemas.Habit:
        return await habits.update_habit(ctx, user, habit_id, data)

    @delete(
        "/{habit_id:uuid}",
        operation_id="habits_delete",
        summary="Delete a habit and its check-ins, taking back what they earned",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(429, 401, 404),
    )
    async def delete_habit(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord], habit_id: HabitId
    ) -> None:
        await checkins.delete_habit(ctx, user, habit_id)

    @get(
        "/{habit_id:uuid}/stats",
        operation_id="habits_stats",
        summary="Streaks, strength and completion of one habit",
        responses=problems(401, 404),
    )
    async def stats(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord], habit_id: HabitId
    ) -> schemas.HabitStats:
        return await habits.habit_stats(ctx, user, habit_id)

    @get(
        "/{habit_id:uuid}/calendar",
        operation_id="habits_calendar",
        summary="Heatmap data: the days with check-ins (default: the last 365 days)",
        responses=problems(401, 404, 422),
    )
    async def calendar(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        habit_id: HabitId,
        first: FromDay = None,
        last: ToDay = None,
    ) -> list[schemas.CalendarDay]:
        return await habits.calendar(ctx, user, habit_id, first, last)


class TodayController(Controller):
    path = "/api/v1/today"
    tags = ["habits"]
    security = BEARER

    @get(
        operation_id="today_get",
        summary="Today's habits in the caller's own day (or a day within the backdating "
        "window), with streaks and balance",
        responses=problems(401, 422),
    )
    async def today(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        day: Annotated[
            date | None,
            QueryParameter(
                description="A day from RAPPORT_BACKDATE_DAYS ago to today (default: today): "
                "what it asked and what was done, for checking in late"
            ),
        ] = None,
    ) -> schemas.Today:
        return await habits.today_view(ctx, user, day)
