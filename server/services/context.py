"""What every use case needs: the database, the clock, the settings, the catalog."""

from __future__ import annotations

from dataclasses import dataclass, field

from argon2 import PasswordHasher

from server.catalog import Catalog
from server.clock import Clock
from server.services.limits import SlidingWindowLimiter
from server.settings import Settings
from server.store.database import Database


@dataclass
class Context:
    db: Database
    clock: Clock
    settings: Settings
    catalog: Catalog
    # argon2id with the library's RFC 9106 "low memory" defaults.
    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    login_limiter: SlidingWindowLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.login_limiter = SlidingWindowLimiter(
            limit=self.settings.login_failures_per_minute, window_seconds=60
        )
