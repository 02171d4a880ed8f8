"""The catalog from ``seed/``: habit templates, badges, challenge templates.

Loaded and validated once at start-up; a broken seed file stops the service with a message
naming the file and the field.
"""

from __future__ import annotations

from importlib import resources
from typing import TypeVar

import msgspec

from server.domain.badges import BadgeDefinition
from shared.schemas import CatalogChallenge, CatalogHabit

T = TypeVar("T")


class CatalogError(ValueError):
    pass


class _Habits(msgspec.Struct):
    habit: list[CatalogHabit]


class _Badges(msgspec.Struct):
    badge: list[BadgeDefinition]


class _Challenges(msgspec.Struct):
    challenge: list[CatalogChallenge]


class Catalog(msgspec.Struct, frozen=True, kw_only=True):
    habits: tuple[CatalogHabit, ...]
    badges: tuple[BadgeDefinition, ...]
    challenges: tuple[CatalogChallenge, ...]

    def habit(self, slug: str) -> CatalogHabit | None:
        return next((h for h in self.habits if h.slug == slug), None)

    def witnessed(self, slug: str | None) -> bool:
        """Whether the template ``slug`` has a natural witness (False for no template)."""
        template = self.habit(slug) if slug is not None else None
        return template is not None and template.witnessed

    def badge(self, slug: str) -> BadgeDefinition | None:
        return next((b for b in self.badges if b.slug == slug), None)


def _decode(name: str, kind: type[T]) -> T:
    data = (resources.files("seed") / name).read_bytes()
    try:
        return msgspec.toml.decode(data, type=kind)
    except msgspec.ValidationError as exc:
        raise CatalogError(f"seed/{name}: {exc}") from exc


def load_catalog() -> Catalog:
    habits = _decode("habits.toml", _Habits).habit
    badges = _decode("badges.toml", _Badges).badge
    challenges = _decode("challenges.toml", _Challenges).challenge
    for label, slugs in (
        ("habits.toml", [h.slug for h in habits]),
        ("badges.toml", [b.slug for b in badges]),
        ("challenges.toml", [c.slug for c in challenges]),
    ):
        if len(set(slugs)) != len(slugs):
            raise CatalogError(f"seed/{label}: duplicate slugs")
    for h in habits:
        if h.witnessed and h.category != "results":
            # Every relationships habit takes a witness already; the flag would say nothing.
            raise CatalogError(f"seed/habits.toml: {h.slug}: witnessed is for results habits")
    known = {h.slug for h in habits}
    for c in challenges:
        if (c.goal.category is None) == (c.goal.template is None):
            raise CatalogError(f"seed/challenges.toml: {c.slug}: give category or template")
        if c.goal.template is not None and c.goal.template not in known:
            raise CatalogError(f"seed/challenges.toml: {c.slug}: unknown template")
    return Catalog(habits=tuple(habits), badges=tuple(badges), challenges=tuple(challenges))
