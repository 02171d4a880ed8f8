"""Progress and public surfaces through the HTTP API: the points ledger, badges, the
balance meter, the catalog, health checks and the OpenAPI document."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from shared import schemas
from shared.client import RapportClient
from tests.conftest import FakeClock, fails

WED = date(2026, 3, 11)  # the clock fixture's day
THU = date(2026, 3, 12)
FRI = date(2026, 3, 13)


async def daily_habit(
    client: RapportClient, *, category: schemas.Category = "results", title: str = "Ship it"
) -> schemas.Habit:
    return await client.create_habit(
        schemas.HabitCreate(title=title, category=category, schedule=schemas.Daily())
    )


async def three_days_of_check_ins(ana: RapportClient, clock: FakeClock) -> schemas.Habit:
    """One easy daily habit done Wed, Thu and Fri (5, 6 and 6 points); the clock ends on Fri."""
    habit = await daily_habit(ana)
    await ana.check_in(habit.id)
    clock.advance(days=1)
    await ana.check_in(habit.id)
    clock.advance(days=1)
    await ana.check_in(habit.id)
    return habit


# -- levels ------------------------------------------------------------------------------


async def test_the_profile_carries_its_levels_xp_bounds(ana: RapportClient) -> None:
    me = await ana.me()
    assert (me.level, me.xp, me.level_xp, me.next_level_xp) == (1, 0, 0, 50)
    for n in range(10):  # ten first check-ins of 5 points: past level 2's 50 XP
        await ana.check_in((await daily_habit(ana, title=f"Habit {n}")).id)
    me = await ana.me()
    assert me.xp >= 50
    assert (me.level, me.level_xp, me.next_level_xp) == (2, 50, 150)
    assert me.level_xp <= me.xp < me.next_level_xp


# -- the points ledger --------------------------------------------------------------------


async def test_points_ledger_is_empty_for_a_new_user(ana: RapportClient) -> None:
    page = await ana.points()
    assert page.items == []
    assert page.next_cursor is None


async def test_points_ledger_pages_newest_first(ana: RapportClient, clock: FakeClock) -> None:
    habits = [await daily_habit(ana, title=f"Habit {i}") for i in range(5)]
    for habit in habits:
        clock.advance(minutes=5)
        await ana.check_in(habit.id)

    seen: list[schemas.LedgerEntry] = []
    sizes: list[int] = []
    cursor: str | None = None
    for _ in range(10):
        page = await ana.points(limit=2, cursor=cursor)
        sizes.append(len(page.items))
        seen += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sizes == [2, 2, 1]
    assert len({e.id for e in seen}) == 5
    # Newest first: the last check-in's entry leads.
    assert [e.habit_id for e in seen] == [h.id for h in reversed(habits)]
    instants = [e.at for e in seen]
    assert instants == sorted(instants, reverse=True)
    assert len(set(instants)) == 5
    assert all(e.reason == "checkin" and e.day == WED for e in seen)
    assert sum(e.amount for e in seen) == (await ana.me()).points


async def test_points_ledger_filters_by_day(ana: RapportClient, clock: FakeClock) -> None:
    habit = await three_days_of_check_ins(ana, clock)

    every = (await ana.points()).items
    assert [(e.day, e.amount) for e in every] == [(FRI, 6), (THU, 6), (WED, 5)]
    assert all(e.habit_id == habit.id for e in every)

    only_thursday = (await ana.points(first=THU, last=THU)).items
    assert [(e.day, e.amount) for e in only_thursday] == [(THU, 6)]

    from_thursday = (await ana.points(first=THU)).items
    assert [e.day for e in from_thursday] == [FRI, THU]

    up_to_wednesday = (await ana.points(last=WED)).items
    assert [e.day for e in up_to_wednesday] == [WED]


async def test_points_ledger_filter_and_paging_combine(
    ana: RapportClient, clock: FakeClock
) -> None:
    await three_days_of_check_ins(ana, clock)
    first = await ana.points(first=THU, limit=1)
    assert [e.day for e in first.items] == [FRI]
    assert first.next_cursor is not None
    second = await ana.points(first=THU, limit=1, cursor=first.next_cursor)
    assert [e.day for e in second.items] == [THU]
    assert second.next_cursor is None


async def test_points_ledger_from_after_to_is_422(ana: RapportClient) -> None:
    error = await fails(ana.points(first=THU, last=WED))
    assert error.status == 422


async def test_points_ledger_with_bad_cursor_is_400(ana: RapportClient) -> None:
    error = await fails(ana.points(cursor="not a cursor!"))
    assert error.status == 400


@pytest.mark.parametrize("limit", [0, 201])
async def test_points_ledger_with_limit_out_of_range_is_400(ana: RapportClient, limit: int) -> None:
    assert (await fails(ana.points(limit=limit))).status == 400


async def test_points_ledger_is_private(
    ana: RapportClient, ben: RapportClient, clock: FakeClock
) -> None:
    await three_days_of_check_ins(ana, clock)
    assert (await ben.points()).items == []


# -- badges -------------------------------------------------------------------------------


async def test_badges_after_first_check_in_include_first_checkin(ana: RapportClient) -> None:
    assert await ana.badges() == []
    habit = await daily_habit(ana)
    await ana.check_in(habit.id)

    badges = await ana.badges()
    assert [b.slug for b in badges] == ["first-checkin"]
    [first] = badges
    assert first.title == "First step"
    assert first.earned_at == datetime(2026, 3, 11, 12, 0, tzinfo=UTC)


async def test_badges_are_earned_once(ana: RapportClient, clock: FakeClock) -> None:
    await three_days_of_check_ins(ana, clock)
    slugs = [b.slug for b in await ana.badges()]
    assert slugs.count("first-checkin") == 1


# -- balance ------------------------------------------------------------------------------


async def test_balance_is_empty_for_a_new_user(ana: RapportClient) -> None:
    report = await ana.balance()
    for window in (report.last_7_days, report.last_28_days):
        assert (window.results, window.relationships, window.ratio) == (0, 0, None)


async def test_balance_counts_done_days_over_7_and_28_days(
    ana: RapportClient, clock: FakeClock
) -> None:
    results = await daily_habit(ana, title="Deliver")
    relationships = await daily_habit(ana, category="relationships", title="Connect")

    def at(day: int) -> None:
        clock.set(datetime(2026, 3, day, 12, 0, tzinfo=UTC))

    at(11)  # today - 10 on the 21st: only in the 28-day window
    await ana.check_in(results.id)
    at(14)  # today - 7: just outside the 7-day window
    await ana.check_in(results.id)
    at(15)  # today - 6: the oldest day inside it
    await ana.check_in(relationships.id)
    at(21)
    await ana.check_in(results.id)
    await ana.check_in(relationships.id)
    # A skip is not a done day.
    skipper = await daily_habit(ana, category="relationships", title="Skipped")
    await ana.check_in(skipper.id, schemas.CheckInCreate(skip=True))

    report = await ana.balance()
    week, month = report.last_7_days, report.last_28_days
    assert (week.results, week.relationships) == (1, 2)
    assert week.ratio == pytest.approx(2 / 3, abs=1e-4)
    assert (month.results, month.relationships) == (3, 2)
    assert month.ratio == pytest.approx(0.4)

    today = await ana.today()
    assert (today.balance.results, today.balance.relationships) == (1, 2)


async def test_balance_forgets_days_older_than_28(ana: RapportClient, clock: FakeClock) -> None:
    habit = await daily_habit(ana)
    await ana.check_in(habit.id)
    clock.advance(days=28)
    report = await ana.balance()
    assert report.last_28_days.results == 0
    assert report.last_28_days.ratio is None


# -- catalog ------------------------------------------------------------------------------


async def test_catalog_habits_cover_both_categories(ana: RapportClient) -> None:
    habits = await ana.catalog_habits()
    assert len(habits) >= 15
    assert {h.category for h in habits} == {"results", "relationships"}
    slugs = [h.slug for h in habits]
    assert len(slugs) == len(set(slugs))
    assert "deliver-on-a-promise" in slugs
    assert all(h.title and h.why for h in habits)


async def test_catalog_habit_templates_can_all_be_adopted(ana: RapportClient) -> None:
    for template in await ana.catalog_habits():
        habit = await ana.create_habit(schemas.HabitCreate(template=template.slug))
        assert (habit.title, habit.category, habit.kind, habit.target) == (
            template.title,
            template.category,
            template.kind,
            template.target,
        )


async def test_catalog_challenges_are_listed(ana: RapportClient) -> None:
    challenges = await ana.catalog_challenges()
    assert challenges
    for challenge in challenges:
        assert challenge.duration_days > 0
        assert (challenge.goal.category is None) != (challenge.goal.template is None)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/catalog/habits",
        "/api/v1/catalog/challenges",
        "/api/v1/me/points",
        "/api/v1/me/badges",
        "/api/v1/me/balance",
        "/api/v1/habits",
        "/api/v1/today",
    ],
)
async def test_api_reads_require_a_token(http: AsyncTestClient[Litestar], path: str) -> None:
    response = await http.get(path)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


# -- operations ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/health", "/health/ready"])
async def test_health_checks_answer_without_a_token(
    http: AsyncTestClient[Litestar], path: str
) -> None:
    response = await http.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_health_via_typed_client(http: AsyncTestClient[Litestar]) -> None:
    assert (await RapportClient(http=http).health()).status == "ok"


def served_api_operations(app: Litestar) -> set[tuple[str, str]]:
    """(OpenAPI-style path, method) of every /api/v1 route the app serves."""
    served = set()
    for route in app.routes:
        if not route.path.startswith("/api/v1"):
            continue
        path = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)
        for method in route.methods:
            if method not in {"OPTIONS", "HEAD"}:
                served.add((path, method.lower()))
    return served


async def test_openapi_document_lists_every_served_api_path(
    http: AsyncTestClient[Litestar], app: Litestar
) -> None:
    response = await http.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")

    documented = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    served = served_api_operations(app)
    assert len(served) >= 20
    assert served - documented == set()
    documented_api = {op for op in documented if op[0].startswith("/api/v1")}
    assert documented_api - served == set()


async def test_openapi_operations_have_unique_operation_ids(
    http: AsyncTestClient[Litestar],
) -> None:
    document = (await http.get("/schema/openapi.json")).json()
    ids = [
        operation.get("operationId")
        for item in document["paths"].values()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert None not in ids
    assert len(ids) == len(set(ids))
