"""A session: the typed client, the offline queue and where the server runs.

Screens talk to the service only through a ``Session`` (and its ``RapportClient``). Every
check-in goes through the offline queue first and is then flushed: one path for online and
offline, so a check-in made while the server was away is sent exactly like any other and
a lost answer is a harmless replay of the same client id.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import httpx
import msgspec

from shared import schemas
from shared.client import ApiError, RapportClient
from tui.offline import FlushReport, OfflineQueue, PendingCheckIn


class NothingToUndo(Exception):
    pass


class SavedToday(msgspec.Struct, kw_only=True):
    """Today's last answer as kept on disk (``today.json``): shown at once on the next
    start while the session opens, and whenever the server cannot be reached."""

    today: schemas.Today
    saved_at: datetime
    user: schemas.User | None = None


def read_saved_today(path: Path) -> SavedToday | None:
    try:
        return msgspec.json.decode(path.read_bytes(), type=SavedToday)
    except (OSError, msgspec.DecodeError):
        return None


class Session:
    def __init__(
        self,
        client: RapportClient,
        queue: OfflineQueue,
        *,
        label: str,
        local: bool,
        demo: bool = False,
        url: str | None = None,
        cache_dir: Path | None = None,
        on_close: Callable[[], Awaitable[None]] | None = None,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.client = client
        self.queue = queue
        # Where the server is, for the header: "this computer" or a host name.
        self.label = label
        self.local = local
        self.demo = demo
        # The server's address (None: in-process).
        self.url = url
        self.online = True
        self._cache = cache_dir / "today.json" if cache_dir else None
        # When the last ``today()`` came from the disk: the time it was saved (else None).
        self.today_saved_at: datetime | None = None
        self._on_close = on_close
        self._now = now or (lambda: datetime.now(UTC))
        self._flush_lock = asyncio.Lock()
        self._catalog: list[schemas.CatalogHabit] | None = None
        self._rules: schemas.Rules | None = None
        # Check-ins that an action on screen queued and reports itself (not "synced").
        self.awaiting: set[UUID] = set()
        self._answers: dict[UUID, schemas.CheckInResult] = {}
        self.user: schemas.User | None = None
        self.closed = False

    async def close(self) -> None:
        """Close the client and, for the embedded server, every database connection."""
        if self.closed:
            return
        self.closed = True
        await self.client.aclose()
        if self._on_close is not None:
            await self._on_close()
            self._on_close = None

    @property
    def signed_in(self) -> bool:
        return self.client.token is not None

    # -- reads ---------------------------------------------------------------------------

    async def today(self) -> schemas.Today:
        """Today from the server, or the last answer kept on disk when it is unreachable."""
        try:
            today = await self.client.today()
        except httpx.TransportError:
            self.online = False
            saved = read_saved_today(self._cache) if self._cache else None
            if saved is None:
                raise
            self.today_saved_at = saved.saved_at
            return saved.today
        self.online = True
        self.today_saved_at = None
        self._write_cache(today)
        return today

    async def today_on(self, day: date) -> schemas.Today:
        """The list of another day of the backdating window (never kept on disk)."""
        try:
            answer = await self.client.today(day=day)
        except httpx.TransportError:
            self.online = False
            raise
        self.online = True
        return answer

    async def catalog(self) -> list[schemas.CatalogHabit]:
        if self._catalog is None:
            self._catalog = await self.client.catalog_habits()
        return self._catalog

    async def rules(self) -> schemas.Rules:
        """The rules of the game as the server publishes them (fetched once a session)."""
        if self._rules is None:
            self._rules = await self.client.rules()
        return self._rules

    async def me(self) -> schemas.User:
        self.user = await self.client.me()
        return self.user

    def _write_cache(self, today: schemas.Today) -> None:
        if self._cache is None:
            return
        saved = SavedToday(today=today, saved_at=self._now(), user=self.user)
        with contextlib.suppress(OSError):
            self._cache.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = self._cache.with_suffix(".tmp")
            tmp.write_bytes(msgspec.json.encode(saved))
            tmp.replace(self._cache)

    # -- check-ins -----------------------------------------------------------------------

    async def flush(self) -> FlushReport:
        async with self._flush_lock:
            owner = self.user.id if self.user is not None else None
            report = await self.queue.flush(self.client, owner)
        if report.delivered or report.rejected or report.stopped_by:
            self.online = not report.unreachable
        # A check-in queued by one screen action may be sent by another's flush (they
        # wait on the same lock): keep each answer for the action that waits for it.
        for result in report.delivered:
            if result.checkin.id in self.awaiting:
                self._answers[result.checkin.id] = result
        return report

    def answer_for(self, checkin_id: UUID) -> schemas.CheckInResult | None:
        """The server's answer to a check-in an action queued and waits for (``awaiting``),
        whichever flush sent it."""
        return self._answers.pop(checkin_id, None)

    async def ping(self) -> bool:
        try:
            await self.client.health()
        except (httpx.TransportError, ApiError):
            self.online = False
        else:
            self.online = True
        return self.online

    async def undo_latest(
        self, habit_id: UUID, day: date, *, counts_only: bool = False
    ) -> PendingCheckIn | schemas.CheckIn:
        """Undo the newest check-in of ``habit_id`` on ``day``: a queued one is simply
        dropped; a delivered one is undone on the server. ``counts_only`` leaves skips."""
        for entry in reversed(self.queue.for_day(habit_id, day)):
            if counts_only and entry.body.skip:
                continue
            self.queue.discard(entry.id)
            return entry
        page = await self.client.checkins(habit_id, first=day, last=day, limit=200)
        candidates = [c for c in page.items if not (counts_only and c.skip)]
        if not candidates:
            raise NothingToUndo
        latest = max(candidates, key=lambda c: (c.created_at, c.id))
        await self.client.undo(habit_id, latest.id)
        return latest
