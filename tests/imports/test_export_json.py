"""The export's JSON a piece at a time (``services/export_json.py``) is byte for byte the
JSON of one call, reads back as one call would read it, and signs the same."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.services import export_json
from server.services.errors import Invalid
from shared import schemas

AT = datetime(2026, 3, 11, 12, tzinfo=UTC)


def export(habits: int, checkins: int, ledger: int, name: str = "Ana") -> schemas.RapportExport:
    def uid(n: int) -> UUID:
        return UUID(int=n)

    return schemas.RapportExport(
        format="rapport/v1",
        exported_at=AT,
        profile=schemas.ExportProfile(
            handle="ana", display_name=name, timezone="Europe/Berlin", day_start_hour=4,
            created_at=AT,
        ),
        habits=[
            schemas.ExportHabit(
                id=uid(1_000_000 + h), title=f'Habit "{h}" "habits":[]', category="results",
                schedule=schemas.Daily(), kind="check", target=1, difficulty="easy",
                archived=False, created_at=AT, anchor_day=date(2026, 1, 1),
                checkins=[
                    schemas.ExportCheckIn(
                        id=uid(h * 100_000 + c), day=date(2026, 1, 1) + timedelta(days=c),
                        value=1, skip=False, created_at=AT, note='"ledger":[]' if c == 0 else None,
                    )
                    for c in range(checkins)
                ],
            )
            for h in range(habits)
        ],
        ledger=[
            schemas.ExportLedgerEntry(
                id=uid(5_000_000 + n), at=AT, day=date(2026, 1, 2), amount=5, reason="checkin"
            )
            for n in range(ledger)
        ],
        badges=[],
        signature=None,
    )  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 4),
    st.integers(0, 5),
    st.integers(0, 2_500),
    st.text(alphabet='ab "\\:[]{},é日🔥', min_size=1, max_size=20),
)
def test_pieces_join_to_the_json_of_one_call(
    habits: int, checkins: int, ledger: int, name: str
) -> None:
    data = export(habits, checkins, ledger, name)
    whole = msgspec.json.encode(data)
    assert export_json.encode(data) == whole
    assert export_json.decode(whole) == msgspec.json.decode(whole, type=schemas.RapportExport)
    key = b"k" * 32
    one_call = msgspec.json.encode(msgspec.structs.replace(data, signature="x" * 64))
    unsigned = msgspec.json.encode(msgspec.structs.replace(data, signature=None))
    assert export_json.signature(key, msgspec.structs.replace(data, signature="x")) == (
        hmac.new(key, unsigned, hashlib.sha256).hexdigest()
    )
    assert export_json.decode(one_call).signature == "x" * 64


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["habits"][1]["checkins"][0].update(day="2026-02-30"), "$.habits[1]"),
        (lambda d: d["habits"][0].update(kind="never"), "$.habits[0].kind"),
        (lambda d: d["ledger"][3].update(amount="5"), "$.ledger[3].amount"),
        (lambda d: d["habits"][0].update(extra=1), "$.habits[0]"),
        (lambda d: d.update(extra=1), "extra"),
        (lambda d: d.update(habits=[d["habits"][0]] * 1001), "$.habits"),
    ],
    ids=["a bad day", "a bad kind", "a string amount", "an unknown habit field",
         "an unknown top field", "too many habits"],
)  # fmt: skip
def test_a_bad_export_is_invalid_and_says_where(change: object, where: str) -> None:
    document = msgspec.to_builtins(export(2, 2, 5))
    change(document)  # type: ignore[operator]
    with pytest.raises(Invalid) as err:
        export_json.decode(msgspec.json.encode(document))
    assert where in err.value.detail
    with pytest.raises(msgspec.ValidationError):  # one call refuses it too
        msgspec.json.decode(msgspec.json.encode(document), type=schemas.RapportExport)
