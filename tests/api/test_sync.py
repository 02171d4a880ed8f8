"""Delta sync: full state first, then only what changed, paged without gaps or repeats."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import msgspec
import pytest

from shared import schemas
from shared.client import ApiError, RapportClient
from tests.conftest import FakeClock, MakeUser


async def sync_all(
    client: RapportClient, since: str | None, limit: int = 50
) -> tuple[list[schemas.Change], str]:
    """Follow the pages to the end; all changes and the final cursor."""
    changes: list[schemas.Change] = []
    while True:
        response = await client.request(
            "GET", "/api/v1/sync", params={"since": since, "limit": limit}
        )
        page = msgspec.json.decode(response.content, type=schemas.SyncPage)
        changes += page.changes
        since = page.cursor
        if not page.has_more:
            return changes, since


async def test_first_sync_returns_the_full_current_state(ana: RapportClient) -> None:
    habit = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    result = await ana.check_in(habit.id)
    changes, _ = await sync_all(ana, None)
    kinds = {(c.kind, c.id) for c in changes}
    assert ("habit", str(habit.id)) in kinds
    assert ("checkin", str(result.checkin.id)) in kinds
    assert ("badge", "first-checkin") in kinds
    profile = [c for c in changes if c.kind == "profile"]
    assert len(profile) == 1
    assert profile[0].profile is not None
    assert profile[0].profile.points == result.points_total
    entries = [c.entry for c in changes if c.kind == "ledger"]
    assert sum(e.amount for e in entries if e) == result.points_total


async def test_a_second_sync_returns_only_what_changed(ana: RapportClient) -> None:
    habit = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    other = await ana.create_habit(
        schemas.HabitCreate(title="Other", category="results", schedule=schemas.Daily())
    )
    _, cursor = await sync_all(ana, None)
    nothing, same = await sync_all(ana, cursor)
    assert nothing == []
    assert same == cursor

    result = await ana.check_in(habit.id)
    changes, _ = await sync_all(ana, cursor)
    ids = {c.id for c in changes}
    assert str(result.checkin.id) in ids
    assert str(other.id) not in ids  # untouched since the cursor


async def test_undo_arrives_as_a_tombstone(ana: RapportClient) -> None:
    habit = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    result = await ana.check_in(habit.id)
    _, cursor = await sync_all(ana, None)
    await ana.undo(habit.id, result.checkin.id)
    changes, _ = await sync_all(ana, cursor)
    [checkin] = [c for c in changes if c.kind == "checkin"]
    assert checkin.deleted
    assert checkin.id == str(result.checkin.id)
    reversals = [c.entry for c in changes if c.kind == "ledger" and c.entry]
    assert sum(e.amount for e in reversals) == -result.points_awarded


async def test_pages_never_skip_or_repeat_a_change(ana: RapportClient, clock: FakeClock) -> None:
    habits = [
        await ana.create_habit(
            schemas.HabitCreate(title=f"Habit {i}", category="results", schedule=schemas.Daily())
        )
        for i in range(7)
    ]
    for h in habits:
        await ana.check_in(h.id)
    small_pages, _ = await sync_all(ana, None, limit=3)
    one_page, _ = await sync_all(ana, None, limit=200)
    keys = [(c.kind, c.id) for c in small_pages]
    assert len(keys) == len(set(keys))
    assert set(keys) == {(c.kind, c.id) for c in one_page}


async def test_two_devices_converge_and_count_each_check_in_once(
    make_user: MakeUser, clock: FakeClock
) -> None:
    phone = await make_user("dana")
    laptop = RapportClient(http=phone.http)
    await laptop.login("dana", "a long enough password")
    habit = await phone.create_habit(
        schemas.HabitCreate(title="Listen", category="relationships", schedule=schemas.Daily())
    )
    _, phone_cursor = await sync_all(phone, None)
    _, laptop_cursor = await sync_all(laptop, None)

    # Offline on the phone: a check-in queued with its client id, replayed twice later.
    queued = schemas.CheckInCreate(id=uuid4(), day=clock.now.date())
    await laptop.check_in(habit.id, schemas.CheckInCreate(day=clock.now.date()))
    for _ in range(2):
        with pytest.raises(ApiError) as refused:
            await phone.check_in(habit.id, queued)
        assert refused.value.status == 409  # the day was already done on the laptop

    phone_changes, _ = await sync_all(phone, phone_cursor)
    laptop_changes, _ = await sync_all(laptop, laptop_cursor)
    assert {(c.kind, c.id, c.deleted) for c in phone_changes} == {
        (c.kind, c.id, c.deleted) for c in laptop_changes
    }
    checkins = [c for c in phone_changes if c.kind == "checkin"]
    assert len(checkins) == 1
    assert len((await phone.checkins(habit.id)).items) == 1


async def test_devices_interleaving_offline_check_ins_undo_and_replays_converge(
    make_user: MakeUser, clock: FakeClock
) -> None:
    phone = await make_user("fran")
    laptop = RapportClient(http=phone.http)
    await laptop.login("fran", "a long enough password")
    promise = await phone.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    listen = await laptop.create_habit(
        schemas.HabitCreate(title="Listen", category="relationships", schedule=schemas.Daily())
    )
    _, phone_cursor = await sync_all(phone, None)
    _, laptop_cursor = await sync_all(laptop, None)

    yesterday = schemas.CheckInCreate(id=uuid4(), day=date(2026, 3, 10))
    today = schemas.CheckInCreate(id=uuid4(), day=date(2026, 3, 11))
    first = await phone.check_in(promise.id, yesterday)  # queued offline, sent late
    on_laptop = await laptop.check_in(listen.id, today)
    replay = await phone.request("POST", f"/api/v1/habits/{promise.id}/checkins", body=yesterday)
    assert replay.status_code == 200  # a retry of a write that had landed
    await laptop.undo(listen.id, on_laptop.checkin.id)
    again = await laptop.check_in(listen.id, schemas.CheckInCreate(id=uuid4(), day=today.day))
    second = await phone.check_in(promise.id, schemas.CheckInCreate(id=uuid4(), day=today.day))

    phone_changes, _ = await sync_all(phone, phone_cursor)
    laptop_changes, _ = await sync_all(laptop, laptop_cursor)
    state = {(c.kind, c.id, c.deleted) for c in phone_changes}
    assert state == {(c.kind, c.id, c.deleted) for c in laptop_changes}
    assert ("checkin", str(on_laptop.checkin.id), True) in state
    live = {c.id for c in phone_changes if c.kind == "checkin" and not c.deleted}
    assert live == {str(first.checkin.id), str(again.checkin.id), str(second.checkin.id)}
    me = await phone.me()
    entries = [c.entry for c in phone_changes if c.kind == "ledger" and c.entry]
    assert sum(e.amount for e in entries) == me.points  # everything since the first sync
