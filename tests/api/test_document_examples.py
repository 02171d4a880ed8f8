"""The document's examples are real answers: each decodes, strictly, as its component."""

from __future__ import annotations

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from shared import schemas

# The document does not depend on the store: once, on SQLite.
pytestmark = pytest.mark.sqlite_only


async def test_examples_of_a_habit_a_check_in_result_and_a_problem_are_valid(
    http: AsyncTestClient[Litestar],
) -> None:
    components = (await http.get("/schema/openapi.json")).json()["components"]["schemas"]
    for name in ("Habit", "CheckInResult", "Problem"):
        [example] = components[name]["examples"]
        kind = getattr(schemas, name)
        decoded = msgspec.json.decode(msgspec.json.encode(example), type=kind, strict=True)
        assert msgspec.to_builtins(decoded) == example
    assert components["CheckInResult"]["examples"][0]["points_awarded"] == 13
