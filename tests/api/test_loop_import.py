"""Importing a Loop Habit Tracker CSV export. The fixture in tests/fixtures/loop/ is
written from the columns Loop's exporter writes (Habits.csv and one Checkmarks.csv per
habit folder)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import msgspec
import pytest

from shared import schemas
from shared.client import ApiError, RapportClient

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "loop"


def loop_zip(skip: str | None = None, extra: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(FIXTURE.rglob("*.csv")):
            name = path.relative_to(FIXTURE).as_posix()
            if name != skip:
                archive.writestr(name, path.read_text())
        for name, text in (extra or {}).items():
            archive.writestr(name, text)
    return buffer.getvalue()


async def upload(client: RapportClient, data: bytes, category: str = "results") -> dict[str, int]:
    response = await client.http.post(
        "/api/v1/me/import/loop",
        params={"category": category},
        content=data,
        headers={
            "Authorization": f"Bearer {client.token}",
            "Content-Type": "application/zip",
        },
    )
    if response.status_code >= 400:
        raise ApiError(response.status_code, None, response.content)
    result: dict[str, int] = msgspec.json.decode(response.content)
    return result


async def test_a_loop_export_becomes_habits_with_their_history(ana: RapportClient) -> None:
    report = await upload(ana, loop_zip())
    assert report == {
        "habits": 3, "checkins": 12, "ledger_entries": 0, "badges": 0, "points": 0,
        "verified": False, "notes": [],
    }  # fmt: skip
    habits = {h.title: h for h in (await ana.habits()).items}
    assert set(habits) == {"Meditate", "Run", "Read pages"}
    assert habits["Meditate"].schedule == schemas.Daily()
    assert (habits["Meditate"].kind, habits["Meditate"].target) == ("check", 1)
    assert habits["Run"].schedule == schemas.TimesPerWeek(times=3)
    assert habits["Read pages"].kind == "count"
    assert habits["Read pages"].target == 12  # the typical day of 8, 12.5 and 20 pages
    assert {h.category for h in habits.values()} == {"results"}

    meditate = await ana.checkins(habits["Meditate"].id)
    by_day = {c.day: c for c in meditate.items}
    assert set(by_day) == {date(2026, 3, d) for d in (5, 7, 8, 9, 10)}  # 0 is not a check-in
    assert by_day[date(2026, 3, 8)].skip

    # Streaks come with the history: the skip on the 8th keeps the streak going.
    stats = await ana.stats(habits["Meditate"].id)
    assert stats.current_streak == 3  # 7, (8 skipped), 9, 10
    assert stats.total_checkins == 4
    run = await ana.checkins(habits["Run"].id)
    assert len(run.items) == 4  # the implied "1" on the 10th is not a check-in
    assert (await ana.me()).points == 0  # history brings no points


async def test_a_loop_import_can_name_the_category(ana: RapportClient) -> None:
    await upload(ana, loop_zip(), category="relationships")
    assert {h.category for h in (await ana.habits()).items} == {"relationships"}
    balance = await ana.balance()
    assert balance.last_28_days.relationships > 0


@pytest.mark.parametrize(
    "data",
    [
        b"not a zip at all",
        loop_zip(skip="Habits.csv"),
        loop_zip(extra={"004 Broken/Checkmarks.csv": "Date,Value\nyesterday,2\n"}),
        loop_zip(skip="Habits.csv", extra={"Habits.csv": "Position,Name\nabc,Oops\n"}),
    ],
    # Named, not shown: the archives carry the time they were made, and parallel workers
    # must collect the same test ids.
    ids=["not a zip", "no Habits.csv", "a bad date", "a bad position"],
)
async def test_a_bad_loop_file_imports_nothing(ana: RapportClient, data: bytes) -> None:
    if b"004 Broken" in data:
        # Make the broken folder belong to a habit, so its bad date must be read.
        buffer = io.BytesIO(data)
        with zipfile.ZipFile(buffer) as archive:
            files = {n: archive.read(n).decode() for n in archive.namelist()}
        files["Habits.csv"] += "004,Broken,?,,1,1,#000000\n"
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, text in files.items():
                archive.writestr(name, text)
        data = out.getvalue()
    with pytest.raises(ApiError) as err:
        await upload(ana, data)
    assert err.value.status == 422
    assert (await ana.habits()).items == []
    assert (await ana.habits(archived=True)).items == []  # nor archived
