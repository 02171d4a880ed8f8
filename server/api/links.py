"""OpenAPI links: which value of one answer feeds which parameter of another operation.

Litestar does not emit links, so they are written here, by ``operationId``, and added to the
document served at ``/schema/openapi.json`` (server/api/document.py). Generated clients
and API browsers show them ("the habit's id goes to GET /habits/{habit_id}"), and
Schemathesis' stateful tests follow them to chain real calls (tests/api/test_stateful.py).

A link naming an operation, a response or a parameter the document does not have is a
bug: ``add_links`` raises, and tests/api/test_stateful.py checks every link resolves.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Link:
    """From the ``statuses`` answers of operation ``source``, call ``target`` with
    ``parameters`` (``{"path.habit_id": "$response.body#/id"}``: OpenAPI runtime
    expressions) and, when given, a request body built the same way."""

    source: str
    statuses: tuple[str, ...]
    name: str
    target: str
    parameters: Mapping[str, str] = field(default_factory=dict)
    request_body: Mapping[str, str] | None = None
    description: str = ""


def _fan_out(
    source: str,
    statuses: tuple[str, ...],
    targets: Mapping[str, str],
    parameters: Mapping[str, str],
    what: str,
) -> list[Link]:
    return [
        Link(source, statuses, name, target, parameters, description=f"{what} of this answer")
        for name, target in targets.items()
    ]


_HABIT = {"path.habit_id": "$response.body#/id"}
_TEAM = {"path.team_id": "$response.body#/id"}
_CHALLENGE = {"path.challenge_id": "$response.body#/id"}
_CHECKIN = {
    "path.habit_id": "$response.body#/checkin/habit_id",
    "path.checkin_id": "$response.body#/checkin/id",
}
_HABIT_OF_CHECKIN = {"path.habit_id": "$response.body#/checkin/habit_id"}
_FIRST_MEMBER = {
    "path.team_id": "$request.path.team_id",
    "path.user_id": "$response.body#/members/0/user/id",
}

LINKS: list[Link] = [
    # A new habit (201), or the replay of a known id (200): everything about that habit.
    *_fan_out(
        "habits_create",
        ("201", "200"),
        {
            "GetHabit": "habits_get",
            "UpdateHabit": "habits_update",
            "DeleteHabit": "habits_delete",
            "CheckIn": "checkins_create",
            "ListCheckIns": "checkins_list",
            "HabitStats": "habits_stats",
            "HabitCalendar": "habits_calendar",
        },
        _HABIT,
        "the habit's id",
    ),
    *_fan_out(
        "habits_update",
        ("200",),
        {"GetHabit": "habits_get", "CheckIn": "checkins_create"},
        _HABIT,
        "the habit's id",
    ),
    # A check-in: undo it, and look at its habit.
    Link(
        "checkins_create",
        ("201", "200"),
        "UndoCheckIn",
        "checkins_delete",
        _CHECKIN,
        description="the habit and check-in ids of this answer",
    ),
    *_fan_out(
        "checkins_create",
        ("201", "200"),
        {"ListCheckIns": "checkins_list", "HabitStats": "habits_stats"},
        _HABIT_OF_CHECKIN,
        "the check-in's habit id",
    ),
    # A team: its pages, members, invites, board and challenges.
    *_fan_out(
        "teams_create",
        ("201",),
        {
            "GetTeam": "teams_get",
            "UpdateTeam": "teams_update",
            "ListMembers": "teams_members",
            "CreateInvite": "teams_invites_create",
            "ListInvites": "teams_invites_list",
            "TeamLeaderboard": "teams_leaderboard",
        },
        _TEAM,
        "the team's id",
    ),
    Link(
        "teams_create",
        ("201",),
        "TeamChallenges",
        "challenges_list",
        {"query.team_id": "$response.body#/id"},
        description="the team's id, as the challenge filter",
    ),
    *_fan_out(
        "teams_get",
        ("200",),
        {"UpdateMember": "teams_members_update", "RemoveMember": "teams_members_remove"},
        _FIRST_MEMBER,
        "the team's first listed member",
    ),
    Link(
        "teams_invites_create",
        ("201",),
        "RevokeInvite",
        "teams_invites_revoke",
        {"path.team_id": "$request.path.team_id", "path.invite_id": "$response.body#/id"},
        description="the invite's id",
    ),
    # A challenge: look at it, join, leave, its board.
    *_fan_out(
        "challenges_create",
        ("201",),
        {
            "GetChallenge": "challenges_get",
            "JoinChallenge": "challenges_join",
            "LeaveChallenge": "challenges_leave",
            "ChallengeLeaderboard": "challenges_leaderboard",
        },
        _CHALLENGE,
        "the challenge's id",
    ),
    *_fan_out(
        "challenges_join",
        ("200",),
        {"LeaveChallenge": "challenges_leave", "ChallengeLeaderboard": "challenges_leaderboard"},
        _CHALLENGE,
        "the challenge's id",
    ),
]

# Links that build a request body. OpenAPI 3.1 lets a link's ``requestBody`` be any value,
# and Schemathesis fills runtime expressions inside an object, but openapi-generator's
# validator (its default options, as mobile developers run it) refuses a document whose
# link bodies are not strings. So they are not served: the stateful test adds them to its
# own copy of the document (tests/api/test_stateful.py) to chain team -> challenge and
# invite -> join.
BODY_LINKS: list[Link] = [
    Link(
        "teams_create",
        ("201",),
        "StartTeamChallenge",
        "challenges_create",
        request_body={"team_id": "$response.body#/id"},
        description="the team's id, for a team challenge",
    ),
    Link(
        "teams_invites_create",
        ("201",),
        "JoinWithInvite",
        "teams_join",
        request_body={"code": "$response.body#/code"},
        description="the invite's code",
    ),
]

_METHODS = ("get", "put", "post", "patch", "delete")


def add_links(document: Mapping[str, Any], links: list[Link] = LINKS) -> dict[str, Any]:
    """A copy of the OpenAPI ``document`` (a dict) with ``links`` on their responses.

    Raises ``ValueError`` when a link names an operation, response status or parameter the
    document does not have, so a renamed route cannot leave a dead link behind.
    """
    result = copy.deepcopy(dict(document))
    operations = {
        op["operationId"]: op
        for item in result.get("paths", {}).values()
        for method, op in item.items()
        if method in _METHODS and "operationId" in op
    }
    for link in links:
        source = operations.get(link.source)
        target = operations.get(link.target)
        if source is None or target is None:
            raise ValueError(f"link {link.name}: no operation {link.source} or {link.target}")
        declared = {(p["in"], p["name"]) for p in target.get("parameters", [])}
        for qualified in link.parameters:
            location, _, name = qualified.partition(".")
            if (location, name) not in declared:
                raise ValueError(f"link {link.name}: {link.target} has no {location} {name!r}")
        if link.request_body is not None and "requestBody" not in target:
            raise ValueError(f"link {link.name}: {link.target} takes no request body")
        definition: dict[str, Any] = {"operationId": link.target}
        if link.parameters:
            definition["parameters"] = dict(link.parameters)
        if link.request_body is not None:
            definition["requestBody"] = dict(link.request_body)
        if link.description:
            definition["description"] = link.description
        for status in link.statuses:
            response = source.get("responses", {}).get(status)
            if response is None:
                raise ValueError(f"link {link.name}: {link.source} never answers {status}")
            response.setdefault("links", {})[link.name] = definition
    return result
