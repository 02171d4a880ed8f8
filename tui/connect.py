"""Opening sessions: the embedded server, a remote one, or the demo; and remembering them.

``Connector`` decides from the command line and the config file where the client talks
to, opens a ``Session`` there, and writes tokens back to the config file after a login.

The embedded server (``tui.launch``: Litestar and the whole service) is imported only
when a session on this computer opens, in a thread, so the first screen (the Today screen
saved by the last run) is painted before that import and the UI keeps drawing during it.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from shared import schemas
from shared.client import ApiError, RapportClient
from tui.config import Config, ConfigStore, LocalProfile, data_home, system_timezone
from tui.demo import DEMO_DAYS, DemoClock, build_demo
from tui.offline import OfflineQueue
from tui.session import SavedToday, Session, read_saved_today

if TYPE_CHECKING:
    from tui.launch import Clock, LocalServer, TransportWrapper

Progress = Callable[[float, str], None]

LOCAL_LABEL = "this computer"


def server_label(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "server"


def _server_class() -> type[LocalServer]:
    from tui.launch import LocalServer

    return LocalServer


def usable_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


class Connector:
    """Everything about *where*: the config file, the data directory, and the options
    (``server`` from ``--server``; ``demo``). Tests pass a clock, a transport wrapper and
    a fixed demo end, so that no screen ever sees the real time."""

    def __init__(
        self,
        *,
        config: ConfigStore | None = None,
        data_dir: Path | None = None,
        server: str | None = None,
        demo: bool = False,
        clock: Clock | None = None,
        synchronous: str | None = None,
        wrap_transport: TransportWrapper | None = None,
        log_to_file: bool = True,
        demo_dir: Path | None = None,
        demo_end: datetime | None = None,
        demo_timezone: str | None = None,
        demo_days: int = DEMO_DAYS,
        remote_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.config_store = config or ConfigStore()
        self.data_dir = data_dir or data_home()
        self.server = server
        self.demo = demo
        self.clock = clock
        self.synchronous = synchronous
        self.wrap_transport = wrap_transport
        self.log_to_file = log_to_file
        self.demo_dir = demo_dir
        self.demo_end = demo_end
        self.demo_timezone = demo_timezone
        self.demo_days = demo_days
        self._servers: list[LocalServer] = []
        # Tests stand a server in for "remote" without a socket.
        self.remote_transport = remote_transport

    @property
    def config(self) -> Config:
        return self.config_store.load()

    # -- opening -------------------------------------------------------------------------

    async def open(self, progress: Progress | None = None) -> Session:
        """The session the command line and config file ask for."""
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if self.demo:
            return await self.open_demo(progress)
        url = self.server or self.config.server
        return await (self.open_remote(url) if url else self.open_local())

    def where(self) -> str:
        """Where ``open()`` will connect, for the header while it does."""
        if self.demo:
            return f"demo · {LOCAL_LABEL}"
        url = self.server or self.config.server
        return server_label(url) if url else LOCAL_LABEL

    def cache_dir(self, url: str | None) -> Path:
        """Where the last answers of the server at ``url`` (None: this computer) are kept
        (a slug never has an underscore, so ``_local`` is no server's)."""
        return self.data_dir / "cache" / (_slug(server_label(url)) if url else "_local")

    def saved_today(self) -> SavedToday | None:
        """The Today screen the last run saved for the profile ``open()`` will sign in,
        if there is one: shown while the session opens."""
        if self.demo:
            return None
        config = self.config
        url = self.server or config.server
        if url:
            handle = config.handle if config.server == url and config.token else None
        else:
            handle = config.local.handle if config.local is not None else None
        if handle is None:
            return None
        saved = read_saved_today(self.cache_dir(url) / "today.json")
        if saved is None or saved.user is None or saved.user.handle != handle:
            return None
        return saved

    async def _local_server(self, database: Path, clock: Clock | None) -> LocalServer:
        # Importing the service takes a few hundred milliseconds: not on the UI's loop.
        server_class = await asyncio.to_thread(_server_class)
        server = server_class(
            database,
            clock=clock,
            synchronous=self.synchronous,
            log_file=self.data_dir / "server.log" if self.log_to_file else None,
            wrap_transport=self.wrap_transport,
        )
        self._servers = [s for s in self._servers if s.running] + [server]
        return server

    async def close(self) -> None:
        """Stop every embedded server still running, even one whose session never opened
        (the app quit while the demo was being played)."""
        for server in self._servers:
            await server.stop()
        self._servers.clear()

    async def open_local(self) -> Session:
        """The embedded server on ``<data dir>/rapport.db``, signed in with the local
        profile when there is one (logging in again when its token has lapsed)."""
        server = await self._local_server(self.data_dir / "rapport.db", self.clock)
        http = await server.start()
        client = RapportClient(http=http)
        session = Session(
            client,
            OfflineQueue(self.data_dir / "pending-local.json"),
            label=LOCAL_LABEL,
            local=True,
            cache_dir=self.cache_dir(None),
            on_close=server.stop,
            now=self.clock,
        )
        profile = self.config.local
        if profile is None:
            return session
        client.token = profile.token
        try:
            if profile.token:
                await session.me()
                return session
        except ApiError as exc:
            if exc.status != 401:
                raise
        try:
            auth = await client.login(profile.handle, profile.password)
        except ApiError:
            # The database was replaced or removed: start over with a new profile.
            client.token = None
            return session
        self.remember_local(profile.handle, profile.password, auth)
        session.user = auth.user
        return session

    async def open_remote(self, url: str) -> Session:
        config = self.config
        token = config.token if config.server == url else None
        if self.remote_transport is not None:
            http = httpx.AsyncClient(transport=self.remote_transport, base_url=url)
            client = RapportClient(http=http, token=token)
        else:
            client = RapportClient(base_url=url, token=token)
        cache = self.cache_dir(url)
        session = Session(
            client,
            OfflineQueue(self.data_dir / f"pending-{_slug(server_label(url))}.json"),
            label=server_label(url),
            local=False,
            url=url,
            cache_dir=cache,
            now=self.clock,
        )
        if token:
            try:
                await session.me()
            except ApiError as exc:
                if exc.status == 401:
                    client.token = None
            except httpx.TransportError:
                session.online = False
        return session

    async def open_demo(self, progress: Progress | None = None) -> Session:
        """A fresh demo profile in ``demo_dir`` (emptied first) or a temporary directory."""
        cleanup: Callable[[], None] | None = None
        if self.demo_dir is not None:
            folder = self.demo_dir
            shutil.rmtree(folder, ignore_errors=True)
        else:
            tmp = tempfile.TemporaryDirectory(prefix="rapport-demo-")
            folder = Path(tmp.name)
            cleanup = tmp.cleanup
        end = self.demo_end or datetime.now(UTC)
        clock = DemoClock(end)
        server = await self._local_server(folder / "demo.db", clock)
        http = await server.start()

        async def close() -> None:
            await server.stop()
            if cleanup is not None:
                cleanup()

        client = RapportClient(http=http)
        session = Session(
            client, OfflineQueue(None), label=f"demo · {LOCAL_LABEL}", local=True, demo=True,
            on_close=close,
        )  # fmt: skip
        timezone = usable_timezone(self.demo_timezone or system_timezone())
        try:
            auth = await build_demo(
                client, clock, end=end, timezone=timezone, days=self.demo_days, progress=progress
            )
        except BaseException:
            await session.close()
            raise
        if self.demo_end is None:
            clock.release()  # from now on the demo lives in real time
        session.user = auth.user
        return session

    # -- remembering ---------------------------------------------------------------------

    def remember_local(self, handle: str, password: str, auth: schemas.AuthResult) -> None:
        if self.demo:
            return
        config = self.config
        config.local = LocalProfile(handle=handle, password=password, token=auth.token)
        config.server = None
        self.config_store.save(config)

    def remember_remote(self, url: str, auth: schemas.AuthResult) -> None:
        if self.demo:
            return
        config = self.config
        config.server, config.token, config.handle = url, auth.token, auth.user.handle
        self.config_store.save(config)

    def use_local(self) -> None:
        """Make the embedded server the default again (a remote token is forgotten)."""
        if self.demo:
            return
        config = self.config
        config.server = config.token = None
        self.config_store.save(config)

    def forget_token(self, session: Session) -> None:
        if self.demo:
            return
        config = self.config
        if session.local and config.local is not None:
            config.local.token = None
        elif not session.local:
            config.token = None
        self.config_store.save(config)

    def remember_theme(self, theme: str) -> None:
        if self.demo:
            return
        config = self.config
        if config.theme != theme:
            config.theme = theme
            self.config_store.save(config)
