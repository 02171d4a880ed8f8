"""What a name or title must be beyond its schema (which keeps control characters and
direction overrides out): something besides spaces. One rule for habit and challenge
titles, team names and display names; a blank one is a 422 naming the field."""

from __future__ import annotations

from server.services.errors import Invalid


def named(value: str, field: str) -> str:
    """``value`` without its surrounding spaces, or 422 when nothing else is left."""
    kept = value.strip()
    if not kept:
        raise Invalid(f"{field.replace('_', ' ')} needs more than spaces", field=field)
    return kept
