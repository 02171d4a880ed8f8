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

import msgspec
from litestar import Controller, get
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.response import ServerSentEvent, ServerSentEventMessage

from server.api.deps import BEARER
from server.api.problems import problems
from server.services import sync
from server.services.context import Context
from server.store.records import UserRecord

KEEPALIVE_SECONDS = 20.0


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
    ) -> ServerSentEvent:
        names = await sync.event_channels(ctx, user)
        return ServerSentEvent(_events(channels, names))


async def _events(
    channels: ChannelsPlugin, names: list[str]
) -> AsyncIterator[ServerSentEventMessage]:
    async with channels.start_subscription(names) as subscriber:
        yield ServerSentEventMessage(comment="subscribed", retry=3000)
        async for raw in subscriber.iter_events():
            event = msgspec.json.decode(raw)
            yield ServerSentEventMessage(
                event=str(event.get("event", "change")),
                data=raw.decode(),
                id=str(event.get("version") or "") or None,
            )
