"""Habit strength: an exponentially smoothed score from 0 to 1 (shown as 0-100).

After the idea in Loop Habit Tracker: each period moves the score towards that period's
result, by a step that depends on how often the habit is due. For a daily habit the score
halves in 13 days of misses (about two weeks), so one missed day costs about 5 % of the
score, not the months of work behind it. A period's result is the share of its required
done days that were done (1.0 when complete). Skipped periods leave the score alone; a
streak freeze protects the streak, not the score.
"""

from __future__ import annotations

from math import sqrt

HALF_LIFE_DAYS_AT_DAILY = 13.0


def decay_per_period(required: int, days_per_period: float) -> float:
    """How much of the score one period keeps before its own result is mixed in.

    Frequency ``f`` is done days per calendar day; the per-day decay is
    ``0.5 ** (sqrt(f) / 13)`` and a period spans ``days_per_period`` days.

    >>> round(decay_per_period(1, 1.0), 4)   # daily
    0.9481
    >>> round(decay_per_period(3, 7.0), 4)   # three times a week, per week
    0.7832
    """
    frequency = required / days_per_period
    return float(0.5 ** (sqrt(frequency) / HALF_LIFE_DAYS_AT_DAILY * days_per_period))


def after_period(score: float, result: float, decay: float) -> float:
    """The score after one period whose result is ``result`` (0..1)."""
    return score * decay + min(1.0, max(0.0, result)) * (1.0 - decay)


def after_missed_periods(score: float, missed: int, decay: float) -> float:
    """The score after ``missed`` periods with nothing done."""
    return score * decay**missed if missed > 0 else score


def percent(score: float) -> int:
    """The score as users see it: a whole number from 0 to 100."""
    return round(score * 100)
