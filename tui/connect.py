"""Opening sessions: the embedded server, a remote one, or the demo; and remembering them.

``Connector`` decides from the command line and the config file where the client talks
to, opens a ``Session`` there, and writes tokens back to the config file after a login.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from shared import schemas
from shared.client import ApiError, RapportClient
from tui.config import Config, ConfigStore, LocalProfile, data_home, system_timezone
from tui.demo import DEMO_DAYS, DemoClock, build_demo
from tui.launch import Clock, LocalServer, TransportWrapper
from tui.offline import OfflineQueue
from tui.session import Session

Progress = Callable[[float, str], None]

LOCAL_LABEL = "this computer"


def server_label(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc or url


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "server"


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

    def _local_server(self, database: Path, clock: Clock | None) -> LocalServer:
        server = LocalServer(
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
        server = self._local_server(self.data_dir / "rapport.db", self.clock)
        http = await server.start()
        client = RapportClient(http=http)
        session = Session(
            client,
            OfflineQueue(self.data_dir / "pending-local.json"),
            label=LOCAL_LABEL,
            local=True,
            on_close=server.stop,
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
        cache = self.data_dir / "cache" / _slug(server_label(url))
        session = Session(
            client,
            OfflineQueue(self.data_dir / f"pending-{_slug(server_label(url))}.json"),
            label=server_label(url),
            local=False,
            url=url,
            cache_dir=cache,
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
        server = self._local_server(folder / "demo.db", clock)
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
