"""Request and response bodies of the Rapport HTTP API v1 (see docs/api.md).

Request Structs forbid unknown fields (a typo is a 400, not silently ignored); response
Structs never do, so old clients keep reading newer servers. Constraints sit on the
fields, so a validation error names the field it is about.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

Category = Literal["results", "relationships"]
Kind = Literal["check", "count"]
Difficulty = Literal["trivial", "easy", "medium", "hard"]
Relationship = Literal["sponsor", "mentor", "peer", "network", "mentee"]

Handle = Annotated[
    str,
    Meta(
        min_length=3,
        max_length=32,
        pattern=r"^[a-z0-9][a-z0-9_.-]*$",
        description="3-32 characters: lowercase letters, digits, '_', '.', '-'.",
    ),
]
# Text a person typed: no control characters (NUL, escapes; tab and line breaks are fine)
# and no bidirectional overrides, which can make a name read as another. The character
# classes are public so that importers clean other apps' text by the very same rule.
_NEVER = r"\x7f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff"
PLAIN_TEXT_REFUSED = r"[\x00-\x08\x0b\x0c\x0e-\x1f" + _NEVER + "]"
PLAIN_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f" + _NEVER + "]*$"
# A name or title: plain text on one line (no tab or line break either).
ONE_LINE_REFUSED = r"[\x00-\x1f" + _NEVER + "]"
ONE_LINE = r"^[^\x00-\x1f" + _NEVER + "]*$"
Password = Annotated[str, Meta(min_length=8, max_length=256)]
DisplayName = Annotated[str, Meta(min_length=1, max_length=80, pattern=ONE_LINE)]
TimeZoneName = Annotated[
    str, Meta(min_length=1, max_length=64, description="IANA time zone, e.g. Europe/Berlin")
]
DayStartHour = Annotated[int, Meta(ge=0, le=23)]
Title = Annotated[str, Meta(min_length=1, max_length=120, pattern=ONE_LINE)]
Slug = Annotated[str, Meta(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9-]*$")]
Target = Annotated[int, Meta(ge=1, le=10_000)]
Note = Annotated[str, Meta(max_length=500, pattern=PLAIN_TEXT)]
# A time of day on the user's own clock, HH:MM (24 h).
LocalTime = Annotated[str, Meta(min_length=5, max_length=5, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Reminders = Annotated[
    list[LocalTime],
    Meta(max_length=5, description="up to 5 local times a day the habit reminds its owner"),
]


class Request(Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of request bodies."""


class Response(Struct, kw_only=True):
    """Base of response bodies."""


# -- schedules ----------------------------------------------------------------------------


class Daily(Struct, frozen=True, kw_only=True, tag="daily", tag_field="type"):
    pass


class Weekdays(Struct, frozen=True, kw_only=True, tag="weekdays", tag_field="type"):
    days: Annotated[
        list[Annotated[int, Meta(ge=1, le=7)]],
        Meta(min_length=1, max_length=7, description="ISO weekdays, 1 = Monday .. 7 = Sunday"),
    ]


class TimesPerWeek(Struct, frozen=True, kw_only=True, tag="times_per_week", tag_field="type"):
    times: Annotated[int, Meta(ge=1, le=7)]


class EveryNDays(Struct, frozen=True, kw_only=True, tag="every_n_days", tag_field="type"):
    n: Annotated[int, Meta(ge=2, le=365)]


Schedule = Daily | Weekdays | TimesPerWeek | EveryNDays


# -- auth and profile ---------------------------------------------------------------------


class RegisterRequest(Request):
    handle: Handle
    password: Password
    display_name: DisplayName | None = None
    timezone: TimeZoneName = "UTC"
    day_start_hour: DayStartHour = 0


class LoginRequest(Request):
    handle: Annotated[str, Meta(min_length=1, max_length=32, pattern=PLAIN_TEXT)]
    password: Annotated[str, Meta(min_length=1, max_length=256)]


class QuietHours(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """No reminder rings from ``start`` to ``end`` (local; may span midnight): one due
    then rings at ``end``."""

    start: LocalTime
    end: LocalTime


class Notifications(Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    # A nudge before the day ends when a streak of 3 or more would break tonight.
    streak_at_risk: bool = True
    quiet_hours: QuietHours | None = None


class ProfilePatch(Request):
    display_name: DisplayName | UnsetType = UNSET
    timezone: TimeZoneName | UnsetType = UNSET
    day_start_hour: DayStartHour | UnsetType = UNSET
    # True: shown as "Hidden member" with a stand-in id on every team and challenge board
    # (public ones included) to everyone but yourself.
    hidden_on_boards: bool | UnsetType = UNSET
    notifications: Notifications | UnsetType = UNSET


class User(Response):
    id: UUID
    handle: str
    display_name: str
    timezone: str
    day_start_hour: int
    level: int
    xp: int
    # The XP this level started at and the XP the next one starts at (for an XP bar).
    level_xp: int
    next_level_xp: int
    points: int
    streak_freezes: int
    created_at: datetime
    # Hidden on every board to everyone but yourself (PATCH /me {"hidden_on_boards": true}).
    hidden_on_boards: bool = False
    notifications: Notifications = Notifications()


class AuthResult(Response):
    user: User
    token: str
    expires_at: datetime


# -- catalog ------------------------------------------------------------------------------


class CatalogHabit(Response):
    slug: str
    title: str
    why: str
    category: Category
    schedule: Schedule
    kind: Kind
    target: int
    difficulty: Difficulty
    relationship: Relationship | None = None
    # A results habit with a natural witness (a promise kept is kept *to* someone): a
    # habit adopted from it may name a witness on a check-in, like a relationships habit.
    witnessed: bool = False


class ChallengeGoal(Response):
    target: int
    category: Category | None = None
    template: str | None = None


class CatalogChallenge(Response):
    slug: str
    title: str
    description: str
    duration_days: int
    reward_points: int
    goal: ChallengeGoal


class DifficultyPoints(Response):
    difficulty: Difficulty
    points: int  # for a day done, before the streak multiplier


class MilestoneBonus(Response):
    streak: int  # periods in a row
    bonus: int


class Rules(Response):
    """The rules of the game as numbers, for clients to explain them (never to apply
    them: the server scores). docs/gamification.md tells them in words."""

    points: list[DifficultyPoints]  # from the fewest points to the most
    streak_step_percent: int  # the multiplier grows this much per period of the streak
    max_multiplier_percent: int  # and stops here
    milestones: list[MilestoneBonus]
    balance_bonus: int  # once a day, for check-ins on both sides that pay
    freeze_every: int  # a streak freeze is earned every this many periods in a row
    max_freezes: int  # held at most
    backdate_days: int  # check-ins may go this many days back (0: today only)
    xp_step: int  # each level asks for this much more XP than the one before


# -- habits -------------------------------------------------------------------------------


class HabitCreate(Request):
    """Either ``template`` (a catalog slug, other fields override it) or a custom habit
    with at least ``title``, ``category`` and ``schedule``."""

    id: UUID | None = None
    template: Slug | None = None
    title: Title | None = None
    category: Category | None = None
    schedule: Schedule | None = None
    kind: Kind | None = None
    target: Target | None = None
    difficulty: Difficulty | None = None
    relationship: Relationship | None = None
    reminders: Reminders = []


class HabitPatch(Request):
    title: Title | UnsetType = UNSET
    category: Category | UnsetType = UNSET
    schedule: Schedule | UnsetType = UNSET
    kind: Kind | UnsetType = UNSET
    target: Target | UnsetType = UNSET
    difficulty: Difficulty | UnsetType = UNSET
    relationship: Relationship | UnsetType | None = UNSET
    archived: bool | UnsetType = UNSET
    reminders: Reminders | UnsetType = UNSET


class Habit(Response):
    id: UUID
    title: str
    category: Category
    schedule: Schedule
    kind: Kind
    target: int
    difficulty: Difficulty
    archived: bool
    created_at: datetime
    template: str | None = None
    relationship: Relationship | None = None
    reminders: list[str] = []


class UpcomingReminder(Response):
    """A reminder that will ring: ``at`` is the UTC instant (after quiet hours), so a
    native app can schedule a local notification and remind offline."""

    habit_id: UUID
    title: str
    day: date  # the user's day it reminds about
    local_time: str  # "HH:MM" as set on the habit
    at: datetime


class BreakCreate(Request):
    """A planned pause of a habit (or of all habits) on the user's days ``starts_on``
    through ``ends_on``: today or later, at most 92 days long."""

    starts_on: date
    ends_on: date
    reason: Annotated[str, Meta(max_length=120, pattern=ONE_LINE)] | None = None


class Break(Response):
    id: UUID
    habit_id: UUID | None  # null: all of the user's habits
    starts_on: date
    ends_on: date
    reason: str | None
    created_at: datetime


class HabitPage(Response):
    items: list[Habit]
    next_cursor: str | None


class TodayHabit(Response):
    habit: Habit
    due: bool
    done: bool
    skipped: bool
    value: int
    streak: int
    strength: int
    on_break: bool = False  # a planned break covers today: nothing is asked


class Balance7(Response):
    results: int
    relationships: int
    ratio: float | None


class Today(Response):
    day: date
    habits: list[TodayHabit]
    points_today: int
    balance: Balance7


class HabitStats(Response):
    current_streak: int
    best_streak: int
    strength: int
    completion_rate_28d: float
    total_checkins: int
    last_done_on: date | None
    streak_freezes: int


class CalendarDay(Response):
    day: date
    value: int
    done: bool
    skipped: bool


# -- check-ins ----------------------------------------------------------------------------


class CheckInCreate(Request):
    id: UUID | None = None
    day: date | None = None
    value: Annotated[int, Meta(ge=1, le=100_000)] = 1
    note: Note | None = None
    skip: bool = False
    witness: UUID | None = None


class CheckIn(Response):
    id: UUID
    habit_id: UUID
    day: date
    value: int
    note: str | None
    skip: bool
    created_at: datetime
    witness: UUID | None = None


class CheckInPage(Response):
    items: list[CheckIn]
    next_cursor: str | None


class StreakSummary(Response):
    current: int
    best: int


class EarnedBadge(Response):
    slug: str
    title: str
    earned_at: datetime
    description: str = ""


NoPointsReason = Literal["skipped", "target_not_reached", "already_done", "not_due", "quota_met"]


class NoPoints(Response):
    """Why a check-in earned no check-in points (docs/gamification.md, "Fair play")."""

    reason: NoPointsReason
    detail: str


class CheckInResult(Response):
    checkin: CheckIn
    streak: StreakSummary
    points_awarded: int
    points_total: int
    level: int
    badges_earned: list[EarnedBadge]
    freeze_used: bool
    # Set when the check-in itself earned nothing: recorded, but no points, and why.
    no_points: NoPoints | None = None
    # Streak milestones (periods in a row) this check-in paid a bonus for, if any.
    milestones: list[int] = []


# -- points, badges, balance --------------------------------------------------------------


class LedgerEntry(Response):
    id: UUID
    at: datetime
    day: date
    amount: int
    reason: str
    habit_id: UUID | None = None
    checkin_id: UUID | None = None
    challenge_id: UUID | None = None


class LedgerPage(Response):
    items: list[LedgerEntry]
    next_cursor: str | None


class BalanceWindow(Response):
    results: int
    relationships: int
    ratio: float | None


class BalanceReport(Response):
    last_7_days: BalanceWindow
    last_28_days: BalanceWindow


# -- operations ---------------------------------------------------------------------------


class Health(Response):
    status: str


class FieldError(Response):
    field: str
    message: str


class Problem(Response, omit_defaults=True):
    """RFC 9457 problem details; ``errors`` names each bad field of a validation error."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    # The request's id (also in the X-Request-ID header): quote it when reporting a problem.
    request_id: str | None = None


# -- teams and leaderboards ---------------------------------------------------------------

TeamName = Annotated[str, Meta(min_length=1, max_length=80, pattern=ONE_LINE)]
Role = Literal["owner", "admin", "member"]
BoardPeriod = Literal["week", "month", "all"]


class TeamGoalSpec(Request):
    target: Annotated[int, Meta(ge=1, le=100_000)]
    category: Category | None = None


class TeamCreate(Request):
    name: TeamName
    timezone: TimeZoneName | None = None
    goal: TeamGoalSpec | None = None


class TeamPatch(Request):
    name: TeamName | UnsetType = UNSET
    timezone: TimeZoneName | UnsetType = UNSET
    goal: TeamGoalSpec | UnsetType | None = UNSET


class PublicUser(Response):
    id: UUID
    handle: str
    display_name: str


class Member(Response):
    user: PublicUser
    role: Role
    joined_at: datetime
    hidden: bool


class TeamGoal(Response):
    target: int
    category: Category | None
    week_starts_on: date
    progress: int


class Team(Response):
    id: UUID
    name: str
    timezone: str
    created_at: datetime
    member_count: int
    my_role: Role
    goal: TeamGoal | None = None
    members: list[Member] | None = None
    members_next_cursor: str | None = None


class MemberPage(Response):
    items: list[Member]
    next_cursor: str | None


class InviteCreate(Request):
    expires_in_hours: Annotated[int, Meta(ge=1, le=720)] = 72


class Invite(Response):
    id: UUID
    code: str
    expires_at: datetime


class InviteInfo(Response):
    id: UUID
    created_at: datetime
    expires_at: datetime


class JoinRequest(Request):
    code: Annotated[str, Meta(min_length=4, max_length=64)]


class Membership(Response):
    team: Team
    role: Role


class MemberPatch(Request):
    """``role`` (owner only): "owner" hands the team over, the old owner becomes admin."""

    role: Role | UnsetType = UNSET
    hidden: bool | UnsetType = UNSET


class BoardEntry(Response):
    rank: int
    user: PublicUser
    points: int
    hidden: bool = False
    me: bool = False


class BoardMe(Response):
    rank: int
    points: int


class Leaderboard(Response):
    period: BoardPeriod
    starts_on: date | None
    ends_on: date | None
    entries: list[BoardEntry]
    me: BoardMe | None
    next_cursor: str | None = None


# -- challenges ---------------------------------------------------------------------------


class ChallengeGoalSpec(Request):
    target: Annotated[int, Meta(ge=1, le=1000)]
    category: Category | None = None
    template: Slug | None = None


class ChallengeCreate(Request):
    """Start from a catalog ``template`` (other fields override it), or describe one."""

    template: Slug | None = None
    title: Title | None = None
    description: Annotated[str, Meta(max_length=500, pattern=PLAIN_TEXT)] | None = None
    team_id: UUID | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    goal: ChallengeGoalSpec | None = None


class MyProgress(Response):
    progress: int
    target: int
    completed: bool


class Challenge(Response):
    id: UUID
    title: str
    description: str
    starts_on: date
    ends_on: date
    goal: ChallengeGoal
    reward_points: int
    status: Literal["upcoming", "active", "ended"]
    participants: int
    team_id: UUID | None = None
    template: str | None = None
    my_progress: MyProgress | None = None


class ChallengePage(Response):
    items: list[Challenge]
    next_cursor: str | None


# -- peer confirmations -------------------------------------------------------------------


class PendingConfirmation(Response):
    id: UUID
    checkin_id: UUID
    from_: PublicUser = msgspec.field(name="from")
    habit_title: str
    day: date
    expires_at: datetime


class ConfirmationDecision(Request):
    confirm: bool


class ConfirmationOutcome(Response):
    id: UUID
    status: Literal["confirmed", "declined"]
    points_awarded: int


# -- sync ---------------------------------------------------------------------------------

ChangeKind = Literal["profile", "habit", "checkin", "ledger", "badge", "team", "challenge"]


class Change(Response):
    """One entity that changed: its current state, or ``deleted`` (a tombstone)."""

    kind: ChangeKind
    id: str
    deleted: bool = False
    profile: User | None = None
    habit: Habit | None = None
    checkin: CheckIn | None = None
    entry: LedgerEntry | None = None
    badge: EarnedBadge | None = None
    team: Team | None = None
    challenge: Challenge | None = None


class SyncPage(Response):
    changes: list[Change]
    cursor: str
    has_more: bool


# -- export and import --------------------------------------------------------------------


class ExportProfile(Struct, kw_only=True, forbid_unknown_fields=True):
    # Informational: an import keeps the importing account's own handle.
    handle: Annotated[str, Meta(max_length=32)]
    display_name: DisplayName
    timezone: TimeZoneName
    day_start_hour: DayStartHour
    created_at: datetime
    hidden_on_boards: bool = False


class ExportCheckIn(Struct, kw_only=True, forbid_unknown_fields=True):
    id: UUID
    day: date
    value: Annotated[int, Meta(ge=0, le=100_000)]
    skip: bool
    created_at: datetime
    note: Note | None = None
    undone_at: datetime | None = None
    # Came into the exporting account by an import this server could not verify (a Loop
    # file, a hand-made file): it brings history, never points.
    unverified: bool = False


class ExportBreak(Struct, kw_only=True, forbid_unknown_fields=True):
    starts_on: date
    ends_on: date
    reason: Annotated[str, Meta(max_length=120, pattern=ONE_LINE)] | None = None


# Fields that came after the first exports default to UNSET, which is left out of the
# JSON: a file made before them encodes again byte for byte, so its signature still holds.
ExportBreaks = Annotated[list[ExportBreak], Meta(max_length=200)]


class ExportHabit(Struct, kw_only=True, forbid_unknown_fields=True):
    id: UUID
    title: Title
    category: Category
    schedule: Schedule
    kind: Kind
    target: Target
    difficulty: Difficulty
    archived: bool
    created_at: datetime
    anchor_day: date
    checkins: Annotated[list[ExportCheckIn], Meta(max_length=20_000)]
    template: Slug | None = None
    relationship: Relationship | None = None
    reminders: Reminders | UnsetType = UNSET
    breaks: ExportBreaks | UnsetType = UNSET  # this habit's planned breaks


class ExportLedgerEntry(Struct, kw_only=True, forbid_unknown_fields=True):
    id: UUID
    at: datetime
    day: date
    amount: Annotated[int, Meta(ge=-100_000, le=100_000)]
    reason: Annotated[str, Meta(min_length=1, max_length=60)]
    habit_id: UUID | None = None
    checkin_id: UUID | None = None
    challenge_id: UUID | None = None
    reverses: UUID | None = None


class ExportBadge(Struct, kw_only=True, forbid_unknown_fields=True):
    slug: Slug
    earned_at: datetime


class RapportExport(Struct, kw_only=True, forbid_unknown_fields=True):
    """Everything of one account, re-importable into a fresh account."""

    format: Literal["rapport/v1"]
    exported_at: datetime
    profile: ExportProfile
    habits: Annotated[list[ExportHabit], Meta(max_length=1000)]
    # For reading only: an import derives points and badges again by the rules.
    ledger: Annotated[list[ExportLedgerEntry], Meta(max_length=200_000)]
    badges: Annotated[list[ExportBadge], Meta(max_length=1000)]
    breaks: ExportBreaks | UnsetType = UNSET  # breaks of all habits at once
    # HMAC-SHA256 (hex) of the export without it, by the exporting server's own key: an
    # import into the same server rebuilds points only from a file it signed, unchanged.
    signature: Annotated[str, Meta(max_length=128)] | None = None


class ImportReport(Response):
    habits: int
    checkins: int
    # Ledger entries and badges the rules derived from the imported check-ins.
    ledger_entries: int
    badges: int
    # Points rebuilt from the history; 0 unless the file is this server's own, unchanged.
    points: int = 0
    verified: bool = False
    # What came across differently from the file, or not at all, and why (one line each).
    notes: list[str] = []


ImportFormat = Literal["rapport", "loop_csv", "loop_backup", "habitica"]
ImportState = Literal["queued", "reading", "writing", "done", "failed"]


class ImportProblem(Response):
    """Why a job failed, as a problem detail would say it; nothing of the file was stored."""

    status: int
    title: str
    detail: str


class ImportJob(Response):
    """An upload being imported: ``queued`` → ``reading`` (the file) → ``writing`` (one
    transaction) → ``done`` with a ``report``, or ``failed`` with an ``error`` and nothing
    stored."""

    id: str
    format: ImportFormat
    state: ImportState
    rows_read: int
    habits: int
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None
    report: ImportReport | None = None
    error: ImportProblem | None = None


# -- notifications: webhooks and Web Push -------------------------------------------------

EventType = Literal[
    "habit.reminder",
    "streak.at_risk",
    "checkin.created",
    "badge.earned",
    "challenge.completed",
    "team.board.weekly",
    "team.member.joined",
    "team.challenge.completed",
]
HookUrl = Annotated[str, Meta(min_length=8, max_length=2048, pattern=r"^https?://[^\s]+$")]


class WebhookCreate(Request):
    """Where to POST events (Standard Webhooks), and which (none: every event of the
    owner: a user's own, or a team's)."""

    url: HookUrl
    events: Annotated[list[EventType], Meta(max_length=8)] = []


class Webhook(Response):
    id: UUID
    url: str
    events: list[str]
    created_at: datetime
    # "whsec_" + base64: the signing key, shown only in the answer that created it.
    secret: str | None = None


class Delivery(Response):
    """One attempt to deliver a message: ``message_id`` is the ``webhook-id`` header, the
    same on every retry."""

    message_id: str
    event: str
    attempt: int
    status_code: int | None
    error: str | None
    at: datetime


class PushKeys(Struct, kw_only=True, forbid_unknown_fields=True):
    p256dh: Annotated[str, Meta(min_length=80, max_length=100, pattern=r"^[A-Za-z0-9_=-]+$")]
    auth: Annotated[str, Meta(min_length=16, max_length=32, pattern=r"^[A-Za-z0-9_=-]+$")]


class PushSubscriptionCreate(Request):
    """A browser's ``PushSubscription.toJSON()``, as it comes."""

    endpoint: HookUrl
    keys: PushKeys
    expirationTime: int | None = None


class PushSubscription(Response):
    id: UUID
    endpoint: str
    created_at: datetime


class VapidKey(Response):
    key: str  # base64url of the uncompressed P-256 public point (applicationServerKey)
