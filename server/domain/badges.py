"""Badges: which ones a user's achievements unlock. Definitions live in ``seed/badges.toml``.

A badge is earned once and kept (undo does not take a badge away; its points, if any,
are undone). Each rule compares one achievement against a threshold:

| rule type             | earned when                                         |
|-----------------------|-----------------------------------------------------|
| first_checkin         | one check-in has been done                          |
| streak (days)         | a habit's current streak reaches ``days`` periods   |
| total_checkins (count)| that many days done over all habits                 |
| balanced_days (count) | that many days with results and relationships done  |
| level (level)         | the user reaches that level                         |
| challenge_completed   | that many challenges completed                      |
| peer_confirmed        | that many check-ins confirmed by a teammate         |
| teams_joined          | a member of that many teams                         |
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec


class FirstCheckin(msgspec.Struct, frozen=True, tag="first_checkin", tag_field="type"):
    pass


class StreakRule(msgspec.Struct, frozen=True, tag="streak", tag_field="type"):
    days: int


class TotalCheckins(msgspec.Struct, frozen=True, tag="total_checkins", tag_field="type"):
    count: int


class BalancedDays(msgspec.Struct, frozen=True, tag="balanced_days", tag_field="type"):
    count: int


class LevelRule(msgspec.Struct, frozen=True, tag="level", tag_field="type"):
    level: int


class ChallengeCompleted(msgspec.Struct, frozen=True, tag="challenge_completed", tag_field="type"):
    count: int


class PeerConfirmed(msgspec.Struct, frozen=True, tag="peer_confirmed", tag_field="type"):
    count: int


class TeamsJoined(msgspec.Struct, frozen=True, tag="teams_joined", tag_field="type"):
    count: int


Rule = (
    FirstCheckin
    | StreakRule
    | TotalCheckins
    | BalancedDays
    | LevelRule
    | ChallengeCompleted
    | PeerConfirmed
    | TeamsJoined
)


class BadgeDefinition(msgspec.Struct, frozen=True, kw_only=True):
    slug: str
    title: str
    description: str
    rule: Rule


class Achievements(msgspec.Struct, frozen=True, kw_only=True):
    """What a user has achieved so far; each field feeds one rule type."""

    total_checkins: int = 0
    streak: int = 0  # the streak of the habit just checked in
    balanced_days: int = 0
    level: int = 1
    challenges_completed: int = 0
    peer_confirmed: int = 0
    teams_joined: int = 0


def unlocked(rule: Rule, facts: Achievements) -> bool:
    match rule:
        case FirstCheckin():
            return facts.total_checkins >= 1
        case StreakRule(days=days):
            return facts.streak >= days
        case TotalCheckins(count=count):
            return facts.total_checkins >= count
        case BalancedDays(count=count):
            return facts.balanced_days >= count
        case LevelRule(level=level):
            return facts.level >= level
        case ChallengeCompleted(count=count):
            return facts.challenges_completed >= count
        case PeerConfirmed(count=count):
            return facts.peer_confirmed >= count
        case TeamsJoined(count=count):
            return facts.teams_joined >= count
    raise TypeError(f"unknown badge rule {rule!r}")  # pragma: no cover


def newly_earned(
    definitions: Iterable[BadgeDefinition], facts: Achievements, already: set[str]
) -> list[BadgeDefinition]:
    """Badges ``facts`` unlock that the user does not hold yet, in catalog order."""
    return [d for d in definitions if d.slug not in already and unlocked(d.rule, facts)]
