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

from server import metrics
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
        catch_up = await sync.missed_since(ctx, user, last_event_id)
        return ServerSentEvent(_events(ctx, user, channels, catch_up))


# Changes to the caller's own memberships: the stream's channels are read again.
_MEMBERSHIP = frozenset({"team", "challenge"})


async def _events(
    ctx: Context, user: UserRecord, channels: ChannelsPlugin, catch_up: str | None
) -> AsyncIterator[ServerSentEventMessage]:
    names = set(await sync.event_channels(ctx, user))
    subscriber = await channels.subscribe(names)
    metrics.SUBSCRIBERS.inc()
    try:
        yield ServerSentEventMessage(comment="subscribed", retry=3000)
        if catch_up is not None:
            # Changes happened while the client was away: sync from this cursor.
            payload = msgspec.json.encode({"event": "sync", "since": catch_up}).decode()
            yield ServerSentEventMessage(event="sync", data=payload)
        while True:
            moved = False
            async for raw in subscriber.iter_events():
                event = msgspec.json.decode(raw)
                kind = str(event.get("event", "change"))
                yield ServerSentEventMessage(
                    event=kind, data=raw.decode(), id=str(event.get("version") or "") or None
                )
                if kind in _MEMBERSHIP:
                    now = set(await sync.event_channels(ctx, user))
                    if now != names:
                        # Joined, left or removed: from now on only the channels the caller
                        # may hear. What the old subscription still holds (events sent after
                        # a removal) is dropped with it, unread.
                        fresh = await channels.subscribe(now)
                        await channels.unsubscribe(subscriber)
                        subscriber, names, moved = fresh, now, True
                        break
            if not moved:
                return
    finally:
        metrics.SUBSCRIBERS.dec()
        await channels.unsubscribe(subscriber)
