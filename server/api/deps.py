"""What handlers get injected, and the bearer-token authentication middleware.

Every route is authenticated unless its handler says ``exclude_from_auth=True``; the
middleware resolves the token to a user before the handler (or anything else) runs.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware

from server.services import accounts
from server.services.context import Context
from server.services.errors import Unauthenticated
from server.store.records import UserRecord

AuthedRequest = Request[UserRecord, str, State]


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("send 'Authorization: Bearer <token>'")
        ctx: Context = connection.app.state.ctx
        user = await accounts.authenticate(ctx, token.strip())
        if user is None:
            raise Unauthenticated("the token is invalid, expired or revoked")
        if connection.scope.get("method", "GET") not in READ_METHODS:
            ctx.take(ctx.write_limiter, user.id, "changes")
        return AuthenticationResult(user=user, auth=token.strip())


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# The OpenAPI document and its viewer are public; every other route names itself if it is.
auth_middleware = DefineMiddleware(BearerTokenMiddleware, exclude=["^/schema"])


async def provide_ctx(state: State) -> Context:
    ctx: Context = state.ctx
    return ctx


async def provide_user(request: AuthedRequest) -> UserRecord:
    return request.user


dependencies = {
    "ctx": Provide(provide_ctx),
    "user": Provide(provide_user),
}

# OpenAPI: routes behind the bearer token say so (public ones leave it out).
BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]
