"""Delivering notifications: which events exist, where they may go, how often a failed
delivery is tried again, and when a streak is at risk (documented in docs/operations.md,
"Notifications", and docs/gamification.md, "Reminders").

- **Retries.** A delivery that fails (a network error, a timeout, an answer other than
  2xx) is tried again after ``backoff``: 10 s, 20 s, 40 s, ... doubling up to an hour,
  each wait drawn at random from its upper half (jitter, so a receiver that comes back is
  not hit by every sender at once). After ``MAX_ATTEMPTS`` tries the message is given up.
- **Addresses.** Outgoing requests go only to public addresses: never loopback, private,
  link-local, multicast or reserved ones (a webhook pointed at 169.254.169.254 or at the
  database's port is refused), unless the operator allows private ones for an on-premise
  install. The check is made on every address the host name resolves to, when sending.
- **Streak at risk.** A streak of at least ``RISK_MIN_STREAK`` periods that would be lost
  at the end of today (the period ends today unmet and no freeze covers it) earns one nudge
  a few hours before the user's day ends.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from server.domain import streaks
from server.domain.calendar import zone
from server.domain.schedule import Cadence

USER_EVENTS: Final = (
    "habit.reminder",
    "streak.at_risk",
    "checkin.created",
    "badge.earned",
    "challenge.completed",
)
TEAM_EVENTS: Final = ("team.board.weekly", "team.member.joined", "team.challenge.completed")

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=10)
LONGEST_WAIT = timedelta(hours=1)
MAX_WEBHOOKS = 5  # per user, and per team
MAX_PENDING_PER_TARGET = 200  # messages waiting for one webhook or subscription; more: dropped
PER_TARGET_IN_BATCH = 2  # a slow receiver holds at most this many sending slots
MAX_PUSH_SUBSCRIPTIONS = 10  # per user
RISK_MIN_STREAK = 3


def backoff(attempts: int, draw: float) -> timedelta:
    """How long to wait after the ``attempts``-th failed try; ``draw`` in [0, 1) picks the
    wait within the upper half of the step.

    >>> [backoff(n, 0.0).total_seconds() for n in (1, 2, 3)]
    [5.0, 10.0, 20.0]
    >>> backoff(1, 0.999).total_seconds() < 10, backoff(20, 0.999) <= LONGEST_WAIT
    (True, True)
    """
    step: timedelta = min(FIRST_RETRY * 2 ** (max(attempts, 1) - 1), LONGEST_WAIT)
    return step / 2 + step / 2 * draw


def gives_up(attempts: int) -> bool:
    """Whether a message that failed ``attempts`` times is given up.

    >>> gives_up(MAX_ATTEMPTS - 1), gives_up(MAX_ATTEMPTS)
    (False, True)
    """
    return attempts >= MAX_ATTEMPTS


def succeeded(status_code: int) -> bool:
    """Only a 2xx answer is a delivery.

    >>> succeeded(204), succeeded(301), succeeded(500)
    (True, False, False)
    """
    return 200 <= status_code < 300


def push_gone(status_code: int) -> bool:
    """A push service's 404 or 410: the subscription no longer exists.

    >>> push_gone(410), push_gone(429)
    (True, False)
    """
    return status_code in (404, 410)


def address_allowed(address: str, allow_private: bool) -> bool:
    """Whether an outgoing request may go to this IP address.

    IPv6 addresses that carry an IPv4 one (mapped, compatible, NAT64, 6to4) are judged
    by the address they carry.

    >>> [address_allowed(a, False) for a in ("93.184.215.14", "127.0.0.1", "10.1.2.3",
    ...  "169.254.169.254", "::1", "fd00::1", "::ffff:127.0.0.1", "0.0.0.0")]
    [True, False, False, False, False, False, False, False]
    >>> [address_allowed(a, False) for a in ("::127.0.0.1", "64:ff9b::a9fe:a9fe",
    ...  "2002:7f00:1::", "64:ff9b::5db8:d70e", "2606:4700::1111")]
    [False, False, False, True, True]
    >>> address_allowed("127.0.0.1", True)
    True
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if allow_private:
        return True
    if isinstance(ip, ipaddress.IPv6Address):
        carried = _carried_ipv4(ip)
        if carried is not None:
            ip = carried
    return ip.is_global and not ip.is_multicast


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_COMPATIBLE = ipaddress.ip_network("::/96")


def _carried_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def wanted(events: list[str], event: str) -> bool:
    """Whether a webhook that asked for ``events`` (none: all) gets ``event``.

    >>> wanted([], "badge.earned"), wanted(["habit.reminder"], "badge.earned")
    (True, False)
    """
    return not events or event in events


def streak_at_risk(
    progress: streaks.Progress, cad: Cadence, records: list[streaks.DayRecord], today: date
) -> int:
    """The streak (3 or more) that reads 0 tomorrow if nothing more is done today, or 0.
    ``progress`` is the settled state, ``records`` the days since.

    >>> from server.domain.schedule import Daily, cadence
    >>> daily = cadence(Daily(), date(2026, 3, 1))
    >>> done = [streaks.DayRecord(day=date(2026, 3, d), done=True) for d in (1, 2, 3)]
    >>> streak_at_risk(streaks.EMPTY, daily, done, date(2026, 3, 4))  # not done yet today
    3
    >>> streak_at_risk(streaks.EMPTY, daily, done[1:], date(2026, 3, 4))  # only 2
    0
    """
    tallies = streaks.tally(cad, records)
    now = streaks.evaluate(progress, cad, tallies, today).current
    tomorrow = streaks.evaluate(progress, cad, tallies, today + timedelta(days=1)).current
    return now if now >= RISK_MIN_STREAK and tomorrow == 0 else 0


def day_end(day: date, timezone: str, day_start_hour: int) -> datetime:
    """The instant the user's ``day`` ends (their next day starts).

    >>> day_end(date(2026, 3, 10), "Europe/Berlin", 4)
    datetime.datetime(2026, 3, 11, 3, 0, tzinfo=datetime.timezone.utc)
    """
    following = day + timedelta(days=1)
    local = datetime.combine(following, time(day_start_hour), tzinfo=zone(timezone))
    return local.astimezone(UTC)


def week_begun(now: datetime, timezone: str) -> date:
    """The Monday of the team's week at ``now`` (the weekly board goes out once it begins).

    >>> week_begun(datetime(2026, 3, 8, 23, 30, tzinfo=UTC), "Europe/Berlin")  # Mon 00:30
    datetime.date(2026, 3, 9)
    """
    local = now.astimezone(zone(timezone)).date()
    return local - timedelta(days=local.weekday())
