"""Delta sync for offline-first clients."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from server.api.deps import BEARER
from server.api.params import Limit
from server.api.problems import problems
from server.services import sync
from server.services.context import Context
from server.services.paging import DEFAULT_LIMIT
from server.store.records import UserRecord
from shared import schemas

Since = Annotated[
    str | None,
    QueryParameter(max_length=300, description="cursor from the previous sync; none: everything"),
]


class SyncController(Controller):
    path = "/api/v1/sync"
    tags = ["sync"]
    security = BEARER

    @get(
        operation_id="sync_get",
        summary="Everything of the caller's that changed since the cursor, a page at a time",
        description=(
            "Without `since`, the full current state. Each changed entity comes once, in its "
            "current state or as `deleted`; follow `cursor` while `has_more` is true, then keep "
            "the last cursor for the next sync."
        ),
        responses=problems(401),
    )
    async def changes(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        since: Since = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> schemas.SyncPage:
        return await sync.sync(ctx, user, since=since, limit=limit)
