"""Query parameters shared by list endpoints."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal
from uuid import UUID

from litestar.params import PathParameter, QueryParameter

from server.services.paging import DEFAULT_LIMIT, MAX_LIMIT

Limit = Annotated[
    int,
    QueryParameter(ge=1, le=MAX_LIMIT, description=f"Page size (default {DEFAULT_LIMIT})"),
]
Cursor = Annotated[
    str | None,
    QueryParameter(
        max_length=200, description="Opaque cursor from the previous page's next_cursor"
    ),
]
FromDay = Annotated[date | None, QueryParameter(name="from", description="First day (inclusive)")]
ToDay = Annotated[date | None, QueryParameter(name="to", description="Last day (inclusive)")]
HabitId = Annotated[UUID, PathParameter(description="The habit's id")]
CheckinId = Annotated[UUID, PathParameter(description="The check-in's id")]
TeamId = Annotated[UUID, PathParameter(description="The team's id")]
UserId = Annotated[UUID, PathParameter(description="A member's user id")]
InviteId = Annotated[UUID, PathParameter(description="The invite's id")]
ChallengeId = Annotated[UUID, PathParameter(description="The challenge's id")]
ConfirmationId = Annotated[UUID, PathParameter(description="The confirmation's id")]
JobId = Annotated[UUID, PathParameter(description="The import job's id")]
BreakId = Annotated[UUID, PathParameter(description="The break's id")]
BoardView = Annotated[
    Literal["page", "around"],
    QueryParameter(description="page: ranked pages; around: the top 3 and your neighbours"),
]
