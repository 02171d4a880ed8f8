"""Check-ins: record (idempotent by client id), list, undo."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from server.api.deps import BEARER
from server.api.params import CheckinId, Cursor, FromDay, HabitId, Limit, ToDay
from server.api.problems import problems
from server.services import checkins
from server.services.context import Context
from server.services.paging import DEFAULT_LIMIT
from server.store.records import UserRecord
from shared import schemas


class CheckinsController(Controller):
    path = "/api/v1/habits/{habit_id:uuid}/checkins"
    tags = ["checkins"]
    security = BEARER

    @post(
        operation_id="checkins_create",
        summary="Check in (or skip) a day",
        description=(
            "Idempotent by `id`: the same id with the same body answers 200 and the first "
            "result; the same id with another body answers 409."
        ),
        status_code=HTTP_201_CREATED,
        responses={
            HTTP_200_OK: ResponseSpec(
                schemas.CheckInResult, description="Replay: the first answer, unchanged"
            ),
            **problems(429, 401, 404, 409, 422),
        },
    )
    async def create(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        habit_id: HabitId,
        data: JSONBody[schemas.CheckInCreate],
    ) -> Response[schemas.CheckInResult]:
        result, created = await checkins.check_in(ctx, user, habit_id, data)
        return Response(result, status_code=HTTP_201_CREATED if created else HTTP_200_OK)

    @get(
        operation_id="checkins_list",
        summary="Check-ins of a habit by day",
        responses=problems(401, 404),
    )
    async def list_checkins(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        habit_id: HabitId,
        first: FromDay = None,
        last: ToDay = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> schemas.CheckInPage:
        return await checkins.list_checkins(
            ctx, user, habit_id, first=first, last=last, limit=limit, cursor=cursor
        )

    @delete(
        "/{checkin_id:uuid}",
        operation_id="checkins_delete",
        summary="Undo a check-in: its points, streak and totals are reversed",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(429, 401, 404, 422),
    )
    async def undo(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        habit_id: HabitId,
        checkin_id: CheckinId,
    ) -> None:
        await checkins.undo_check_in(ctx, user, habit_id, checkin_id)
