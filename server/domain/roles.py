"""Team roles: who in a team may do what. Pure rules; ``services.access`` enforces them.

A team has one owner, any number of admins, and members.

>>> manages("admin"), manages("member")
(True, False)

The owner removes anyone but themselves; an admin removes members only; nobody removes
the owner (the owner hands the team over, then leaves):

>>> may_remove("owner", "admin"), may_remove("admin", "admin"), may_remove("admin", "member")
(True, False, True)

Only the owner gives roles. When an owner's account is deleted, the team passes to its
first admin, else its longest-standing member:

>>> from datetime import datetime
>>> successor([("member", datetime(2026, 1, 1), "m"), ("admin", datetime(2026, 2, 1), "a")])
'a'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

MANAGERS = frozenset({"owner", "admin"})


def manages(role: str) -> bool:
    """May invite, edit the team, remove members and start team challenges."""
    return role in MANAGERS


def may_remove(actor: str, target: str) -> bool:
    """May ``actor`` remove a member whose role is ``target`` (someone else)?"""
    if target == "owner":
        return False
    if target == "admin":
        return actor == "owner"
    return manages(actor)


def may_assign_roles(role: str) -> bool:
    return role == "owner"


def successor(candidates: Iterable[tuple[str, datetime, str]]) -> str:
    """Of (role, joined at, user id) of the members who stay: who becomes the owner."""
    return min(candidates, key=lambda c: (c[0] != "admin", c[1]))[2]
