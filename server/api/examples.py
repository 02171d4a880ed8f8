"""Real examples for the OpenAPI document: what the API answers, built from the contract's
own Structs (so an example cannot drift from its schema: it would not type-check)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import msgspec

from shared import schemas

_HABIT_ID = UUID("01936f3e-8a2b-7c4d-9e10-2f3a4b5c6d7e")
_AT = datetime(2026, 3, 11, 8, 30, tzinfo=UTC)

HABIT = schemas.Habit(
    id=_HABIT_ID,
    title="Deliver on a promise",
    category="results",
    schedule=schemas.Daily(),
    kind="check",
    target=1,
    difficulty="medium",
    archived=False,
    created_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
    template="deliver-on-a-promise",
    reminders=["08:30", "18:00"],
)

CHECK_IN_RESULT = schemas.CheckInResult(
    checkin=schemas.CheckIn(
        id=UUID("01936f3f-1c2d-7e3f-8a4b-5c6d7e8f9a0b"),
        habit_id=_HABIT_ID,
        day=date(2026, 3, 11),
        value=1,
        note="Sent the deck on time",
        skip=False,
        created_at=_AT,
    ),
    streak=schemas.StreakSummary(current=3, best=12),
    points_awarded=13,
    points_total=412,
    level=4,
    badges_earned=[],
    freeze_used=False,
)

PROBLEM = schemas.Problem(
    type="https://rapport.dev/problems/invalid",
    title="Invalid input",
    status=422,
    detail="2026-03-08 is outside the backdating window (today and 1 day before)",
    errors=[schemas.FieldError(field="day", message="outside the backdating window")],
    request_id="9f1c2b7e4a3d4c5b8e6f7a8b9c0d1e2f",
)

EXAMPLES: dict[str, Any] = {
    "Habit": HABIT,
    "CheckInResult": CHECK_IN_RESULT,
    "Problem": PROBLEM,
}


def add_examples(document: dict[str, Any]) -> dict[str, Any]:
    """The components above, each with its example (JSON Schema ``examples``)."""
    components = document.get("components", {}).get("schemas", {})
    for name, example in EXAMPLES.items():
        if name in components:
            components[name]["examples"] = [msgspec.to_builtins(example)]
    return document
