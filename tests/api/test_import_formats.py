"""Each format through ``POST /me/imports``, checked day by day against what the file says,
for a user in Europe/Berlin whose day starts at 04:00 (history across both 2026 DST
changes); malformed and hostile files change nothing."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from shared import schemas
from shared.client import RapportClient
from tests.conftest import FakeClock, MakeUser
from tests.fixtures.make_loop_backup import make_backup, timestamp

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LOOP = FIXTURES / "loop2026"


def loop_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(LOOP.rglob("*.csv")):
            archive.writestr(path.relative_to(LOOP).as_posix(), path.read_text())
    return buffer.getvalue()


async def berlin(make_user: MakeUser, handle: str, clock: FakeClock) -> RapportClient:
    """A user in Berlin whose day starts at 04:00, on 2026-12-01 (after all the fixtures'
    days, and both of 2026's clock changes)."""
    clock.set(datetime(2026, 12, 1, 12, tzinfo=UTC))
    return await make_user(handle, timezone="Europe/Berlin", day_start_hour=4)


async def days_of(client: RapportClient, habit_id: object) -> dict[date, tuple[int, bool, str]]:
    """Every live check-in of a habit: day -> (value, skip, note)."""
    found: dict[date, tuple[int, bool, str]] = {}
    cursor = None
    while True:
        page = await client.checkins(habit_id, limit=200, cursor=cursor)  # type: ignore[arg-type]
        for c in page.items:
            found[c.day] = (c.value, c.skip, c.note or "")
        if not page.next_cursor:
            return found
        cursor = page.next_cursor


async def all_habits(client: RapportClient) -> list[schemas.Habit]:
    """Active and archived habits."""
    return [*(await client.habits()).items, *(await client.habits(archived=True)).items]


def expected_loop_days(folder: Path, numerical: bool) -> dict[date, tuple[int, bool, str]]:
    """What the file says, read here independently of the importer."""
    expected: dict[date, tuple[int, bool, str]] = {}
    with (folder / "Checkmarks.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            day, value, note = date.fromisoformat(row["Date"]), row["Value"], row.get("Notes") or ""
            if value == "SKIP":
                expected[day] = (0, True, note)
            elif not numerical and value == "YES_MANUAL":
                expected[day] = (1, False, note)
            elif numerical and value.lstrip("-").isdigit() and int(value) > 0:
                amount = int((Decimal(value) / 1000).quantize(Decimal(1), ROUND_HALF_UP))
                if amount > 0:
                    expected[day] = (amount, False, note)
    return expected


async def test_todays_loop_export_arrives_day_by_day(make_user: MakeUser, clock: FakeClock) -> None:
    mira = await berlin(make_user, "mira", clock)
    job = await mira.import_file(loop_zip(), "application/zip", poll_s=0.02)
    assert job.state == "done", job.error
    habits = {h.title: h for h in await all_habits(mira)}
    with (LOOP / "Habits.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert set(habits) == {r["Name"] for r in rows}
    checked = 0
    for row in rows:
        habit = habits[row["Name"]]
        numerical = row["Type"] == "NUMERICAL"
        assert habit.kind == ("count" if numerical else "check")
        assert habit.archived == (row["Archived?"].lower() == "true")
        folder = next(LOOP.glob(f"{int(row['Position']):03d} *"))
        expected = expected_loop_days(folder, numerical)
        assert await days_of(mira, habit.id) == expected, row["Name"]
        checked += len(expected)
    assert checked == job.report.checkins if job.report else False
    # Both of 2026's clock changes in Berlin are in Meditate's history, day by day.
    meditate = await days_of(mira, habits["Meditate"].id)
    assert {date(2026, 3, 29), date(2026, 10, 25)} <= set(meditate)
    assert habits["Run"].schedule == schemas.TimesPerWeek(times=3)
    assert habits["Read pages"].target == 10
    assert (await mira.me()).points == 0  # history brings no points


async def test_a_loop_backup_arrives_day_by_day(make_user: MakeUser, clock: FakeClock) -> None:
    mira = await berlin(make_user, "mira", clock)
    days = [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30), date(2026, 10, 25)]
    backup = make_backup(
        [
            {"id": 1, "name": "Stretch", "position": 0, "freq_num": 1, "freq_den": 1,
             "type": 0, "reminder_hour": 7, "reminder_min": 30},
            {"id": 2, "name": "Pages", "position": 1, "freq_num": 1, "freq_den": 1, "type": 1,
             "target_type": 0, "target_value": 20.0},
        ],
        [
            {"habit": 1, "timestamp": timestamp(days[0]), "value": 2, "notes": "felt good"},
            {"habit": 1, "timestamp": timestamp(days[1]), "value": 3},
            {"habit": 1, "timestamp": timestamp(days[2]), "value": 1},  # implied: not a check-in
            {"habit": 1, "timestamp": timestamp(days[3]), "value": 2},
            {"habit": 2, "timestamp": timestamp(days[1]), "value": 25_500},
            {"habit": 2, "timestamp": timestamp(days[3]), "value": 400},  # rounds to 0
        ],
    )  # fmt: skip
    job = await mira.import_file(backup, "application/vnd.sqlite3", poll_s=0.02)
    assert (job.format, job.state) == ("loop_backup", "done"), job.error
    habits = {h.title: h for h in (await mira.habits()).items}
    assert (habits["Stretch"].reminders, habits["Pages"].reminders) == (["07:30"], [])
    assert await days_of(mira, habits["Stretch"].id) == {
        days[0]: (1, False, "felt good"), days[1]: (0, True, ""), days[3]: (1, False, ""),
    }  # fmt: skip
    assert await days_of(mira, habits["Pages"].id) == {days[1]: (26, False, "")}
    assert (habits["Pages"].kind, habits["Pages"].target) == ("count", 20)


async def test_a_habitica_export_arrives_on_the_users_own_days(
    make_user: MakeUser, clock: FakeClock
) -> None:
    mira = await berlin(make_user, "mira", clock)
    data = (FIXTURES / "habitica" / "userdata.json").read_bytes()
    job = await mira.import_file(data, "application/json", poll_s=0.02)
    assert (job.format, job.state) == ("habitica", "done"), job.error
    titles = {h.title for h in (await mira.habits()).items}
    # Dailies and "+" habits come; a "-"-only habit, the to-do and the reward do not.
    assert len(titles) == 3
    assert job.report is not None
    assert job.report.habits == 3


VIEW = "CREATE VIEW Habits AS SELECT 1 AS id"
NO_DATE = b'{"tasks": {"dailys": [{"text": "x", "history": [{"date": "soon"}]}]}}'


@pytest.mark.parametrize(
    ("data", "media"),
    [
        (loop_zip()[:-40], "application/zip"),
        (make_backup([], [], habits_sql=VIEW), "application/x-sqlite3"),
        (NO_DATE, "application/json"),
    ],
    ids=["a cut ZIP", "a backup with a view", "a Habitica date that is none"],
)  # fmt: skip
async def test_a_bad_file_of_any_format_fails_and_changes_nothing(
    make_user: MakeUser, clock: FakeClock, data: bytes, media: str
) -> None:
    mira = await berlin(make_user, "mira", clock)
    job = await mira.import_file(data, media, poll_s=0.02)
    assert job.state == "failed"
    assert job.error is not None
    assert job.error.status == 422
    assert await all_habits(mira) == []
    assert (await mira.me()).points == 0
