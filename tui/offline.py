"""The offline check-in queue: check-ins made while the server cannot be reached.

Each entry keeps the exact request body, client-made ``id`` and explicit ``day`` included,
so sending it again later is a replay the server recognises: an answer of 200 means the
server had it already and counts as delivered; nothing is ever counted twice. Entries are
persisted as one JSON object keyed by client id (in insertion order) and flushed in order.
A 409 or 422 answer means the server will never take the entry (the day was closed, the
habit archived...): it is dropped and reported. A network error stops the flush; the rest
waits for the next attempt.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import msgspec

from shared import schemas
from shared.client import ApiError, RapportClient

# Answers after which the entry can never succeed; anything else is retried later.
REJECTED = frozenset({400, 404, 409, 422})

_last_millis = 0
_sequence = 0


def client_id() -> uuid.UUID:
    """A UUIDv7 made on this machine: time-ordered, so "the latest check-in" is the
    largest id even when two share a millisecond (a counter fills the low bits)."""
    global _last_millis, _sequence
    millis = time.time_ns() // 1_000_000
    if millis <= _last_millis:
        millis = _last_millis
        _sequence += 1
    else:
        _sequence = secrets.randbits(8)
    _last_millis = millis
    rand = secrets.randbits(62)
    value = (millis & (2**48 - 1)) << 80 | 0x7 << 76 | (_sequence & 0xFFF) << 64
    value |= 0b10 << 62 | rand
    return uuid.UUID(int=value)


class PendingCheckIn(msgspec.Struct, kw_only=True):
    habit_id: uuid.UUID
    body: schemas.CheckInCreate
    queued_at: datetime
    # The account that queued it: another account logged in on the same server leaves it
    # for its owner (None: queued before owners were kept, sent by whoever is signed in).
    owner: uuid.UUID | None = None

    @property
    def id(self) -> uuid.UUID:
        assert self.body.id is not None
        return self.body.id

    @property
    def day(self) -> date:
        assert self.body.day is not None
        return self.body.day


class Rejected(msgspec.Struct, kw_only=True):
    entry: PendingCheckIn
    status: int
    reason: str


class FlushReport(msgspec.Struct, kw_only=True):
    delivered: list[schemas.CheckInResult] = msgspec.field(default_factory=list)
    rejected: list[Rejected] = msgspec.field(default_factory=list)
    remaining: int = 0
    # The error that stopped the flush early (None: the queue was emptied).
    stopped_by: str | None = None
    # Stopped because the server could not be reached at all.
    unreachable: bool = False


_decoder = msgspec.json.Decoder(dict[str, PendingCheckIn])
_encoder = msgspec.json.Encoder()


class OfflineQueue:
    """Pending check-ins persisted in one JSON file (``None``: kept in memory only)."""

    def __init__(self, path: Path | None, *, now: Callable[[], datetime] | None = None) -> None:
        self.path = path
        self._now = now or (lambda: datetime.now(UTC))
        self._entries: dict[str, PendingCheckIn] = self._read()

    def _read(self) -> dict[str, PendingCheckIn]:
        if self.path is None:
            return {}
        try:
            return _decoder.decode(self.path.read_bytes())
        except FileNotFoundError:
            return {}
        except (OSError, msgspec.DecodeError):
            # An unreadable queue is kept aside, never silently overwritten.
            with contextlib.suppress(OSError):
                self.path.replace(self.path.with_suffix(".corrupt.json"))
            return {}

    def _write(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(_encoder.encode(self._entries))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> list[PendingCheckIn]:
        return list(self._entries.values())

    def for_day(self, habit_id: uuid.UUID, day: date) -> list[PendingCheckIn]:
        return [e for e in self._entries.values() if e.habit_id == habit_id and e.day == day]

    def add(
        self, habit_id: uuid.UUID, body: schemas.CheckInCreate, owner: uuid.UUID | None = None
    ) -> PendingCheckIn:
        if body.id is None or body.day is None:
            raise ValueError("a queued check-in needs its client id and day")
        entry = PendingCheckIn(habit_id=habit_id, body=body, queued_at=self._now(), owner=owner)
        self._entries[str(body.id)] = entry
        self._write()
        return entry

    def waiting_for(self, owner: uuid.UUID | None) -> int:
        """How many entries a flush by ``owner`` would send (None: all of them)."""
        return sum(1 for e in self._entries.values() if owner is None or e.owner in (None, owner))

    def discard(self, checkin_id: uuid.UUID) -> PendingCheckIn | None:
        entry = self._entries.pop(str(checkin_id), None)
        if entry is not None:
            self._write()
        return entry

    async def flush(self, client: RapportClient, owner: uuid.UUID | None = None) -> FlushReport:
        """Send every entry in order; stop at the first answer that is not final. With an
        ``owner``, entries another account queued are left for it (never sent with this
        account's token, which the server would refuse, dropping them)."""
        report = FlushReport()
        for key, entry in list(self._entries.items()):
            if owner is not None and entry.owner is not None and entry.owner != owner:
                continue
            try:
                result = await client.check_in(entry.habit_id, entry.body)
            except httpx.TransportError as exc:
                report.stopped_by = f"server unreachable ({type(exc).__name__})"
                report.unreachable = True
                break
            except ApiError as exc:
                if exc.status not in REJECTED:
                    report.stopped_by = str(exc)
                    break
                reason = exc.problem.detail if exc.problem else f"HTTP {exc.status}"
                report.rejected.append(Rejected(entry=entry, status=exc.status, reason=reason))
            else:
                report.delivered.append(result)
            del self._entries[key]
            self._write()
        report.remaining = len(self._entries)
        return report
