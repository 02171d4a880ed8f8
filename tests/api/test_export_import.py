"""Export, then import into a fresh account: the same data, up to ids. Bad files change
nothing."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from shared import schemas
from shared.client import ApiError, RapportClient
from tests.conftest import FakeClock, MakeUser

NEW_ID = "00000000-0000-4000-8000-0000000000ff"


async def export(client: RapportClient) -> schemas.RapportExport:
    response = await client.request("GET", "/api/v1/me/export")
    return msgspec.json.decode(response.content, type=schemas.RapportExport)


def without_ids(data: schemas.RapportExport) -> dict[str, Any]:
    """The export with every id replaced by its position, so two accounts compare."""
    raw = msgspec.to_builtins(data)
    names: dict[str, str] = {}

    def rename(value: Any) -> Any:
        if isinstance(value, str) and value in ids:
            return names.setdefault(value, f"#{len(names)}")
        if isinstance(value, list):
            return [rename(v) for v in value]
        if isinstance(value, dict):
            return {k: rename(v) for k, v in value.items()}
        return value

    ids = {h["id"] for h in raw["habits"]}
    ids |= {c["id"] for h in raw["habits"] for c in h["checkins"]}
    ids |= {e["id"] for e in raw["ledger"]}
    raw = rename(raw)
    del raw["exported_at"]
    del raw["profile"]["handle"], raw["profile"]["created_at"]
    return raw


def rebuilt(data: schemas.RapportExport) -> dict[str, Any]:
    """``without_ids``, minus what an import derives again rather than copies: the ledger
    and badges are rebuilt by the rules at import time (so their ``at``/``earned_at`` and
    their order are the import's), and the signature is the exporting account's."""
    raw = without_ids(data)
    del raw["signature"]
    # A rebuilt balance bonus belongs to its day, not to the check-in that completed it.
    raw["ledger"] = sorted(
        (
            {
                k: v
                for k, v in e.items()
                if k not in ("id", "at")
                and not (k == "checkin_id" and e["reason"] == "balance_bonus")
            }
            for e in raw["ledger"]
        ),
        key=lambda e: (e["day"], e["habit_id"] or "", e["reason"], e["amount"]),
    )
    raw["badges"] = sorted(b["slug"] for b in raw["badges"])
    return raw


async def build_history(client: RapportClient, clock: FakeClock) -> None:
    promise = await client.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    listen = await client.create_habit(
        schemas.HabitCreate(
            title="Listen", category="relationships", schedule=schemas.Daily(), kind="count",
            target=2,
        )
    )  # fmt: skip
    for day in range(9):
        await client.check_in(promise.id, schemas.CheckInCreate(note=f"day {day}"))
        if day % 2:
            await client.check_in(listen.id, schemas.CheckInCreate(value=2))
        clock.advance(days=1)
    undone = await client.check_in(listen.id)
    await client.undo(listen.id, undone.checkin.id)
    await client.update_habit(promise.id, schemas.HabitPatch(archived=True))


async def test_export_then_import_into_a_fresh_account_is_identical(
    make_user: MakeUser, clock: FakeClock
) -> None:
    ana = await make_user("ana", timezone="Europe/Berlin", day_start_hour=4)
    await build_history(ana, clock)
    original = await export(ana)
    assert len(original.habits) == 2
    assert sum(len(h.checkins) for h in original.habits) == 9 + 4 + 1

    # Moving to a fresh account: the points come along once the old account is gone
    # (they live in one account at a time).
    before = await ana.me()
    habits_before = {h.title: h.id for h in (await ana.habits()).items}
    stats_before = {title: await ana.stats(old_id) for title, old_id in habits_before.items()}
    fresh = await make_user("ana.again")
    report = await fresh.request("POST", "/api/v1/me/import", body=original)
    assert msgspec.json.decode(report.content)["verified"] is False  # ana still has them
    await fresh.delete_me()
    await ana.delete_me()
    fresh = await make_user("ana.again")
    report = await fresh.request("POST", "/api/v1/me/import", body=original)
    assert msgspec.json.decode(report.content) == {
        "habits": 2, "checkins": 14, "ledger_entries": len(original.ledger),
        "badges": len(original.badges), "points": before.points, "verified": True,
        "notes": [],
    }  # fmt: skip
    copy = await export(fresh)
    assert original.signature is not None
    assert copy.signature is not None
    assert [e.reverses for e in original.ledger] == [None] * len(original.ledger)
    # The check-ins come as they were; points and badges are rebuilt by the rules from
    # them (the file is this server's own, unchanged) and come out the same.
    assert rebuilt(copy) == rebuilt(original)
    assert without_ids(copy)["habits"] == without_ids(original)["habits"]

    after = await fresh.me()
    assert (after.points, after.xp, after.level) == (before.points, before.xp, before.level)
    assert (after.timezone, after.day_start_hour) == ("Europe/Berlin", 4)
    habits_after = {h.title: h.id for h in (await fresh.habits()).items}
    for title, stats in stats_before.items():
        assert stats == (await fresh.stats(habits_after[title]))
    # The same export a second time: history, no second copy of the points.
    twin = await make_user("ana.twin")
    report = await twin.request("POST", "/api/v1/me/import", body=original)
    assert msgspec.json.decode(report.content)["verified"] is False
    assert (await twin.me()).points == 0


async def test_import_refuses_an_account_that_has_data(
    make_user: MakeUser, clock: FakeClock
) -> None:
    ana = await make_user("ana")
    await build_history(ana, clock)
    with pytest.raises(ApiError) as err:
        await ana.request("POST", "/api/v1/me/import", body=await export(ana))
    assert err.value.status == 409


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d.update(format="loop/v9"),
        lambda d: d["habits"][0].update(kind="sometimes"),
        lambda d: d["habits"][0].update(target=3),  # a yes/no habit with target 3
        lambda d: d["habits"][0]["checkins"].append(dict(d["habits"][0]["checkins"][0])),
        lambda d: d["profile"].update(timezone="Mars/Olympus"),
        lambda d: d.update(surprise=True),
        lambda d: d["habits"][0]["checkins"][0].update(day="2099-01-01"),
        lambda d: d["habits"][0]["checkins"][0].update(day="1999-12-31"),
        lambda d: d["habits"][0].update(anchor_day="9999-12-31"),
    ],
)
async def test_a_bad_file_is_refused_and_imports_nothing(
    make_user: MakeUser, clock: FakeClock, spoil: Any
) -> None:
    ana = await make_user("ana")
    await build_history(ana, clock)
    raw = msgspec.to_builtins(await export(ana))
    spoil(raw)
    fresh = await make_user("fresh")
    with pytest.raises(ApiError) as err:
        await fresh.request("POST", "/api/v1/me/import", body=raw)
    assert err.value.status in (400, 422)
    assert (await fresh.habits()).items == []
    assert (await fresh.habits(archived=True)).items == []  # nor archived
    assert (await fresh.me()).points == 0


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d["ledger"][0].update(reverses="00000000-0000-4000-8000-000000000000"),
        lambda d: d["badges"].append({"slug": "no-such-badge", "earned_at": d["exported_at"]}),
        lambda d: d["ledger"].append({**d["ledger"][0], "id": NEW_ID, "amount": 100_000}),
    ],
)
async def test_a_files_ledger_and_badges_are_ignored_and_an_edited_file_brings_no_points(
    make_user: MakeUser, clock: FakeClock, spoil: Any
) -> None:
    """An import never trusts the file's ledger or badges: an inconsistent ledger or an
    unknown badge is no longer refused, it is ignored. The edited file no longer carries
    this server's signature, so its history comes with no points."""
    ana = await make_user("ana")
    await build_history(ana, clock)
    raw = msgspec.to_builtins(await export(ana))
    spoil(raw)
    fresh = await make_user("fresh")

    response = await fresh.request("POST", "/api/v1/me/import", body=raw)

    report = msgspec.json.decode(response.content, type=schemas.ImportReport)
    assert (report.habits, report.checkins) == (2, 14)
    assert (report.verified, report.points, report.ledger_entries) == (False, 0, 0)
    assert (await fresh.me()).points == 0
    copy = await export(fresh)
    assert [h.title for h in copy.habits] == ["Deliver on a promise", "Listen"]
    assert copy.ledger == []
    assert "no-such-badge" not in [b.slug for b in copy.badges]
    assert all(c.unverified for h in copy.habits for c in h.checkins)


async def test_hiding_from_boards_moves_with_the_account(make_user: MakeUser) -> None:
    ana = await make_user("ana")
    await ana.update_me(schemas.ProfilePatch(hidden_on_boards=True))
    original = await export(ana)
    assert original.profile.hidden_on_boards is True

    fresh = await make_user("ana.again")
    assert (await fresh.me()).hidden_on_boards is False
    response = await fresh.request("POST", "/api/v1/me/import", body=original)
    assert response.status_code == 200
    assert (await fresh.me()).hidden_on_boards is True
