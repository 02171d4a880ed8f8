"""Planned breaks: a habit (or every habit) paused on days from today on. Streaks neither
break nor grow over them, nothing is due, no reminder rings, and ending one keeps the days
behind."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from shared.client import ApiError, RapportClient
from tests.conftest import FakeClock, drifts

# The clock starts on Wednesday 2026-03-11 at 12:00 UTC.


async def daily(client: RapportClient, title: str = "Listen", **fields: Any) -> str:
    body = {"title": title, "category": "results", "schedule": {"type": "daily"}, **fields}
    return str((await client.request("POST", "/api/v1/habits", body=body)).json()["id"])


async def pause(
    client: RapportClient, starts_on: str, ends_on: str, habit_id: str | None = None
) -> dict[str, Any]:
    path = "/api/v1/me/breaks" if habit_id is None else f"/api/v1/habits/{habit_id}/breaks"
    body = {"starts_on": starts_on, "ends_on": ends_on, "reason": "Holiday"}
    found: dict[str, Any] = (await client.request("POST", path, body=body)).json()
    return found


async def check_in(client: RapportClient, habit_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (
        await client.request("POST", f"/api/v1/habits/{habit_id}/checkins", body={})
    ).json()
    return found


async def today_of(client: RapportClient, habit_id: str) -> dict[str, Any]:
    today = (await client.request("GET", "/api/v1/today")).json()
    [entry] = [h for h in today["habits"] if h["habit"]["id"] == habit_id]
    return {**entry, "day": today["day"]}


async def streak_after_three_days(client: RapportClient, clock: FakeClock, habit_id: str) -> None:
    for _ in range(3):
        await check_in(client, habit_id)
        clock.advance(days=1)


@pytest.mark.parametrize("planned", [True, False], ids=["with a break", "without"])
async def test_a_break_keeps_the_streak_through_days_not_done(
    ana: RapportClient, clock: FakeClock, planned: bool
) -> None:
    habit_id = await daily(ana)
    await streak_after_three_days(ana, clock, habit_id)  # 11th-13th done; now the 14th
    if planned:
        made = await pause(ana, "2026-03-14", "2026-03-20", habit_id)
        assert (made["starts_on"], made["ends_on"], made["reason"]) == (
            "2026-03-14", "2026-03-20", "Holiday",
        )  # fmt: skip
    entry = await today_of(ana, habit_id)
    assert (entry["due"], entry["on_break"]) == (not planned, planned)

    clock.advance(days=7)  # the 21st: a week without the habit
    entry = await today_of(ana, habit_id)
    assert entry["streak"] == (3 if planned else 0)  # neither grew nor broke
    stats = (await ana.request("GET", f"/api/v1/habits/{habit_id}/stats")).json()
    # 28 days back from the 21st: 3 done; a break leaves 4 of the 11 days asked for.
    assert stats["completion_rate_28d"] == pytest.approx(3 / 4 if planned else 3 / 11, abs=1e-3)

    await check_in(ana, habit_id)
    assert (await today_of(ana, habit_id))["streak"] == (4 if planned else 1)


async def test_breaks_still_hold_once_the_days_are_settled_and_the_audit_agrees(
    http: AsyncTestClient[Litestar], ana: RapportClient, clock: FakeClock
) -> None:
    habit_id = await daily(ana)
    await streak_after_three_days(ana, clock, habit_id)
    await pause(ana, "2026-03-14", "2026-03-16", habit_id)
    clock.advance(days=3)
    for _ in range(12):  # done on the 17th .. 28th: the break folds into the stored streak
        await check_in(ana, habit_id)
        clock.advance(days=1)
    assert (await today_of(ana, habit_id))["streak"] == 15
    assert await drifts(http) == []


async def test_a_day_done_on_a_break_still_counts(ana: RapportClient, clock: FakeClock) -> None:
    habit_id = await daily(ana)
    await pause(ana, "2026-03-11", "2026-03-13", habit_id)
    result = await check_in(ana, habit_id)
    assert result["points_awarded"] > 0
    entry = await today_of(ana, habit_id)
    assert (entry["done"], entry["on_break"], entry["streak"]) == (True, False, 1)


async def test_a_break_of_all_habits_pauses_each_of_them(
    ana: RapportClient, clock: FakeClock
) -> None:
    first, second = await daily(ana, "Listen"), await daily(ana, "Network")
    made = await pause(ana, "2026-03-11", "2026-03-12")
    assert made["habit_id"] is None
    for habit_id in (first, second):
        assert (await today_of(ana, habit_id))["on_break"] is True
    listed = (await ana.request("GET", "/api/v1/me/breaks")).json()
    assert [b["id"] for b in listed] == [made["id"]]
    # A habit's own list shows only its own breaks.
    assert (await ana.request("GET", f"/api/v1/habits/{first}/breaks")).json() == []


async def test_no_reminder_rings_on_a_break_day(ana: RapportClient, clock: FakeClock) -> None:
    habit_id = await daily(ana, reminders=["18:00"])
    await pause(ana, "2026-03-12", "2026-03-13", habit_id)
    found = (await ana.request("GET", "/api/v1/me/reminders", params={"days": 4})).json()
    assert [r["day"] for r in found] == ["2026-03-11", "2026-03-14"]


async def test_ending_a_break_keeps_the_days_behind_and_asks_again_from_today(
    ana: RapportClient, clock: FakeClock
) -> None:
    habit_id = await daily(ana)
    await streak_after_three_days(ana, clock, habit_id)  # now the 14th
    started = await pause(ana, "2026-03-14", "2026-03-24", habit_id)
    planned = await pause(ana, "2026-04-01", "2026-04-05", habit_id)
    clock.advance(days=2)  # the 16th: two break days behind
    for made in (started, planned):
        ended = await ana.request("DELETE", f"/api/v1/habits/{habit_id}/breaks/{made['id']}")
        assert ended.status_code == 204
    listed = (await ana.request("GET", f"/api/v1/habits/{habit_id}/breaks")).json()
    assert [(b["starts_on"], b["ends_on"]) for b in listed] == [("2026-03-14", "2026-03-15")]
    entry = await today_of(ana, habit_id)
    assert (entry["due"], entry["on_break"], entry["streak"]) == (True, False, 3)
    clock.advance(days=2)  # the 16th and 17th missed: the streak breaks as always
    assert (await today_of(ana, habit_id))["streak"] == 0


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "field"),
    [
        ("2026-03-10", "2026-03-12", "starts_on"),  # yesterday: skip it with a check-in
        ("2026-03-12", "2026-03-11", "ends_on"),
        ("2026-03-11", "2026-06-11", "ends_on"),  # 93 days
        ("2027-03-12", "2027-03-13", "starts_on"),  # more than a year ahead
    ],
    ids=["past", "backwards", "too long", "too far ahead"],
)
async def test_a_break_out_of_bounds_is_refused_and_changes_nothing(
    ana: RapportClient, starts_on: str, ends_on: str, field: str
) -> None:
    habit_id = await daily(ana)
    with pytest.raises(ApiError) as err:
        await pause(ana, starts_on, ends_on, habit_id)
    assert err.value.status == 422
    assert field in str(err.value.body)
    assert (await ana.request("GET", "/api/v1/me/breaks")).json() == []


async def test_a_user_cannot_pile_up_breaks_without_end(ana: RapportClient) -> None:
    habit_id = await daily(ana)
    for n in range(50):
        await pause(ana, f"2026-04-{n % 28 + 1:02d}", "2026-04-28", habit_id)
    with pytest.raises(ApiError) as err:
        await pause(ana, "2026-05-01", "2026-05-02", habit_id)
    assert err.value.status == 409


async def test_nobody_else_sees_or_ends_a_break(ana: RapportClient, ben: RapportClient) -> None:
    habit_id = await daily(ana)
    made = await pause(ana, "2026-03-20", "2026-03-22", habit_id)
    paths = (f"/api/v1/habits/{habit_id}/breaks/{made['id']}", f"/api/v1/me/breaks/{made['id']}")
    for path in paths:
        with pytest.raises(ApiError) as err:
            await ben.request("DELETE", path)
        assert err.value.status == 404
    assert (await ben.request("GET", "/api/v1/me/breaks")).json() == []
    assert len((await ana.request("GET", "/api/v1/me/breaks")).json()) == 1


async def test_an_export_carries_breaks_and_an_import_keeps_the_streak_they_kept(
    ana: RapportClient, ben: RapportClient, clock: FakeClock
) -> None:
    habit_id = await daily(ana)
    await streak_after_three_days(ana, clock, habit_id)  # now the 14th
    await pause(ana, "2026-03-14", "2026-03-16", habit_id)
    everything = await pause(ana, "2026-04-01", "2026-04-03")
    clock.advance(days=3)
    await check_in(ana, habit_id)  # the 17th: streak 4 across the break
    assert (await today_of(ana, habit_id))["streak"] == 4

    exported = await ana.request("GET", "/api/v1/me/export")
    file = exported.json()
    assert file["habits"][0]["breaks"] == [
        {"starts_on": "2026-03-14", "ends_on": "2026-03-16", "reason": "Holiday"}
    ]
    assert [b["starts_on"] for b in file["breaks"]] == [everything["starts_on"]]
    imported = await ben.request(
        "POST", "/api/v1/me/import", upload=(exported.content, "application/json")
    )
    assert imported.status_code == 200
    [mine] = (await ben.request("GET", "/api/v1/habits")).json()["items"]
    assert (await today_of(ben, mine["id"]))["streak"] == 4  # the break held there too
    listed = (await ben.request("GET", "/api/v1/me/breaks")).json()
    assert sorted((b["habit_id"] is None, b["starts_on"]) for b in listed) == [
        (False, "2026-03-14"), (True, "2026-04-01"),
    ]  # fmt: skip


async def test_a_file_made_before_breaks_and_reminders_encodes_again_byte_for_byte(
    ana: RapportClient,
) -> None:
    """Its signature is over its encoding: fields that came later are left out when unset,
    so a signed export from before them still checks out."""
    from server.services import export_json

    await daily(ana)
    original = (await ana.request("GET", "/api/v1/me/export")).content
    assert b'"breaks"' not in original  # none: left out
    older = original.replace(b',"reminders":[]', b"")
    assert older != original
    assert export_json.encode(export_json.decode(older)) == older


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "copies"),
    [
        ("2176-01-01", "2176-01-09", 1),
        ("9999-10-01", "9999-12-31", 1),
        ("2026-04-01", "2026-04-02", 51),
    ],
    ids=["decades ahead", "year 9999", "51 not ended"],
)
async def test_an_import_cannot_bring_breaks_the_api_would_refuse(
    ana: RapportClient, ben: RapportClient, starts_on: str, ends_on: str, copies: int
) -> None:
    await daily(ana)
    file = (await ana.request("GET", "/api/v1/me/export")).json()
    file["breaks"] = [{"starts_on": starts_on, "ends_on": ends_on}] * copies
    with pytest.raises(ApiError) as err:
        await ben.request("POST", "/api/v1/me/import", body=file)
    assert err.value.status == 422
    assert "break" in str(err.value.body)
    assert (await ben.request("GET", "/api/v1/me/breaks")).json() == []
