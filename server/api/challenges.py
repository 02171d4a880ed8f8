"""Challenges: start, browse, join, leave, and their boards."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from server.api.deps import BEARER
from server.api.params import BoardView, ChallengeId, Cursor, Limit
from server.api.problems import problems
from server.services import challenges
from server.services.context import Context
from server.services.paging import DEFAULT_LIMIT
from server.store.records import UserRecord
from shared import schemas

StatusFilter = Annotated[
    Literal["upcoming", "active", "ended"] | None, QueryParameter(description="Only these")
]
TeamFilter = Annotated[UUID | None, QueryParameter(description="Only this team's challenges")]


class ChallengesController(Controller):
    path = "/api/v1/challenges"
    tags = ["challenges"]
    security = BEARER

    @post(
        operation_id="challenges_create",
        summary="Start a challenge: from a catalog template, or described (team ones: owner/admin)",
        status_code=HTTP_201_CREATED,
        responses=problems(429, 401, 403, 404, 409, 422),
    )
    async def create(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        data: JSONBody[schemas.ChallengeCreate],
    ) -> schemas.Challenge:
        return await challenges.create_challenge(ctx, user, data)

    @get(
        operation_id="challenges_list",
        summary="Public challenges and those of the caller's teams",
        responses=problems(401, 404),
    )
    async def list_challenges(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        status: StatusFilter = None,
        team_id: TeamFilter = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> schemas.ChallengePage:
        return await challenges.list_challenges(
            ctx, user, status=status, team_id=team_id, limit=limit, cursor=cursor
        )

    @get(
        "/{challenge_id:uuid}",
        operation_id="challenges_get",
        summary="One challenge, with the caller's progress",
        responses=problems(401, 404),
    )
    async def get_challenge(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        challenge_id: ChallengeId,
    ) -> schemas.Challenge:
        return await challenges.get_challenge(ctx, user, challenge_id)

    @post(
        "/{challenge_id:uuid}/join",
        operation_id="challenges_join",
        summary="Join (again: no change)",
        status_code=HTTP_200_OK,
        responses=problems(429, 401, 404, 409),
    )
    async def join(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        challenge_id: ChallengeId,
    ) -> schemas.Challenge:
        return await challenges.join_challenge(ctx, user, challenge_id)

    @post(
        "/{challenge_id:uuid}/leave",
        operation_id="challenges_leave",
        summary="Leave; progress is dropped, a reward already paid stays",
        status_code=HTTP_200_OK,
        responses=problems(429, 401, 404),
    )
    async def leave(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        challenge_id: ChallengeId,
    ) -> schemas.Challenge:
        return await challenges.leave_challenge(ctx, user, challenge_id)

    @get(
        "/{challenge_id:uuid}/leaderboard",
        operation_id="challenges_leaderboard",
        summary="Participants ranked by progress (points = done days counted)",
        responses=problems(401, 404),
    )
    async def leaderboard(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        challenge_id: ChallengeId,
        view: BoardView = "page",
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> schemas.Leaderboard:
        return await challenges.challenge_board(
            ctx, user, challenge_id, view=view, limit=limit, cursor=cursor
        )
