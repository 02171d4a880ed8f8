"""Live events for the caller, as server-sent events (Litestar channels).

The stream carries the caller's own changes from any device (`checkin`, `badge`, `points`,
`habit`, `profile`, `team`, `challenge`) and `leaderboard` for the boards of their teams
and challenges. Each event's data is `{"event", "id", "version"}`: a hint to refresh, not
the data itself. A client that reconnects (with or without `Last-Event-ID`) catches up
through `GET /api/v1/sync` from its last cursor. The in-memory broker serves one process;
a shared broker (Redis, PostgreSQL) plugs into the same channels for several instances.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.params import HeaderParameter
from litestar.response import ServerSentEvent, ServerSentEventMessage

from server.api.deps import BEARER
from server.api.problems import problems
from server.services import sync
from server.services.context import Context
from server.store.records import UserRecord

LastEventId = Annotated[
    str | None,
    HeaderParameter(
        name="Last-Event-ID",
        max_length=40,
        description="the id of the last event received, when reconnecting",
    ),
]


class EventsController(Controller):
    path = "/api/v1/events"
    tags = ["sync"]
    security = BEARER

    @get(
        operation_id="events_stream",
        summary="Server-sent events: your changes from other devices, and your boards",
        media_type="text/event-stream",
        responses=problems(401),
    )
    async def stream(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        channels: NamedDependency[ChannelsPlugin],
        last_event_id: LastEventId = None,
    ) -> ServerSentEvent:
        names = await sync.event_channels(ctx, user)
        catch_up = await sync.missed_since(ctx, user, last_event_id)
        return ServerSentEvent(_events(channels, names, catch_up))


async def _events(
    channels: ChannelsPlugin, names: list[str], catch_up: str | None
) -> AsyncIterator[ServerSentEventMessage]:
    async with channels.start_subscription(names) as subscriber:
        yield ServerSentEventMessage(comment="subscribed", retry=3000)
        if catch_up is not None:
            # Changes happened while the client was away: sync from this cursor.
            payload = msgspec.json.encode({"event": "sync", "since": catch_up}).decode()
            yield ServerSentEventMessage(event="sync", data=payload)
        async for raw in subscriber.iter_events():
            event = msgspec.json.decode(raw)
            yield ServerSentEventMessage(
                event=str(event.get("event", "change")),
                data=raw.decode(),
                id=str(event.get("version") or "") or None,
            )
