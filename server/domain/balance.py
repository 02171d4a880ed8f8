"""The balance between results and relationships, the heart of the game.

A day is *balanced* when at least one results habit and one relationships habit were done
that day; each balanced day earns ``scoring.BALANCE_BONUS``. The balance meter counts done
days per category over the last 7 and 28 days; ``ratio`` is the relationships share of
them (0.5 is perfect balance, None when nothing was done).

>>> meter(results=6, relationships=2)
(6, 2, 0.25)
"""

from __future__ import annotations

CATEGORIES = ("results", "relationships")


def is_balanced(categories_done: set[str]) -> bool:
    return set(CATEGORIES) <= categories_done


def meter(*, results: int, relationships: int) -> tuple[int, int, float | None]:
    total = results + relationships
    return results, relationships, (round(relationships / total, 4) if total else None)
