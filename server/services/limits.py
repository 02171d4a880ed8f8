"""Abuse limits: failed logins, new accounts, writes.

Each limit keeps a log per key (a user, an address, a handle at an address) and asks a
rule of ``domain/limits.py`` how long the key must wait. On SQLite (one process) the logs
are kept in memory. On PostgreSQL, where several instances serve the same users, they are
kept in the database (``rate_logs``) and changed by compare-and-swap, so a limit holds
exactly across every instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from server.domain.limits import Backoff, Rule, Window
from server.services.errors import RateLimited
from server.settings import Settings
from server.store.areas.rates import RateLogs, decoded
from server.store.database import Connection, Contention, Database
from server.store.transaction import Transaction


class Limiter(Protocol):
    rule: Rule

    async def check(self, key: str, now: datetime) -> int | None:
        """Seconds until ``key`` may try again, or None when it may try now (counts nothing)."""
        ...

    async def take(self, key: str, now: datetime) -> int | None:
        """Count one for ``key`` if the rule allows it now; else the seconds to wait."""
        ...

    async def give_back(self, key: str, now: datetime) -> None:
        """Uncount the hit ``take`` counted for ``key`` at ``now`` (the try turned out fine)."""
        ...

    async def forget(self, key: str) -> None:
        """Drop ``key``'s log (a success wipes a run of failures)."""
        ...


class LocalLimiter:
    """This process's own logs (SQLite: one process serves every request)."""

    def __init__(self, rule: Rule, *, max_keys: int = 100_000) -> None:
        self.rule = rule
        self.max_keys = max_keys
        self._hits: dict[str, list[float]] = {}

    def _kept(self, key: str, now: float) -> list[float]:
        kept = self.rule.kept(self._hits.pop(key, []), now)
        if kept:
            self._hits[key] = kept  # re-inserted: the dict stays oldest-used first
        return kept

    async def check(self, key: str, now: datetime) -> int | None:
        return self.rule.wait(self._kept(key, now.timestamp()), now.timestamp())

    async def take(self, key: str, now: datetime) -> int | None:
        kept = self._kept(key, now.timestamp())
        waited = self.rule.wait(kept, now.timestamp())
        if waited is not None:
            return waited
        if not kept and len(self._hits) >= self.max_keys:
            # Forget the longest-unused key rather than grow without bound under a flood.
            self._hits.pop(next(iter(self._hits)))
        self._hits[key] = [*kept, now.timestamp()]
        return None

    async def give_back(self, key: str, now: datetime) -> None:
        self._hits[key] = _without(self._hits.get(key, []), now.timestamp())

    async def forget(self, key: str) -> None:
        self._hits.pop(key, None)


def _without(hits: list[float], hit: float) -> list[float]:
    """``hits`` less the last one at ``hit``."""
    for i in range(len(hits) - 1, -1, -1):
        if hits[i] == hit:
            return hits[:i] + hits[i + 1 :]
    return hits


class SharedLimiter:
    """The same logs, kept in the database so every instance on it shares them.

    A change reads the key's log, decides, and writes the new log only if the log is still
    what it read (compare and swap); a request that lost the race reads and decides
    again. Two statements, no transaction held open, and exact: concurrent requests on
    several instances can never count past the limit."""

    TRIES = 20  # each lost race means another request's hit was counted

    def __init__(self, db: Database, name: str, rule: Rule) -> None:
        self.db = db
        self.name = name
        self.rule = rule
        self._swept = 0.0  # when this instance last dropped logs gone quiet

    def _rates(self, conn: Connection) -> RateLogs:
        return Transaction(conn, areas=self.db.areas).rates

    async def check(self, key: str, now: datetime) -> int | None:
        async with self.db.read(snapshot=False) as conn:
            hits = decoded(await self._rates(conn).read(self.name, key))
        return self.rule.wait(hits, now.timestamp())

    async def take(self, key: str, now: datetime) -> int | None:
        at = now.timestamp()
        waited: int | None = None

        def counted(hits: list[float]) -> list[float] | None:
            nonlocal waited
            kept = self.rule.kept(hits, at)
            waited = self.rule.wait(kept, at)
            return None if waited is not None else [*kept, at]

        await self._change(key, now, counted)
        return waited

    async def give_back(self, key: str, now: datetime) -> None:
        await self._change(key, now, lambda hits: _without(hits, now.timestamp()))

    async def forget(self, key: str) -> None:
        async with self.db.autocommit() as conn:
            await self._rates(conn).drop(self.name, key)

    async def _change(self, key: str, now: datetime, change: _Change) -> None:
        """Apply ``change`` to the key's log (None: leave it as it is), retrying lost races."""
        async with self.db.autocommit() as conn:
            rates = self._rates(conn)
            for _ in range(self.TRIES):
                logged = await rates.read(self.name, key)
                new = change(decoded(logged))
                if new is None or await rates.swap(self.name, key, logged, new, now):
                    break
            else:
                raise Contention(f"{self.name} for one key changed {self.TRIES} times at once")
            if now.timestamp() - self._swept >= self.rule.horizon:  # at most once a horizon
                self._swept = now.timestamp()
                await rates.forget_before(self.name, now - timedelta(seconds=self.rule.horizon))


class _Change(Protocol):
    def __call__(self, hits: list[float], /) -> list[float] | None: ...


@dataclass
class Limits:
    """The abuse limits, each counted per key."""

    # Failed logins of one handle from one address: backoff (the owner elsewhere is not
    # locked out by them); of one address, any handles; of one handle, any addresses.
    login_pairs: Limiter
    login_addresses: Limiter
    login_handles: Limiter
    registrations: Limiter  # new accounts per address
    writes: Limiter  # changes per user

    @classmethod
    def for_database(cls, settings: Settings, db: Database) -> Limits:
        """Shared counts where several instances may serve one database, else local ones."""
        rules: dict[str, Rule] = {
            "login_pairs": Backoff(free=settings.login_failures_per_minute),
            "login_addresses": Window(settings.login_failures_per_address_per_minute),
            "login_handles": Window(settings.login_failures_per_handle_per_minute),
            "registrations": Window(settings.registrations_per_minute),
            "writes": Window(settings.writes_per_minute),
        }
        made: dict[str, Limiter] = {
            name: SharedLimiter(db, name, rule) if db.shared else LocalLimiter(rule)
            for name, rule in rules.items()
        }
        return cls(**made)


async def take(limiter: Limiter, key: str, what: str, now: datetime) -> None:
    """Count one ``what`` for ``key``; 429 (RateLimited) once the rule says wait."""
    wait = await limiter.take(key, now)
    if wait is not None:
        raise RateLimited(f"too many {what}; try again in {wait} s", retry_after=wait)
