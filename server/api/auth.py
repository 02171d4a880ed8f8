"""Accounts: register, log in, log out, and the caller's own profile."""

from __future__ import annotations

from typing import Annotated

from argon2 import PasswordHasher
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from server.api.deps import BEARER, AuthedRequest, provide_hasher, provide_limits
from server.api.problems import problems
from server.services import accounts, reminders
from server.services.context import Context
from server.services.limits import Limits
from server.store.records import UserRecord
from shared import schemas


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]
    # Only signing up and logging in hash passwords and count failures.
    dependencies = {"hasher": Provide(provide_hasher), "limits": Provide(provide_limits)}

    @post(
        "/register",
        operation_id="auth_register",
        summary="Create an account and get a token",
        exclude_from_auth=True,
        status_code=HTTP_201_CREATED,
        responses=problems(409, 422, 429),
    )
    async def register(
        self,
        ctx: NamedDependency[Context],
        hasher: NamedDependency[PasswordHasher],
        limits: NamedDependency[Limits],
        data: JSONBody[schemas.RegisterRequest],
        request: AuthedRequest,
    ) -> schemas.AuthResult:
        client = request.client.host if request.client else None
        return await accounts.register(ctx, data, hasher=hasher, limits=limits, client=client)

    @post(
        "/login",
        operation_id="auth_login",
        summary="Exchange a handle and password for a token",
        exclude_from_auth=True,
        status_code=HTTP_200_OK,
        responses=problems(401, 429),
    )
    async def login(
        self,
        ctx: NamedDependency[Context],
        hasher: NamedDependency[PasswordHasher],
        limits: NamedDependency[Limits],
        data: JSONBody[schemas.LoginRequest],
        request: AuthedRequest,
    ) -> schemas.AuthResult:
        client = request.client.host if request.client else None
        return await accounts.login(ctx, data, hasher=hasher, limits=limits, client=client)

    @post(
        "/logout",
        operation_id="auth_logout",
        security=BEARER,
        summary="Revoke the token used for this request",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(429, 401),
    )
    async def logout(self, ctx: NamedDependency[Context], request: AuthedRequest) -> None:
        await accounts.logout(ctx, request.auth)


class MeController(Controller):
    path = "/api/v1/me"
    tags = ["me"]
    security = BEARER

    @get(operation_id="me_get", summary="The caller's profile", responses=problems(401))
    async def get_me(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord]
    ) -> schemas.User:
        return await accounts.profile(ctx, user)

    @patch(
        operation_id="me_update",
        summary="Change display name, time zone, day-start hour or whether boards show you",
        responses=problems(429, 401, 422),
    )
    async def update_me(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        data: JSONBody[schemas.ProfilePatch],
    ) -> schemas.User:
        return await accounts.update_profile(ctx, user, data)

    @get(
        "/reminders",
        operation_id="me_reminders",
        summary="The caller's upcoming reminders, to schedule local notifications",
        description=(
            "Each reminder that rings from now through the next `days` of the caller's days:"
            " on days that ask for the habit and are neither done nor skipped, at the habit's"
            " local times in the caller's zone (after quiet hours). `at` is the UTC instant."
        ),
        responses=problems(401),
    )
    async def reminders(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        days: Annotated[
            int,
            QueryParameter(ge=1, le=reminders.MAX_DAYS, description="days ahead, today first"),
        ] = 2,
    ) -> list[schemas.UpcomingReminder]:
        return await reminders.upcoming(ctx, user, days)

    @delete(
        operation_id="me_delete",
        summary="Delete the account and all its data",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(429, 401),
    )
    async def delete_me(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord]
    ) -> None:
        await accounts.delete_account(ctx, user)
