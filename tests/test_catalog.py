"""The seed catalog: which habit templates have a natural witness, and the loader refusing
a ``witnessed`` flag that would say nothing."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from server import catalog as catalog_module
from server.catalog import CatalogError, load_catalog


def test_witnessed_templates_are_the_promise_habits() -> None:
    catalog = load_catalog()

    assert catalog.witnessed("deliver-on-a-promise") is True
    assert catalog.witnessed("close-the-loop") is True
    assert catalog.witnessed("time-block-top-priority") is False
    assert catalog.witnessed("no-such-template") is False
    assert catalog.witnessed(None) is False


def test_a_relationships_habit_marked_witnessed_stops_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = catalog_module._decode

    def decode(name: str, kind: type[Any]) -> Any:
        loaded = real(name, kind)
        if name == "habits.toml":
            first = next(h for h in loaded.habit if h.category == "relationships")
            loaded.habit[0] = msgspec.structs.replace(first, slug="odd-one", witnessed=True)
        return loaded

    monkeypatch.setattr(catalog_module, "_decode", decode)

    with pytest.raises(CatalogError, match="odd-one: witnessed is for results habits"):
        load_catalog()
