"""How long a key (a user, an address, a handle at an address) must wait, from the log
of its recent hits (epoch seconds, oldest first). Used by ``services/limits.py``.

- ``Window``: at most ``limit`` hits in any ``seconds`` (new accounts, writes, failed
  logins per address and per handle);
- ``Backoff``: ``free`` failures, then a pause before each next try that doubles with
  every further failure, up to ``cap`` (failed logins of one handle from one address).

>>> from datetime import UTC, datetime
>>> now = datetime(2026, 3, 11, 12, tzinfo=UTC).timestamp()
>>> Window(limit=2, seconds=60).wait([now - 70, now - 5], now)  # one has left the window
>>> Window(limit=2, seconds=60).wait([now - 30, now - 5], now)  # the older leaves in 30 s
30
>>> rule = Backoff(free=3, first_pause=60, cap=3600)
>>> rule.wait([now - 50, now - 40], now) is None  # two failures: try again at once
True
>>> rule.wait([now - 50, now - 40, now - 30], now)  # three: the next a minute after the last
30
>>> rule.wait([now - 500, now - 400, now - 300, now - 100], now)  # four: two minutes after the last
20
>>> rule.wait([now - 3700, now - 30, now - 20], now) is None  # an hour's quiet forgets one
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol


class Rule(Protocol):
    @property
    def horizon(self) -> int:
        """Seconds after which a hit no longer matters."""
        ...

    def kept(self, hits: list[float], now: float) -> list[float]:
        """The hits (epoch seconds, oldest first) a decision still needs."""
        ...

    def wait(self, kept: list[float], now: float) -> int | None:
        """Seconds until a key with these hits may try again; None when it may now."""
        ...


@dataclass(frozen=True)
class Window:
    """At most ``limit`` hits in any ``seconds``."""

    limit: int
    seconds: int = 60

    @property
    def horizon(self) -> int:
        return self.seconds

    def kept(self, hits: list[float], now: float) -> list[float]:
        return [h for h in hits if h > now - self.seconds][-self.limit :]

    def wait(self, kept: list[float], now: float) -> int | None:
        kept = self.kept(kept, now)
        if len(kept) < self.limit:
            return None
        return max(1, math.ceil(kept[0] + self.seconds - now))


@dataclass(frozen=True)
class Backoff:
    """``free`` tries, then a pause after the last one that doubles with each further try
    (``first_pause``, twice that, ... up to ``cap``); a try ``cap`` seconds old is forgotten."""

    free: int
    first_pause: int = 60
    cap: int = 3600

    @property
    def horizon(self) -> int:
        return self.cap

    def _doublings(self) -> int:
        return max(0, math.ceil(math.log2(self.cap / self.first_pause)))

    def kept(self, hits: list[float], now: float) -> list[float]:
        return [h for h in hits if h > now - self.cap][-(self.free + self._doublings()) :]

    def wait(self, kept: list[float], now: float) -> int | None:
        kept = self.kept(kept, now)
        beyond = len(kept) - self.free
        if beyond < 0:
            return None
        pause = min(self.cap, self.first_pause * 2**beyond)
        left = kept[-1] + pause - now
        return math.ceil(left) if left > 0 else None
