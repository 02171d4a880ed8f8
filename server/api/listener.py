"""Live events over PostgreSQL ``LISTEN``, surviving the loss of the listening connection.

Litestar's asyncpg channels backend listens on one connection and never replaces it: after
a PostgreSQL restart or failover (or a killed backend) the instance stops hearing every
change made through any other instance, silently, until it is restarted. This backend
notices the connection's end, connects again (with a growing pause, up to
``MAX_PAUSE_SECONDS``), listens again on every channel it listened on, and tells each
stream open on a user's channel to ``sync``: what was said while nobody listened is not
lost, because the change log, not the stream, is the record.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
import msgspec
from asyncpg.pool import PoolConnectionProxy
from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend

log = logging.getLogger("rapport.events")

MAX_PAUSE_SECONDS = 10.0


class ReconnectingPgChannelsBackend(AsyncPgChannelsBackend):
    def __init__(self, dsn: str) -> None:
        super().__init__(dsn=dsn)
        self._reconnecting: asyncio.Task[None] | None = None
        self._closing = False

    async def on_startup(self) -> None:
        await super().on_startup()
        self._watch(self._listener_conn)

    async def on_shutdown(self) -> None:
        self._closing = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        await super().on_shutdown()

    def _watch(self, conn: asyncpg.Connection[Any]) -> None:
        conn.add_termination_listener(self._lost)

    def _lost(self, conn: asyncpg.Connection[Any] | PoolConnectionProxy[Any]) -> None:
        if self._closing or (self._reconnecting is not None and not self._reconnecting.done()):
            return
        log.warning("the event listener lost its PostgreSQL connection; reconnecting")
        self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        pause = 0.1
        while not self._closing:
            try:
                async with self._listener_lock:
                    conn = await self._connect()
                    for channel in self._subscribed_channels:
                        await conn.add_listener(channel, self._listener)  # type: ignore[arg-type]
                    self._listener_conn = conn
                    self._watch(conn)
                    channels = [c for c in self._subscribed_channels if c.startswith("user:")]
                break
            except (TimeoutError, OSError, asyncpg.PostgresError) as error:
                log.warning("event listener: %s; trying again in %.1f s", error, pause)
                await asyncio.sleep(pause)
                pause = min(MAX_PAUSE_SECONDS, pause * 2)
        else:
            return
        log.warning("the event listener is back; open streams are told to sync")
        for channel in channels:
            payload = {"event": "sync", "id": channel.split(":", 1)[1], "version": 0}
            self._listener(conn, 0, channel, msgspec.json.encode(payload).decode())
