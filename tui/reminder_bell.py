"""Reminders that ring while the terminal client is open.

The client keeps the upcoming reminders the server lists (``GET /me/reminders``, already
moved by quiet hours, time zones and breaks; done and skipped days left out) and, when
one's moment comes, shows it once: a toast, and an alert the terminal can pass on to the
desktop (OSC 9, which iTerm2, Windows Terminal, kitty, WezTerm and others show as a
notification; other terminals ignore it) or a bell. The list is fetched again whenever the
data changes, so a habit checked in before its moment does not ring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared import schemas

# A reminder found this long after its moment (the laptop slept) is let go, unshown.
STALE_AFTER = timedelta(minutes=5)


def osc9(text: str) -> str:
    """The OSC 9 sequence that asks the terminal for a desktop notification.

    >>> osc9("Time for Listen")
    '\\x1b]9;Time for Listen\\x07'
    """
    clean = "".join(ch for ch in text if ch.isprintable())
    return f"\x1b]9;{clean}\x07"


@dataclass
class Bell:
    upcoming: list[schemas.UpcomingReminder] = field(default_factory=list)
    rung: set[tuple[str, str, str]] = field(default_factory=set)

    def plan(self, upcoming: list[schemas.UpcomingReminder]) -> None:
        """The server's latest list replaces the one held."""
        self.upcoming = list(upcoming)

    def due(self, now: datetime) -> list[schemas.UpcomingReminder]:
        """The reminders whose moment has come, each once; stale ones are dropped unshown."""
        ringing = []
        left = []
        for r in self.upcoming:
            key = (str(r.habit_id), r.day.isoformat(), r.local_time)
            if r.at > now:
                left.append(r)
            elif key not in self.rung:
                self.rung.add(key)
                if now - r.at <= STALE_AFTER:
                    ringing.append(r)
        self.upcoming = left
        return ringing
