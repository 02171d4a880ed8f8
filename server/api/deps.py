"""What handlers get injected, the bearer-token authentication middleware, and the
per-user write limit.

Every route is authenticated unless its handler says ``exclude_from_auth=True``; the
middleware resolves the token to a user before the handler (or anything else) runs. Then
the app-wide ``limit_writes`` guard counts the request against the user's writes per
minute, before its body is read.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from argon2 import PasswordHasher
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import SerializationException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware

from server.services import accounts
from server.services.context import Context
from server.services.errors import Unauthenticated, UnsupportedMediaType
from server.services.imports.jobs import ImportJobs
from server.services.limits import Limits, take
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
        return AuthenticationResult(user=user, auth=token.strip())


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def limit_writes(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """429 once an authenticated user has used this minute's share of writes."""
    user = connection.scope.get("user")
    if isinstance(user, UserRecord) and connection.scope.get("method", "GET") not in READ_METHODS:
        limits: Limits = connection.app.state.limits
        ctx: Context = connection.app.state.ctx
        await take(limits.writes, user.id, "changes", ctx.clock())


def is_json(content_type: str) -> bool:
    """``application/json``, or a ``+json`` type such as ``application/problem+json``."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (
        kind.startswith("application/") and kind.endswith("+json")
    )


async def require_json(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """415 for a body a JSON route would otherwise parse whatever it was sent as
    (``text/plain``, a form): only a request that says it is JSON is read as JSON."""
    if connection.scope.get("method", "GET") in READ_METHODS:
        return
    if "data" not in handler.parsed_fn_signature.parameters:
        return  # the route reads no JSON body (or reads its own type, like the Loop ZIP)
    content_type = connection.headers.get("content-type")
    if content_type is None:
        if connection.headers.get("content-length", "0") == "0" and (
            "transfer-encoding" not in connection.headers
        ):
            return  # no body at all: the route says what an empty request means
        raise UnsupportedMediaType("send the body as JSON, with Content-Type: application/json")
    if not is_json(content_type):
        raise UnsupportedMediaType(
            f"this route reads JSON (Content-Type: application/json), not {content_type!r}"
        )
    await _strictly(connection, handler.parsed_fn_signature.parameters["data"].annotation)


_AT = re.compile(r" - at `\$\.?([^`]*)`$")


async def _strictly(connection: ASGIConnection[Any, Any, Any, Any], body_type: Any) -> None:
    """400 for a body whose JSON types are not the schema's: ``"1"`` is no integer and
    ``1`` no boolean. (Litestar converts leniently. The body is parsed here by Litestar's
    own ``Request.json``, which keeps the result for the handler, so it is parsed once;
    only the conversion runs twice: strictly here, leniently for the handler.)"""
    if not await connection.body():  # type: ignore[attr-defined]
        return
    try:
        parsed = await connection.json()  # type: ignore[attr-defined]
    except (SerializationException, RecursionError):
        return  # not JSON at all, or too deep: the handler's own reading answers it
    try:
        msgspec.convert(parsed, body_type, strict=True)
    except msgspec.ValidationError as exc:
        message = str(exc)
        found = _AT.search(message)
        field = found.group(1) if found and found.group(1) else "body"
        raise ValidationException(
            detail=f"{field}: {_AT.sub('', message)}" if found else message,
            extra=[{"key": field, "message": _AT.sub("", message)}],
        ) from exc


# The OpenAPI document and its viewer are public; every other route names itself if it is.
auth_middleware = DefineMiddleware(BearerTokenMiddleware, exclude=["^/schema"])


async def provide_ctx(state: State) -> Context:
    ctx: Context = state.ctx
    return ctx


async def provide_user(request: AuthedRequest) -> UserRecord:
    return request.user


async def provide_limits(state: State) -> Limits:
    limits: Limits = state.limits
    return limits


async def provide_jobs(state: State) -> ImportJobs:
    jobs: ImportJobs = state.imports
    return jobs


async def provide_hasher(state: State) -> PasswordHasher:
    hasher: PasswordHasher = state.hasher
    return hasher


dependencies = {
    "ctx": Provide(provide_ctx),
    "user": Provide(provide_user),
    "jobs": Provide(provide_jobs),
}

# OpenAPI: routes behind the bearer token say so (public ones leave it out).
BEARER: list[dict[str, list[str]]] = [{"BearerToken": []}]
