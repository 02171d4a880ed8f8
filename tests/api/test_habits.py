"""Habits through the HTTP API: create (custom or from the catalog), list, edit, archive,
delete, stats and the calendar, and that nobody sees another user's habits."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest

from shared import schemas
from shared.client import ApiError, RapportClient
from tests.conftest import FakeClock, fails

WED = date(2026, 3, 11)  # the clock fixture's day


def field_names(error: ApiError) -> list[str]:
    assert error.problem is not None
    return [e.field for e in error.problem.errors or []]


async def custom_habit(client: RapportClient, title: str = "Ship it") -> schemas.Habit:
    return await client.create_habit(
        schemas.HabitCreate(title=title, category="results", schedule=schemas.Daily())
    )


# -- create -------------------------------------------------------------------------------


async def test_create_custom_habit_with_defaults(ana: RapportClient) -> None:
    response = await ana.request(
        "POST",
        "/api/v1/habits",
        body={
            "title": "Write the weekly note",
            "category": "results",
            "schedule": {"type": "daily"},
        },
    )
    assert response.status_code == 201
    habit = msgspec.json.decode(response.content, type=schemas.Habit)
    assert habit.title == "Write the weekly note"
    assert habit.category == "results"
    assert habit.schedule == schemas.Daily()
    assert (habit.kind, habit.target, habit.difficulty) == ("check", 1, "easy")
    assert habit.archived is False
    assert habit.template is None
    assert await ana.habit(habit.id) == habit


async def test_create_custom_count_habit_with_weekday_schedule(ana: RapportClient) -> None:
    habit = await ana.create_habit(
        schemas.HabitCreate(
            title="Coffee chats",
            category="relationships",
            schedule=schemas.Weekdays(days=[5, 1, 3]),
            kind="count",
            target=3,
            difficulty="medium",
            relationship="peer",
        )
    )
    assert habit.schedule == schemas.Weekdays(days=[1, 3, 5])
    assert (habit.kind, habit.target, habit.difficulty) == ("count", 3, "medium")
    assert (habit.category, habit.relationship) == ("relationships", "peer")


async def test_create_habit_from_template_copies_the_template(ana: RapportClient) -> None:
    habit = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    assert habit.template == "deliver-on-a-promise"
    assert habit.title == "Deliver on a promise"
    assert habit.category == "results"
    assert habit.schedule == schemas.Daily()
    assert (habit.kind, habit.target, habit.difficulty) == ("check", 1, "easy")


async def test_create_habit_from_relationship_count_template(ana: RapportClient) -> None:
    habit = await ana.create_habit(schemas.HabitCreate(template="listen-actively"))
    assert habit.category == "relationships"
    assert habit.schedule == schemas.Weekdays(days=[1, 2, 3, 4, 5])
    assert (habit.kind, habit.target, habit.difficulty) == ("count", 3, "medium")

    peer = await ana.create_habit(schemas.HabitCreate(template="ask-about-a-colleagues-work"))
    assert peer.relationship == "peer"
    sponsor = await ana.create_habit(schemas.HabitCreate(template="check-in-with-your-sponsor"))
    assert sponsor.schedule == schemas.EveryNDays(n=14)
    assert sponsor.relationship == "sponsor"


async def test_create_habit_from_template_with_overrides(ana: RapportClient) -> None:
    habit = await ana.create_habit(
        schemas.HabitCreate(
            template="ship-to-a-high-standard", title="Ship a polished PR", difficulty="hard"
        )
    )
    assert habit.template == "ship-to-a-high-standard"
    assert habit.title == "Ship a polished PR"
    assert habit.difficulty == "hard"  # the catalog's own difficulty may be restated
    assert habit.schedule == schemas.TimesPerWeek(times=3)


async def test_a_catalog_habit_keeps_its_catalog_difficulty(ana: RapportClient) -> None:
    error = await fails(
        ana.create_habit(
            schemas.HabitCreate(
                template="ship-to-a-high-standard", title="Ship a polished PR", difficulty="medium"
            )
        )
    )
    assert error.status == 422
    assert field_names(error) == ["difficulty"]
    assert (await ana.habits()).items == []

    adopted = await ana.create_habit(schemas.HabitCreate(template="ship-to-a-high-standard"))
    patch = await fails(ana.update_habit(adopted.id, schemas.HabitPatch(difficulty="trivial")))
    assert patch.status == 409
    assert (await ana.habit(adopted.id)).difficulty == "hard"


async def test_create_habit_from_unknown_template_is_422(ana: RapportClient) -> None:
    error = await fails(ana.create_habit(schemas.HabitCreate(template="no-such-template")))
    assert error.status == 422
    assert field_names(error) == ["template"]
    assert (await ana.habits()).items == []


@pytest.mark.parametrize("missing", ["title", "category", "schedule"])
async def test_custom_habit_missing_a_required_field_is_422(
    ana: RapportClient, missing: str
) -> None:
    body: dict[str, Any] = {
        "title": "Ship it",
        "category": "results",
        "schedule": {"type": "daily"},
    }
    del body[missing]
    error = await fails(ana.request("POST", "/api/v1/habits", body=body))
    assert error.status == 422
    assert field_names(error) == [missing]
    assert (await ana.habits()).items == []


async def test_check_habit_with_target_above_one_is_422(ana: RapportClient) -> None:
    error = await fails(
        ana.create_habit(
            schemas.HabitCreate(
                title="Ship", category="results", schedule=schemas.Daily(), kind="check", target=3
            )
        )
    )
    assert error.status == 422
    assert field_names(error) == ["target"]


async def test_create_habit_with_unknown_field_is_400(ana: RapportClient) -> None:
    error = await fails(
        ana.request(
            "POST",
            "/api/v1/habits",
            body={"title": "Ship", "category": "results", "schedule": {"type": "daily"}, "x": 1},
        )
    )
    assert error.status == 400


async def test_create_habit_with_bad_schedule_is_400(ana: RapportClient) -> None:
    error = await fails(
        ana.request(
            "POST",
            "/api/v1/habits",
            body={
                "title": "Ship",
                "category": "results",
                "schedule": {"type": "weekdays", "days": [8]},
            },
        )
    )
    assert error.status == 400


async def test_replaying_a_client_habit_id_returns_the_same_habit(ana: RapportClient) -> None:
    habit_id = uuid4()
    body = schemas.HabitCreate(
        id=habit_id, title="Offline habit", category="results", schedule=schemas.Daily()
    )
    first = await ana.request("POST", "/api/v1/habits", body=body)
    assert first.status_code == 201
    again = await ana.request("POST", "/api/v1/habits", body=body)
    assert again.status_code == 200

    created = msgspec.json.decode(first.content, type=schemas.Habit)
    replayed = msgspec.json.decode(again.content, type=schemas.Habit)
    assert created.id == habit_id
    assert replayed == created
    assert [h.id for h in (await ana.habits()).items] == [habit_id]


async def test_another_user_reusing_a_habit_id_is_409(
    ana: RapportClient, ben: RapportClient
) -> None:
    habit_id = uuid4()
    await ana.create_habit(
        schemas.HabitCreate(id=habit_id, title="Mine", category="results", schedule=schemas.Daily())
    )
    error = await fails(
        ben.create_habit(
            schemas.HabitCreate(
                id=habit_id, title="Also mine", category="results", schedule=schemas.Daily()
            )
        )
    )
    assert error.status == 409
    assert (await ben.habits()).items == []
    assert (await ana.habit(habit_id)).title == "Mine"


# -- list ---------------------------------------------------------------------------------


async def test_list_pages_through_every_habit_exactly_once(ana: RapportClient) -> None:
    created = [(await custom_habit(ana, f"Habit {i}")).id for i in range(5)]

    seen: list[UUID] = []
    sizes: list[int] = []
    cursor: str | None = None
    for _ in range(10):
        page = await ana.habits(limit=2, cursor=cursor)
        sizes.append(len(page.items))
        seen += [h.id for h in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sizes == [2, 2, 1]
    assert sorted(seen) == sorted(created)
    assert len(seen) == len(set(seen))


async def test_list_with_exact_page_size_ends_with_null_cursor(ana: RapportClient) -> None:
    for i in range(2):
        await custom_habit(ana, f"Habit {i}")
    page = await ana.habits(limit=2)
    assert len(page.items) == 2
    assert page.next_cursor is None


@pytest.mark.parametrize("cursor", ["not a cursor!", "Zm9v", "%%%", "MjAyNnxh|x"])
async def test_list_with_bad_cursor_is_400(ana: RapportClient, cursor: str) -> None:
    await custom_habit(ana)
    error = await fails(ana.habits(cursor=cursor))
    assert error.status == 400


@pytest.mark.parametrize("limit", [0, 201, -1])
async def test_list_with_limit_out_of_range_is_400(ana: RapportClient, limit: int) -> None:
    error = await fails(ana.habits(limit=limit))
    assert error.status == 400
    assert field_names(error) == ["limit"]


async def test_list_accepts_the_maximum_limit(ana: RapportClient) -> None:
    await custom_habit(ana)
    page = await ana.habits(limit=200)
    assert len(page.items) == 1


async def test_archived_habit_leaves_default_list_and_shows_with_archived_true(
    ana: RapportClient,
) -> None:
    keep = await custom_habit(ana, "Keep")
    old = await custom_habit(ana, "Old")

    archived = await ana.update_habit(old.id, schemas.HabitPatch(archived=True))
    assert archived.archived is True

    assert [h.id for h in (await ana.habits()).items] == [keep.id]
    assert [h.id for h in (await ana.habits(archived=True)).items] == [old.id]
    # Still readable on its own.
    assert (await ana.habit(old.id)).archived is True

    await ana.update_habit(old.id, schemas.HabitPatch(archived=False))
    assert {h.id for h in (await ana.habits()).items} == {keep.id, old.id}


# -- one habit ----------------------------------------------------------------------------


async def test_get_patch_and_delete_one_habit(ana: RapportClient) -> None:
    habit = await custom_habit(ana, "Draft")
    assert await ana.habit(habit.id) == habit

    patched = await ana.update_habit(
        habit.id,
        schemas.HabitPatch(
            title="Final", difficulty="hard", schedule=schemas.TimesPerWeek(times=2)
        ),
    )
    assert patched.id == habit.id
    assert (patched.title, patched.difficulty) == ("Final", "hard")
    assert patched.schedule == schemas.TimesPerWeek(times=2)
    assert patched.category == habit.category
    assert await ana.habit(habit.id) == patched

    response = await ana.request("DELETE", f"/api/v1/habits/{habit.id}")
    assert response.status_code == 204
    assert (await fails(ana.habit(habit.id))).status == 404
    assert (await ana.habits()).items == []
    assert (await fails(ana.delete_habit(habit.id))).status == 404


async def test_patch_habit_to_check_kind_with_target_three_is_422(ana: RapportClient) -> None:
    habit = await custom_habit(ana)
    error = await fails(ana.update_habit(habit.id, schemas.HabitPatch(target=3)))
    assert error.status == 422
    assert (await ana.habit(habit.id)).target == 1


async def test_patch_habit_with_unknown_field_is_400(ana: RapportClient) -> None:
    habit = await custom_habit(ana)
    error = await fails(
        ana.request("PATCH", f"/api/v1/habits/{habit.id}", body={"title": "X", "colour": "red"})
    )
    assert error.status == 400
    assert (await ana.habit(habit.id)).title == habit.title


async def test_unknown_habit_id_is_404(ana: RapportClient) -> None:
    assert (await fails(ana.habit(uuid4()))).status == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/habits/not-a-uuid",
        "/api/v1/habits/123",
        "/api/v1/habits/not-a-uuid/stats",
        "/api/v1/habits/not-a-uuid/calendar",
        "/api/v1/habits/not-a-uuid/checkins",
    ],
)
async def test_non_uuid_habit_id_is_404(ana: RapportClient, path: str) -> None:
    error = await fails(ana.request("GET", path))
    assert error.status == 404


# -- other users' habits ------------------------------------------------------------------


async def test_other_users_habit_is_404_everywhere_and_stays_unchanged(
    ana: RapportClient, ben: RapportClient
) -> None:
    habit = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    path = f"/api/v1/habits/{habit.id}"
    attempts: list[tuple[str, str, Any]] = [
        ("GET", path, None),
        ("PATCH", path, {"title": "Hijacked", "archived": True}),
        ("DELETE", path, None),
        ("GET", f"{path}/stats", None),
        ("GET", f"{path}/calendar", None),
        ("GET", f"{path}/checkins", None),
        ("POST", f"{path}/checkins", {}),
    ]
    for method, url, body in attempts:
        error = await fails(ben.request(method, url, body=body))
        assert (method, url, error.status) == (method, url, 404)

    assert await ana.habit(habit.id) == habit
    assert (await ana.checkins(habit.id)).items == []
    assert (await ana.stats(habit.id)).total_checkins == 0
    assert (await ben.habits()).items == []


async def test_each_user_lists_only_their_own_habits(
    ana: RapportClient, ben: RapportClient
) -> None:
    mine = await custom_habit(ana, "Ana's")
    theirs = await custom_habit(ben, "Ben's")
    assert [h.id for h in (await ana.habits()).items] == [mine.id]
    assert [h.id for h in (await ben.habits()).items] == [theirs.id]


# -- stats and calendar -------------------------------------------------------------------


async def check_in_over_several_days(ana: RapportClient, clock: FakeClock) -> schemas.Habit:
    """Wed 11 done, Thu 12 done, Fri 13 skipped, Sat 14 nothing, Sun 15 done (today)."""
    habit = await custom_habit(ana)
    await ana.check_in(habit.id)
    clock.advance(days=1)
    await ana.check_in(habit.id)
    clock.advance(days=1)
    await ana.check_in(habit.id, schemas.CheckInCreate(skip=True))
    clock.advance(days=2)
    await ana.check_in(habit.id)
    return habit


async def test_stats_after_check_ins_over_several_days(
    ana: RapportClient, clock: FakeClock
) -> None:
    habit = await check_in_over_several_days(ana, clock)
    stats = await ana.stats(habit.id)
    # The skip kept the streak at 2; the empty Saturday broke it.
    assert stats.current_streak == 1
    assert stats.best_streak == 2
    assert stats.total_checkins == 3
    assert stats.last_done_on == date(2026, 3, 15)
    # Three of the five days since the habit was created.
    assert stats.completion_rate_28d == pytest.approx(0.6)
    assert 0 < stats.strength < 100


async def test_stats_of_a_new_habit_are_zero(ana: RapportClient) -> None:
    habit = await custom_habit(ana)
    stats = await ana.stats(habit.id)
    assert (stats.current_streak, stats.best_streak, stats.total_checkins) == (0, 0, 0)
    assert stats.last_done_on is None
    assert stats.strength == 0


async def test_calendar_lists_the_days_with_check_ins(ana: RapportClient, clock: FakeClock) -> None:
    habit = await check_in_over_several_days(ana, clock)
    days = await ana.calendar(habit.id)
    assert [(d.day.day, d.value, d.done, d.skipped) for d in days] == [
        (11, 1, True, False),
        (12, 1, True, False),
        (13, 0, False, True),
        (15, 1, True, False),
    ]


async def test_calendar_respects_from_and_to(ana: RapportClient, clock: FakeClock) -> None:
    habit = await check_in_over_several_days(ana, clock)
    days = await ana.calendar(habit.id, date(2026, 3, 12), date(2026, 3, 14))
    assert [d.day for d in days] == [date(2026, 3, 12), date(2026, 3, 13)]
    assert await ana.calendar(habit.id, date(2026, 3, 14), date(2026, 3, 14)) == []


async def test_a_calendar_ending_in_the_first_days_of_year_1_starts_at_year_1(
    ana: RapportClient,
) -> None:
    """Only 'to' given: a year back would be before 0001-01-01 (it answered 500)."""
    habit = await custom_habit(ana)
    response = await ana.request("GET", f"/api/v1/habits/{habit.id}/calendar?to=0001-01-05")
    assert response.status_code == 200
    assert response.json() == []


async def test_calendar_with_from_after_to_is_422(ana: RapportClient) -> None:
    habit = await custom_habit(ana)
    error = await fails(ana.calendar(habit.id, date(2026, 3, 12), date(2026, 3, 11)))
    assert error.status == 422
    assert field_names(error) == ["from"]


async def test_calendar_with_malformed_date_is_400(ana: RapportClient) -> None:
    habit = await custom_habit(ana)
    error = await fails(
        ana.request("GET", f"/api/v1/habits/{habit.id}/calendar", params={"from": "yesterday"})
    )
    assert error.status == 400


async def test_category_of_a_habit_with_check_ins_cannot_change(ana: RapportClient) -> None:
    habit = await custom_habit(ana)
    await ana.check_in(habit.id)
    error = await fails(ana.update_habit(habit.id, schemas.HabitPatch(category="relationships")))
    assert error.status == 409
    assert (await ana.habit(habit.id)).category == "results"


async def test_today_lists_active_habits_with_their_state(ana: RapportClient) -> None:
    done = await custom_habit(ana, "Done today")
    open_ = await custom_habit(ana, "Not yet")
    archived = await custom_habit(ana, "Archived")
    await ana.update_habit(archived.id, schemas.HabitPatch(archived=True))
    await ana.check_in(done.id)

    today = await ana.today()
    assert today.day == WED
    state = {e.habit.id: (e.done, e.due, e.streak) for e in today.habits}
    assert state == {done.id: (True, True, 1), open_.id: (False, True, 0)}
