"""Rows as typed records. Plain values only: no rules, no JSON decoding of domain types."""

from __future__ import annotations

from datetime import date, datetime

import msgspec


class UserRecord(msgspec.Struct, kw_only=True):
    id: str
    handle: str
    display_name: str
    password_hash: str
    timezone: str
    day_start_hour: int
    points: int
    xp: int
    total_done: int
    balanced_days: int
    created_at: datetime


class HabitRecord(msgspec.Struct, kw_only=True):
    id: str
    user_id: str
    title: str
    category: str
    schedule: str  # JSON of the schedule union
    kind: str
    target: int
    difficulty: str
    template: str | None
    relationship: str | None
    archived: bool
    anchor_day: date
    created_at: datetime
    folded_through: date | None
    streak_current: int
    streak_best: int
    freezes: int
    freezes_used: int
    strength: float
    total_done: int


class CheckinRecord(msgspec.Struct, kw_only=True):
    id: str
    habit_id: str
    user_id: str
    day: date
    value: int
    note: str | None
    skip: bool
    witness: str | None
    request_digest: str
    result: str
    created_at: datetime
    deleted_at: datetime | None


class LedgerRecord(msgspec.Struct, kw_only=True):
    id: str
    user_id: str
    at: datetime
    day: date
    amount: int
    reason: str
    habit_id: str | None = None
    checkin_id: str | None = None
    challenge_id: str | None = None
    reverses: str | None = None


class BadgeRecord(msgspec.Struct, kw_only=True):
    slug: str
    earned_at: datetime


class DayTotals(msgspec.Struct, kw_only=True):
    results: int = 0
    relationships: int = 0
