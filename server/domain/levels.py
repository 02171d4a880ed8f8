"""Levels from XP. XP is every point earned (undo takes its points back).

Reaching level L takes ``25 * L * (L - 1)`` XP in all, so each level asks for 50 XP more
than the one before: level 2 at 50, 3 at 150, 4 at 300, 5 at 500, 10 at 2,250.
"""

from __future__ import annotations

from math import isqrt

XP_STEP = 50


def xp_for_level(level: int) -> int:
    """Total XP needed to reach ``level`` (level 1 needs none).

    >>> [xp_for_level(n) for n in (1, 2, 3, 4, 5, 10)]
    [0, 50, 150, 300, 500, 2250]
    """
    return XP_STEP * level * (level - 1) // 2


def level_for_xp(xp: int) -> int:
    """The level reached with ``xp`` points.

    >>> [level_for_xp(x) for x in (0, 49, 50, 149, 150, 2250)]
    [1, 1, 2, 2, 3, 10]
    """
    if xp <= 0:
        return 1
    # Solve 25 L (L - 1) <= xp, then correct the integer root by a step either way.
    level = (1 + isqrt(1 + 8 * xp // XP_STEP)) // 2
    while xp_for_level(level + 1) <= xp:
        level += 1
    while xp_for_level(level) > xp:
        level -= 1
    return level
