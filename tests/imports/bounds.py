"""What the parser tests share: what every import parser promises for any bytes (a
refusal that is the uploader's, ``Invalid`` on ``file`` with a message, or habits within
every bound of the model), and the small builders of expected days."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from server.services.errors import Invalid
from server.services.imports import model
from server.services.imports.model import ImportedDay, ImportedHabit, Reader

Parser = Callable[[bytes, Reader], list[ImportedHabit]]


def invalid_or_bounded(parse: Parser, data: bytes, reader: Reader) -> None:
    try:
        habits = parse(data, reader)
    except Invalid as refused:
        problem: Invalid | None = refused
    else:
        problem = None
    if problem is not None:
        assert (problem.field, bool(problem.detail)) == ("file", True)
        return
    assert 1 <= len(habits) <= model.MAX_HABITS
    for habit in habits:
        assert habit.kind in ("check", "count")
        assert 1 <= habit.target <= model.MAX_TARGET
        for day, entry in habit.days.items():
            assert date(2000, 1, 1) <= day <= reader.today
            assert 0 <= entry.value <= model.MAX_VALUE


def by_title(habits: list[ImportedHabit]) -> dict[str, ImportedHabit]:
    return {h.title: h for h in habits}


def done(note: str | None = None) -> ImportedDay:
    return ImportedDay(value=1, note=note)


def skipped(note: str | None = None) -> ImportedDay:
    return ImportedDay(value=0, skip=True, note=note)
