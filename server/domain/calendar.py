"""The user's day: mapping instants to local dates, and the windows built on them.

A Rapport "day" is a date in the user's IANA time zone that starts at ``day_start_hour``
local time. The mapping works on wall-clock time, so a DST change shortens or lengthens a
day but never creates or removes one. When clocks go back, the repeated hour belongs to the
day the first pass was in: a day never starts twice.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# No habit history is older than this (imports, calendar ranges): nobody kept one then, and
# day arithmetic stays far from the ends of the calendar (year 1 and year 9999).
HISTORY_STARTS = date(2000, 1, 1)


class UnknownTimeZone(ValueError):
    """The name is not an IANA time zone this machine knows."""


@lru_cache(maxsize=1)
def iana_names() -> frozenset[str]:
    """The time zone names a person can mean: every name of the IANA tz database (from the
    tzdata package, so the same on every machine), links such as ``US/Pacific`` included,
    less ``Factory``; not the files a system keeps beside them (``localtime``,
    ``posixrules``, ``right/...``, ``posix/...``).

    >>> names = iana_names()
    >>> "Asia/Kathmandu" in names, "US/Pacific" in names, "UTC" in names
    (True, True, True)
    >>> "localtime" in names, "posixrules" in names, "right/UTC" in names, "Factory" in names
    (False, False, False, False)
    """
    listed = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(listed.split()) - {"Factory"}


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The ``ZoneInfo`` for an IANA name; raises ``UnknownTimeZone`` for anything else."""
    if not name or name != name.strip() or name.startswith(("/", ".")) or ".." in name:
        raise UnknownTimeZone(name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise UnknownTimeZone(name) from exc


def local_day(instant: datetime, tz: str, day_start_hour: int = 0) -> date:
    """The user's day that ``instant`` falls in.

    >>> from datetime import datetime, UTC
    >>> local_day(datetime(2026, 3, 10, 6, 30, tzinfo=UTC), "Europe/Berlin", 4)
    datetime.date(2026, 3, 10)
    >>> local_day(datetime(2026, 3, 10, 0, 30, tzinfo=UTC), "Europe/Berlin", 4)  # 01:30 local
    datetime.date(2026, 3, 9)
    """
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    local = instant.astimezone(zone(tz))
    wall = local.replace(tzinfo=None)
    if local.fold:
        # The repeated hour after clocks go back: keep counting on the first pass's clock,
        # so a day that started in the first pass does not end again in the second.
        first_pass = local.replace(fold=0).utcoffset()
        second_pass = local.utcoffset()
        if first_pass is not None and second_pass is not None:
            wall += first_pass - second_pass
    return (wall - timedelta(hours=day_start_hour)).date()


def week_start(day: date) -> date:
    """Monday of the ISO week that ``day`` is in."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)
