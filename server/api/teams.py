"""Teams, invites, members and team leaderboards."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from server.api.deps import BEARER
from server.api.params import BoardView, Cursor, InviteId, Limit, TeamId, UserId
from server.api.problems import problems
from server.domain.boards import Period
from server.services import teams
from server.services.context import Context
from server.services.paging import DEFAULT_LIMIT
from server.store.records import UserRecord
from shared import schemas

BoardPeriod = Annotated[Period, QueryParameter(description="week, month or all (default week)")]


class TeamsController(Controller):
    path = "/api/v1/teams"
    tags = ["teams"]
    security = BEARER

    @post(
        operation_id="teams_create",
        summary="Create a team; the caller becomes its owner",
        status_code=HTTP_201_CREATED,
        responses=problems(429, 401, 422),
    )
    async def create(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        data: JSONBody[schemas.TeamCreate],
    ) -> schemas.Team:
        return await teams.create_team(ctx, user, data)

    @get(operation_id="teams_list", summary="The caller's teams", responses=problems(401))
    async def list_mine(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord]
    ) -> list[schemas.Team]:
        return await teams.my_teams(ctx, user)

    @post(
        "/join",
        operation_id="teams_join",
        summary="Join a team with an invite code",
        status_code=HTTP_200_OK,
        responses=problems(429, 401, 403, 404),
    )
    async def join(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        data: JSONBody[schemas.JoinRequest],
    ) -> schemas.Membership:
        return await teams.join(ctx, user, data)

    @get(
        "/{team_id:uuid}",
        operation_id="teams_get",
        summary="A team with its members (members only)",
        responses=problems(401, 404),
    )
    async def get_team(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord], team_id: TeamId
    ) -> schemas.Team:
        return await teams.get_team(ctx, user, team_id)

    @patch(
        "/{team_id:uuid}",
        operation_id="teams_update",
        summary="Rename, move time zone, or set the weekly goal (owner/admin)",
        responses=problems(429, 401, 403, 404, 422),
    )
    async def update(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        team_id: TeamId,
        data: JSONBody[schemas.TeamPatch],
    ) -> schemas.Team:
        return await teams.update_team(ctx, user, team_id, data)

    @get(
        "/{team_id:uuid}/members",
        operation_id="teams_members",
        summary="Members, a page at a time",
        responses=problems(401, 404),
    )
    async def list_members(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        team_id: TeamId,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> schemas.MemberPage:
        return await teams.members(ctx, user, team_id, limit=limit, cursor=cursor)

    @patch(
        "/{team_id:uuid}/members/{user_id:uuid}",
        operation_id="teams_members_update",
        summary="Hide yourself from boards, or change a member's role (owner)",
        responses=problems(429, 401, 403, 404, 409),
    )
    async def update_member(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        team_id: TeamId,
        user_id: UserId,
        data: JSONBody[schemas.MemberPatch],
    ) -> schemas.Member:
        return await teams.update_member(ctx, user, team_id, user_id, data)

    @delete(
        "/{team_id:uuid}/members/{user_id:uuid}",
        operation_id="teams_members_remove",
        summary="Leave (yourself) or remove a member (owner/admin)",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(429, 401, 403, 404, 409),
    )
    async def remove_member(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        team_id: TeamId,
        user_id: UserId,
    ) -> None:
        await teams.remove_member(ctx, user, team_id, user_id)

    @post(
        "/{team_id:uuid}/invites",
        operation_id="teams_invites_create",
        summary="Create an invite code (owner/admin); the code is shown only now",
        status_code=HTTP_201_CREATED,
        responses=problems(429, 401, 403, 404),
    )
    async def create_invite(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        team_id: TeamId,
        data: JSONBody[schemas.InviteCreate | None] = None,
    ) -> schemas.Invite:
        return await teams.create_invite(ctx, user, team_id, data or schemas.InviteCreate())

    @get(
        "/{team_id:uuid}/invites",
        operation_id="teams_invites_list",
        summary="Open invites (owner/admin)",
        responses=problems(401, 403, 404),
    )
    async def list_invites(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord], team_id: TeamId
    ) -> list[schemas.InviteInfo]:
        return await teams.list_invites(ctx, user, team_id)

    @delete(
        "/{team_id:uuid}/invites/{invite_id:uuid}",
        operation_id="teams_invites_revoke",
        summary="Revoke an invite (owner/admin)",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(429, 401, 403, 404),
    )
    async def revoke_invite(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        team_id: TeamId,
        invite_id: InviteId,
    ) -> None:
        await teams.revoke_invite(ctx, user, team_id, invite_id)

    @get(
        "/{team_id:uuid}/leaderboard",
        operation_id="teams_leaderboard",
        summary="The team board for this week, month or all time, in the team's time zone",
        responses=problems(401, 404),
    )
    async def leaderboard(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        team_id: TeamId,
        period: BoardPeriod = "week",
        view: BoardView = "page",
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> schemas.Leaderboard:
        return await teams.team_board(
            ctx, user, team_id, period=period, view=view, limit=limit, cursor=cursor
        )
