"""A Loop upload built to hurt: damaged, locked, bombed or out-of-bounds archives are the
uploader's 422 and import nothing; the parser never fails any other way, whatever bytes
it is given."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.services.archives import MAX_ENTRIES
from server.services.errors import Invalid
from server.services.imports import loop_csv
from server.services.imports.model import ImportedHabit, Reader
from shared.client import RapportClient

HABITS = (
    "Position,Name,Question,Description,NumRepetitions,Interval,Color\n001,Run,Q,,1,1,#FF8F00\n"
)
TODAY = date(2026, 3, 11)


def parse_loop_zip(data: bytes, today: date) -> list[ImportedHabit]:
    return loop_csv.parse(data, Reader(today=today))


def archive(files: dict[str, str | bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as out:
        for name, content in files.items():
            out.writestr(name, content)
    return buffer.getvalue()


def checkmarks(text: str) -> bytes:
    return archive({"Habits.csv": HABITS, "001 Run/Checkmarks.csv": f"Date,Value\n{text}"})


def damaged(how: str) -> bytes:
    good = bytearray(
        archive(
            {"Habits.csv": HABITS, "001 Run/Checkmarks.csv": "Date,Value\n2026-03-10,2\n" * 20},
            zipfile.ZIP_DEFLATED,
        )
    )
    if how == "crc":  # one byte of the stored CRC of the first entry
        good[14] ^= 0xFF
    elif how == "deflate":  # the compressed data of the first entry
        start = 30 + len("Habits.csv")
        good[start : start + 6] = b"\xff" * 6
    elif how == "encrypted":  # the "encrypted" flag, in the local and the central header
        good[6] |= 1
        central = good.find(b"PK\x01\x02")
        good[central + 8] |= 1
    elif how == "method":  # an unknown compression method in the central directory
        central = good.find(b"PK\x01\x02")
        good[central + 10] = 99
    elif how == "truncated":
        return bytes(good[: len(good) // 2])
    return bytes(good)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(damaged("crc"), id="bad CRC"),
        pytest.param(damaged("deflate"), id="corrupt deflate"),
        pytest.param(damaged("encrypted"), id="encrypted"),
        pytest.param(damaged("method"), id="unknown compression"),
        pytest.param(damaged("truncated"), id="truncated"),
        pytest.param(checkmarks("2026-03-10,nan\n"), id="nan"),
        pytest.param(checkmarks("2026-03-10,inf\n"), id="inf"),
        pytest.param(checkmarks("2026-03-10,1e19\n"), id="1e19"),
        pytest.param(checkmarks("2026-03-10,-5\n"), id="negative"),
        pytest.param(checkmarks("0001-01-01,2\n"), id="year 1"),
        pytest.param(checkmarks("9999-12-31,2\n"), id="year 9999"),
        pytest.param(checkmarks("1999-12-31,2\n"), id="before 2000"),
        pytest.param(
            archive(
                {"Habits.csv": HABITS, "001 Run/Checkmarks.csv": "\n" * 50_000_000},
                zipfile.ZIP_DEFLATED,
            ),
            id="zip bomb",
        ),
        pytest.param(
            archive({"Habits.csv": HABITS} | {f"x/{n}.csv": "" for n in range(MAX_ENTRIES + 1)}),
            id="too many entries",
        ),
    ],
)
async def test_a_hostile_loop_upload_is_422_and_imports_nothing(
    ana: RapportClient, data: bytes
) -> None:
    answer = await ana.http.post(
        "/api/v1/me/import/loop",
        content=data,
        headers={"Authorization": f"Bearer {ana.token}", "Content-Type": "application/zip"},
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "file"
    assert (await ana.request("GET", "/api/v1/habits")).json()["items"] == []


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    bomb = archive(
        {"Habits.csv": HABITS, "001 Run/Checkmarks.csv": "\n" * 200_000_000}, zipfile.ZIP_DEFLATED
    )
    assert len(bomb) < 300_000
    with pytest.raises(Invalid, match="unpacks to more than"):
        parse_loop_zip(bomb, TODAY)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=2_000) | st.builds(lambda tail: checkmarks(tail), st.text(max_size=300)))
def test_the_loop_parser_fails_only_with_invalid_whatever_it_is_given(data: bytes) -> None:
    try:
        habits = parse_loop_zip(data, TODAY)
    except Invalid:
        return
    for habit in habits:
        for day, entry in habit.days.items():
            assert date(2000, 1, 1) <= day <= TODAY
            assert 0 <= entry.value <= 100_000


def test_damaged_archives_as_raw_bytes_fail_only_with_invalid() -> None:
    for how in ("crc", "deflate", "encrypted", "method", "truncated"):
        with pytest.raises(Invalid):
            parse_loop_zip(damaged(how), TODAY)
