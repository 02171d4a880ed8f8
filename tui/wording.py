"""The words the client shows for API values: schedules, kinds, ledger reasons, errors.

Presentation only: no rule of the game is decided here (those live on the server).
"""

from __future__ import annotations

from datetime import date
from typing import get_args

import httpx

from shared import schemas
from shared.client import ApiError

WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

CATEGORY_LABEL = {"results": "Results", "relationships": "Relationships"}

# The difficulties as the contract lists them, from the fewest points to the most (the
# points themselves are the server's rule: the client does not restate them).
DIFFICULTIES: tuple[schemas.Difficulty, ...] = get_args(schemas.Difficulty)


def schedule_text(schedule: schemas.Schedule) -> str:
    """``daily``, ``Mon-Fri``, ``3x a week``, ``every 14 days``."""
    if isinstance(schedule, schemas.Daily):
        return "daily"
    if isinstance(schedule, schemas.Weekdays):
        days = sorted(set(schedule.days))
        if days == [1, 2, 3, 4, 5]:
            return "Mon-Fri"
        if days == [6, 7]:
            return "weekends"
        if len(days) == 7:
            return "daily"
        if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
            return f"{WEEKDAY_NAMES[days[0] - 1]}-{WEEKDAY_NAMES[days[-1] - 1]}"
        return ", ".join(WEEKDAY_NAMES[d - 1] for d in days)
    if isinstance(schedule, schemas.TimesPerWeek):
        return "once a week" if schedule.times == 1 else f"{schedule.times}x a week"
    return f"every {schedule.n} days"


def kind_text(habit: schemas.Habit | schemas.CatalogHabit) -> str:
    return "yes/no" if habit.kind == "check" else f"count to {habit.target}"


def reason_text(reason: str) -> str:
    """A ledger reason in words: ``milestone:21`` is "21-day milestone"."""
    if reason.startswith("undo:"):
        return f"Undo: {reason_text(reason[5:]).lower()}"
    if reason.startswith("rescore:"):
        return f"Re-priced: {reason_text(reason[8:]).lower()}"
    if reason == "checkin":
        return "Check-in"
    if reason == "balance_bonus":
        return "Balance bonus"
    if reason.startswith("milestone:"):
        return f"Milestone: {reason.split(':', 1)[1]} in a row"
    return reason.replace("_", " ").capitalize()


def day_text(day: date, today: date | None = None) -> str:
    if today is not None:
        if day == today:
            return "today"
        if (today - day).days == 1:
            return "yesterday"
    return f"{day:%a} {day.day} {day:%b}"


def long_day_text(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


def error_text(exc: BaseException) -> str:
    """A one-line explanation for a notification (never a traceback)."""
    if isinstance(exc, ApiError):
        if exc.status == 401:
            return "Not signed in, or the session expired: log in again (ctrl+l)."
        if exc.status == 429:
            wait = f" Try again in {exc.retry_after} s." if exc.retry_after else ""
            return f"Too many attempts.{wait}"
        if exc.problem is not None:
            return exc.problem.detail[:1].upper() + exc.problem.detail[1:]
        return f"The server answered {exc.status}."
    if isinstance(exc, httpx.TimeoutException):
        return "The server took too long to answer."
    if isinstance(exc, httpx.TransportError):
        return "Cannot reach the server."
    if isinstance(exc, httpx.HTTPError):
        return f"Network error: {exc}"
    return str(exc) or type(exc).__name__


SERVICE_ERRORS = (ApiError, httpx.HTTPError)


def members_text(count: int) -> str:
    """
    >>> members_text(1), members_text(3)
    ('1 member', '3 members')
    """
    return f"{count} member" + ("" if count == 1 else "s")


def backdate_text(days: int) -> str:
    """
    >>> backdate_text(0), backdate_text(1), backdate_text(3)
    ('today only', 'today or yesterday', 'today or up to 3 days back')
    """
    if days <= 0:
        return "today only"
    return "today or yesterday" if days == 1 else f"today or up to {days} days back"


def rules_text(rules: schemas.Rules) -> str:
    """The help's "How it works", every number from the server's ``GET /catalog/rules``."""
    points = " · ".join(f"{p.difficulty} {p.points}" for p in rules.points)
    milestones = ", ".join(f"{m.streak} (+{m.bonus})" for m in rules.milestones)
    most = rules.max_multiplier_percent / 100
    return "\n".join(
        [
            f"[b]Check in[/b] {backdate_text(rules.backdate_days)}, never ahead.",
            "[b]Streaks[/b] count periods in a row: days, due weekdays, weeks or blocks of "
            "days. A [b]skip[/b] keeps a streak without growing it.",
            f"[b]Freezes[/b] ❄ are earned every {rules.freeze_every} in a row (at most "
            f"{rules.max_freezes}) and spent on a missed period.",
            f"[b]Points[/b] for a day done: {points}; +{rules.streak_step_percent}% per "
            f"period in a row, up to x{most:g}. Milestones in a row: {milestones}. "
            f"+{rules.balance_bonus} for a day with both sides. Only what the schedule asks "
            "pays: extra check-ins are kept, for 0 points.",
            f"[b]Levels[/b]: each asks {rules.xp_step} XP more than the one before.",
            "[b]Strength[/b] grows with each check-in and fades slowly with misses.",
            "[b]Offline[/b], check-ins wait here (↻) and are sent once, later.",
        ]
    )
