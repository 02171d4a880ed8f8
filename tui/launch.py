"""Run the Rapport service inside the terminal client's own event loop.

The one module of ``tui`` allowed to import ``server`` (an ``ignore_imports`` entry of the
import-linter contract): everything else reaches the service through
``shared.client.RapportClient`` over the ``httpx.AsyncClient`` this module hands out. No
sockets and no threads of our own: requests go through ``httpx.ASGITransport`` straight into
the Litestar app, whose lifespan (opening and closing the SQLite connections) runs in a
task of this loop.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from contextlib import suppress
from datetime import datetime
from pathlib import Path

import httpx

from server.app import create_app
from server.settings import Settings

LOCAL_BASE_URL = "http://rapport.local"

Clock = Callable[[], datetime]
TransportWrapper = Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport]


class LocalServer:
    """The service on one SQLite file, started and stopped by the client.

    ``start()`` runs the app's lifespan in a task that holds it open until ``stop()``:
    Litestar enters and leaves its lifespan (a task group inside) in that one task, wherever
    ``start`` and ``stop`` are called from.
    """

    def __init__(
        self,
        database: Path,
        *,
        clock: Clock | None = None,
        synchronous: str | None = None,
        log_file: Path | None = None,
        wrap_transport: TransportWrapper | None = None,
    ) -> None:
        self.database = database
        self._clock = clock
        self._synchronous = synchronous
        self._log_file = log_file
        self._wrap_transport = wrap_transport
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()
        self._transport: DetachedTransport | None = None
        self.transport: httpx.AsyncBaseTransport | None = None
        self.http: httpx.AsyncClient | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> httpx.AsyncClient:
        self.database.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _private(self.database)  # the user's whole history: theirs alone, like config.toml
        settings = Settings.from_env(database=str(self.database), synchronous=self._synchronous)
        app = create_app(settings, clock=self._clock)
        if self._log_file is not None:
            _private(self._log_file)
            _log_to_file(self._log_file)
        ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def serve() -> None:
            try:
                async with app.lifespan():
                    ready.set_result(None)
                    await self._stop.wait()
            except BaseException as exc:
                if not ready.done():
                    ready.set_exception(exc)
                raise

        self._stop = asyncio.Event()
        self._task = asyncio.create_task(serve(), name="rapport-local-server")
        await ready
        # Litestar declares narrower ASGI types than httpx accepts; it is an ASGI app.
        asgi = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        self._transport = DetachedTransport(asgi)
        transport: httpx.AsyncBaseTransport = self._transport
        if self._wrap_transport is not None:
            transport = self._wrap_transport(transport)
        self.transport = transport
        self.http = httpx.AsyncClient(transport=transport, base_url=LOCAL_BASE_URL)
        return self.http

    async def stop(self) -> None:
        """Close the HTTP client and the app's lifespan (every database connection)."""
        if self.http is not None:
            await self.http.aclose()
            self.http = None
        if self._transport is not None:
            await self._transport.drain()
            self._transport = None
        if self._task is not None:
            self._stop.set()
            with suppress(asyncio.CancelledError):
                await self._task
            self._task = None


class DetachedTransport(httpx.AsyncBaseTransport):
    """Runs each request to the in-process app in a task of its own.

    A Textual worker that is cancelled (a newer reload replaced it, its screen closed)
    must not cancel the service half-way through a request: over a socket the server
    would never notice the client giving up, and a database transaction cut short by a
    cancellation can leave a connection unusable. The caller stops waiting; the request
    runs to its end, and ``drain()`` waits for the last ones before the service stops.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self._running: set[asyncio.Task[httpx.Response]] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        task = asyncio.create_task(self._send(request))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return await asyncio.shield(task)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        return response

    async def drain(self) -> None:
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def aclose(self) -> None:
        await self.drain()
        await self.inner.aclose()


def _log_to_file(path: Path) -> None:
    """Send the service's log records to a file: on stderr they would tear the screen."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    # Litestar's default logging config puts a stderr handler on the root logger too.
    for name in ("", "litestar", "rapport"):
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.propagate = not name
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _private(path: Path) -> None:
    """Create ``path`` readable by its owner only (SQLite gives its -wal and -shm files the
    same mode), or make an existing one so."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)
