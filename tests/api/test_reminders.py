"""Reminder times on habits, quiet hours on the profile, and ``GET /me/reminders``: the
upcoming reminders a native app schedules as local notifications."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from shared.client import ApiError, RapportClient
from tests.conftest import FakeClock, MakeUser


async def upcoming(client: RapportClient, days: int = 2) -> list[dict[str, Any]]:
    response = await client.request("GET", "/api/v1/me/reminders", params={"days": days})
    found: list[dict[str, Any]] = msgspec.json.decode(response.content)
    return found


async def habit(client: RapportClient, title: str, reminders: list[str], **fields: Any) -> str:
    body = {
        "title": title, "category": "results", "schedule": {"type": "daily"},
        "reminders": reminders, **fields,
    }  # fmt: skip
    return str((await client.request("POST", "/api/v1/habits", body=body)).json()["id"])


async def test_reminder_times_are_kept_in_order_of_the_day(ana: RapportClient) -> None:
    habit_id = await habit(ana, "Stretch", ["18:00", "08:30", "18:00"])
    shown = (await ana.request("GET", f"/api/v1/habits/{habit_id}")).json()
    assert shown["reminders"] == ["08:30", "18:00"]
    changed = await ana.request(
        "PATCH", f"/api/v1/habits/{habit_id}", body={"reminders": ["07:00"]}
    )
    assert changed.json()["reminders"] == ["07:00"]
    untouched = await ana.request("PATCH", f"/api/v1/habits/{habit_id}", body={"title": "Yoga"})
    assert untouched.json()["reminders"] == ["07:00"]


@pytest.mark.parametrize(
    "reminders",
    [["24:00"], ["8:30"], ["08:30:00"], ["noon"], [f"0{n}:00" for n in range(6)]],
    ids=["24:00", "no leading zero", "seconds", "a word", "six"],
)
async def test_a_bad_reminder_time_is_refused_and_changes_nothing(
    ana: RapportClient, reminders: list[str]
) -> None:
    with pytest.raises(ApiError) as err:
        await habit(ana, "Stretch", reminders)
    assert err.value.status in (400, 422)
    assert (await ana.habits()).items == []


async def test_upcoming_reminders_skip_days_done_or_skipped_and_days_not_due(
    make_user: MakeUser, clock: FakeClock
) -> None:
    # 2026-03-11 is a Wednesday; the clock says 12:00 UTC (13:00 in Berlin).
    ana = await make_user("ana", timezone="Europe/Berlin")
    daily = await habit(ana, "Stretch", ["08:00", "20:00"])
    mondays = await habit(
        ana, "Plan the week", ["09:00"], schedule={"type": "weekdays", "days": [1]}
    )
    done = await habit(ana, "Listen", ["21:00"])
    await ana.request("POST", f"/api/v1/habits/{done}/checkins", body={})
    found = await upcoming(ana, days=7)
    # Today's 08:00 has passed; Listen is done today; Monday's habit rings on Monday only.
    assert [(r["title"], r["day"], r["local_time"]) for r in found[:4]] == [
        ("Stretch", "2026-03-11", "20:00"),
        ("Stretch", "2026-03-12", "08:00"),
        ("Stretch", "2026-03-12", "20:00"),
        ("Listen", "2026-03-12", "21:00"),
    ]
    assert found[0]["at"] == "2026-03-11T19:00:00Z"
    assert [r["day"] for r in found if r["habit_id"] == mondays] == ["2026-03-16"]
    assert "2026-03-11" not in [r["day"] for r in found if r["habit_id"] == done]
    assert [r["at"] for r in found] == sorted(r["at"] for r in found)
    assert daily in {r["habit_id"] for r in found}
    # A skip settles the day too.
    await ana.request("POST", f"/api/v1/habits/{daily}/checkins", body={"skip": True})
    assert "2026-03-11" not in [r["day"] for r in await upcoming(ana) if r["habit_id"] == daily]


async def test_quiet_hours_defer_and_the_users_zone_and_day_start_apply(
    make_user: MakeUser, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 3, 10, 12, tzinfo=UTC))
    ana = await make_user("ana", timezone="Asia/Kathmandu", day_start_hour=4)
    await habit(ana, "Journal", ["01:30", "23:00"])
    found = await upcoming(ana, days=1)
    # The user's day of 10 March: 23:00 that evening, 01:30 after midnight (on the 11th).
    assert [(r["local_time"], r["at"]) for r in found] == [
        ("23:00", "2026-03-10T17:15:00Z"),
        ("01:30", "2026-03-10T19:45:00Z"),
    ]
    me = await ana.request(
        "PATCH", "/api/v1/me",
        body={"notifications": {"quiet_hours": {"start": "22:00", "end": "07:00"}}},
    )  # fmt: skip
    assert me.json()["notifications"] == {
        "streak_at_risk": True, "quiet_hours": {"start": "22:00", "end": "07:00"},
    }  # fmt: skip
    deferred = await upcoming(ana, days=1)
    assert {r["at"] for r in deferred} == {"2026-03-11T01:15:00Z"}  # 07:00 in Kathmandu
    with pytest.raises(ApiError) as err:
        await ana.request(
            "PATCH", "/api/v1/me",
            body={"notifications": {"quiet_hours": {"start": "22:00", "end": "22:00"}}},
        )  # fmt: skip
    assert err.value.status == 422
    # Moving to another zone moves the reminders with the user.
    await ana.request("PATCH", "/api/v1/me", body={"timezone": "UTC", "notifications": {}})
    assert [r["at"] for r in await upcoming(ana, days=1)] == [
        "2026-03-10T23:00:00Z", "2026-03-11T01:30:00Z",
    ]  # fmt: skip


@pytest.mark.parametrize("days", [0, 15, -1])
async def test_days_ahead_are_one_to_fourteen(ana: RapportClient, days: int) -> None:
    with pytest.raises(ApiError) as err:
        await upcoming(ana, days=days)
    assert err.value.status == 400


async def test_reminders_move_with_an_export(make_user: MakeUser) -> None:
    ana, fresh = await make_user("ana"), await make_user("fresh")
    await habit(ana, "Stretch", ["07:15"])
    export = (await ana.request("GET", "/api/v1/me/export")).content
    job = await fresh.import_file(export, "application/json", poll_s=0.02)
    assert job.state == "done"
    assert [h.reminders for h in (await fresh.habits()).items] == [["07:15"]]
    # 07:15 has passed today (12:00 UTC): tomorrow's is the next.
    assert [r["at"] for r in await upcoming(fresh)] == ["2026-03-12T07:15:00Z"]
