"""Rows as typed records. Plain values only: no rules, no JSON decoding of domain types.
Closed sets of values (categories, kinds, roles) take the contract's literal types."""

from __future__ import annotations

from datetime import date, datetime

import msgspec

from shared.schemas import Category, Difficulty, Kind, Relationship, Role


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
    challenges_completed: int = 0
    peer_confirmed: int = 0
    hidden_on_boards: bool = False
    quiet_start: str | None = None  # "HH:MM": quiet hours, both or neither
    quiet_end: str | None = None
    streak_at_risk: bool = True  # nudge before the day ends when a streak would break


class HabitRecord(msgspec.Struct, kw_only=True):
    id: str
    user_id: str
    title: str
    category: Category
    schedule: str  # JSON of the schedule union
    kind: Kind
    target: int
    difficulty: Difficulty
    template: str | None
    relationship: Relationship | None
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
    # JSON [[until, difficulty], ...]: days before ``until`` priced by that difficulty.
    difficulty_log: str = "[]"
    # First day whose streak may price a check-in (after an unverified import), or None.
    priced_from: date | None = None
    reminders: str = "[]"  # JSON ["HH:MM", ...]: local times, in order of the day


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


class TeamRecord(msgspec.Struct, kw_only=True):
    id: str
    name: str
    timezone: str
    created_at: datetime
    member_count: int
    goal_category: Category | None
    goal_target: int | None


class MemberRecord(msgspec.Struct, kw_only=True):
    team_id: str
    user_id: str
    role: Role
    hidden: bool
    alias: str
    joined_at: datetime
    joined_id: str
    handle: str = ""
    display_name: str = ""


class InviteRecord(msgspec.Struct, kw_only=True):
    id: str
    team_id: str
    code_hash: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


class BoardRow(msgspec.Struct, kw_only=True):
    user_id: str
    points: int
    handle: str
    display_name: str
    hidden: bool = False
    alias: str | None = None


class ChallengeRecord(msgspec.Struct, kw_only=True):
    id: str
    title: str
    description: str
    team_id: str | None
    starts_on: date
    ends_on: date
    goal_category: Category | None
    goal_template: str | None
    target: int
    reward_points: int
    template: str | None
    created_by: str | None
    created_at: datetime
    participants: int


class ConfirmationRecord(msgspec.Struct, kw_only=True):
    id: str
    checkin_id: str
    from_user: str
    to_user: str
    habit_title: str
    day: date
    created_at: datetime
    expires_at: datetime
    status: str
    decided_at: datetime | None


class ImportJobRecord(msgspec.Struct, kw_only=True):
    id: str
    user_id: str
    format: str
    state: str  # queued, reading, writing, done, failed
    rows_read: int
    habits: int
    report: str | None  # JSON of the ImportReport once done
    error: str | None  # JSON {status, title, detail} once failed
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


class BreakRecord(msgspec.Struct, kw_only=True):
    id: str
    user_id: str
    habit_id: str | None  # None: all of the user's habits
    starts_on: date
    ends_on: date
    reason: str | None
    created_at: datetime


class WebhookRecord(msgspec.Struct, kw_only=True):
    id: str
    user_id: str | None  # a user's webhook, or
    team_id: str | None  # a team's
    url: str
    events: str  # JSON list of event types; [] = all
    secret: str  # "whsec_" + base64
    created_by: str
    created_at: datetime


class PushSubscriptionRecord(msgspec.Struct, kw_only=True):
    id: str
    user_id: str
    endpoint: str
    p256dh: str
    auth: str
    created_at: datetime


class OutboxRecord(msgspec.Struct, kw_only=True):
    id: str  # the message id (a webhook's webhook-id)
    dedupe: str
    channel: str  # webhook, push, live
    target_id: str  # the webhook, the subscription, or the user (live)
    user_id: str | None
    team_id: str | None
    event: str
    payload: str  # JSON
    state: str  # pending, sent, failed
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    claimed_until: datetime | None = None
    finished_at: datetime | None = None


class DeliveryRecord(msgspec.Struct, kw_only=True):
    id: str
    message_id: str
    target_id: str
    event: str
    attempt: int
    status_code: int | None
    error: str | None
    at: datetime
