"""Telling formats apart, and reading a Rapport export, whatever bytes are uploaded: the
only failure is ``Invalid`` (the uploader's 422), never another exception (a 500)."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.catalog import load_catalog
from server.services.context import Context
from server.services.errors import Invalid, RapportError
from server.services.export_json import decode as _decode_export
from server.services.imports.jobs import detect
from server.services.portability import _checked
from server.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPORT = {
    "format": "rapport/v1",
    "exported_at": "2026-03-11T12:00:00Z",
    "profile": {
        "handle": "ana", "display_name": "Ana", "timezone": "Europe/Berlin",
        "day_start_hour": 4, "created_at": "2026-01-01T00:00:00Z",
    },
    "habits": [
        {
            "id": "00000000-0000-4000-8000-000000000001", "title": "Listen",
            "category": "relationships", "schedule": {"type": "daily"}, "kind": "check",
            "target": 1, "difficulty": "easy", "archived": False,
            "created_at": "2026-01-01T00:00:00Z", "anchor_day": "2026-01-01",
            "checkins": [
                {"id": "00000000-0000-4000-8000-000000000002", "day": "2026-03-10",
                 "value": 1, "skip": False, "created_at": "2026-03-10T08:00:00Z"},
            ],
        }
    ],
    "ledger": [],
    "badges": [],
}  # fmt: skip
CTX = Context(
    db=None,  # type: ignore[arg-type]  # _checked reads no database
    clock=lambda: datetime(2026, 3, 11, 12, tzinfo=UTC),
    settings=Settings.from_env({}),
    catalog=load_catalog(),
)


def loop_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((FIXTURES / "loop2026").rglob("*.csv")):
            archive.writestr(path.relative_to(FIXTURES / "loop2026").as_posix(), path.read_text())
    return buffer.getvalue()


def test_each_format_is_told_by_its_content() -> None:
    assert detect(msgspec.json.encode(EXPORT)) == "rapport"
    assert detect(b"  \n" + msgspec.json.encode(EXPORT)) == "rapport"
    assert detect((FIXTURES / "habitica" / "userdata.json").read_bytes()) == "habitica"
    assert detect(loop_zip()) == "loop_csv"
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (x)")
    assert detect(db.serialize()) == "loop_backup"
    db.close()
    for other in (b"", b"Date,Value\n", b"[]", b'{"tasks": 3}', b"\x00" * 64):
        with pytest.raises(Invalid, match="not a file Rapport imports"):
            detect(other)


def test_a_valid_export_reads_and_an_unsigned_one_is_not_verified() -> None:
    export = _decode_export(msgspec.json.encode(EXPORT))
    assert [h.title for h in export.habits] == ["Listen"]
    assert export.habits[0].checkins[0].day == date(2026, 3, 10)
    assert _checked(CTX, export, b"k" * 32) is False


def only_invalid(data: bytes) -> None:
    """Detect, then read as the job would: any failure must be the uploader's."""
    try:
        if detect(data) != "rapport":
            return
        _checked(CTX, _decode_export(data), b"k" * 32)
    except Invalid:
        return
    except RapportError as error:  # a rule of the import (422 or 409), never a crash
        status = error.status
        assert 400 <= status < 500


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=500))
def test_any_bytes_give_a_format_or_invalid(data: bytes) -> None:
    only_invalid(data)


def _mutations() -> st.SearchStrategy[bytes]:
    base = msgspec.json.encode(EXPORT)
    flips = st.lists(
        st.tuples(st.integers(0, len(base) - 1), st.integers(0, 255)), min_size=1, max_size=8
    )

    def apply(changes: list[tuple[int, int]]) -> bytes:
        data = bytearray(base)
        for at, value in changes:
            data[at] = value
        return bytes(data)

    return flips.map(apply)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_a_mutated_export_reads_or_is_invalid(data: bytes) -> None:
    only_invalid(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=30,
    ).map(lambda value: {**EXPORT, "habits": [{**EXPORT["habits"][0], "checkins": [value]}]})  # type: ignore[dict-item]
)
def test_any_json_where_a_checkin_belongs_is_invalid_or_reads(document: object) -> None:
    only_invalid(msgspec.json.encode(document))
