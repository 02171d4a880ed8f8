"""Fair play, played adversarially: a cheater and an honest teammate do the same real work
(the same catalog habit, checked in on the same days) and the cheater tries every trick the
public API allows. Whatever the trick, the cheater never ends above the honest user on
``/me`` or on any of the team's boards (docs/gamification.md, "Fair play")."""

from __future__ import annotations

import copy
import io
import zipfile
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient

from shared import schemas
from shared.client import RapportClient
from tests.conftest import FakeClock, MakeUser, drifts, fails

PROMISE = "deliver-on-a-promise"  # daily, easy
TODAY = date(2026, 3, 11)  # the clock fixture's day, a Wednesday


async def crew(make_user: MakeUser) -> tuple[RapportClient, RapportClient, UUID]:
    """An honest user and a cheater in one team."""
    honest, cheater = await make_user("honest"), await make_user("cheater")
    team = await honest.create_team(schemas.TeamCreate(name="Squad"))
    await cheater.join_team((await honest.create_invite(team.id)).code)
    return honest, cheater, team.id


async def standing(client: RapportClient, team_id: UUID) -> list[int]:
    """Points on /me and on the team's week, month and all-time boards."""
    scores = [(await client.me()).points]
    for period in ("week", "month", "all"):
        board = await client.team_board(team_id, period=period)  # type: ignore[arg-type]
        assert board.me is not None
        scores.append(board.me.points)
    return scores


async def assert_not_ahead(cheater: RapportClient, honest: RapportClient, team: UUID) -> None:
    cheat, fair = await standing(cheater, team), await standing(honest, team)
    assert all(c <= h for c, h in zip(cheat, fair, strict=True)), (cheat, fair)
    assert fair[0] > 0  # the honest work did pay


async def challenge(client: RapportClient, challenge_id: UUID) -> schemas.Challenge:
    response = await client.request("GET", f"/api/v1/challenges/{challenge_id}")
    return msgspec.json.decode(response.content, type=schemas.Challenge)


async def promise(client: RapportClient) -> schemas.Habit:
    return await client.create_habit(schemas.HabitCreate(template=PROMISE))


async def same_work(honest: RapportClient, cheater: RapportClient) -> None:
    for client in (honest, cheater):
        await client.check_in((await promise(client)).id)


async def test_self_made_challenges_pay_no_reward(make_user: MakeUser) -> None:
    honest, cheater, team = await crew(make_user)
    goal = schemas.ChallengeGoalSpec(category="results", target=1)
    made = [
        await cheater.create_challenge(schemas.ChallengeCreate(title=f"Mine {i}", goal=goal))
        for i in range(5)
    ]
    for made_one in made:
        assert made_one.reward_points == 0
        await cheater.join_challenge(made_one.id)
    error = await fails(
        cheater.create_challenge(schemas.ChallengeCreate(title="One more", goal=goal))
    )
    assert error.status == 409
    assert error.problem is not None
    assert error.problem.type.endswith("limit-reached")

    await same_work(honest, cheater)

    for made_one in made:
        assert (await challenge(cheater, made_one.id)).my_progress == schemas.MyProgress(
            progress=1, target=1, completed=True
        )  # bragging rights: completed, and nothing paid
    # Each completion is on the ledger as a reward of 0: it counts towards badges only.
    entries = (await cheater.points()).items
    assert (
        sorted((e.reason, e.amount) for e in entries if e.reason != "checkin")
        == [("challenge_reward", 0)] * 5
    )
    await assert_not_ahead(cheater, honest, team)


async def test_a_team_of_one_cannot_mint_challenge_rewards(make_user: MakeUser) -> None:
    honest, cheater, team = await crew(make_user)
    own = await cheater.create_team(schemas.TeamCreate(name="Just me"))
    easy = await cheater.create_challenge(
        schemas.ChallengeCreate(
            title="Easy money",
            team_id=own.id,
            goal=schemas.ChallengeGoalSpec(category="results", target=1),
        )
    )
    assert easy.reward_points == 0
    await cheater.join_challenge(easy.id)
    await same_work(honest, cheater)
    await assert_not_ahead(cheater, honest, team)


async def test_one_reward_per_template_and_person_at_a_time(make_user: MakeUser) -> None:
    _, cheater, _ = await crew(make_user)
    week = schemas.ChallengeCreate(template="promise-keeper-week")
    first = await cheater.create_challenge(week)
    second = await cheater.create_challenge(week)
    assert first.reward_points == second.reward_points == 100
    await cheater.join_challenge(first.id)
    error = await fails(cheater.join_challenge(second.id))
    assert error.status == 409
    assert (await challenge(cheater, second.id)).my_progress is None


def forged_export(days: int) -> dict[str, Any]:
    """A hand-made file: a huge ledger, badges, and years of a hard habit's check-ins."""
    start = TODAY - timedelta(days=days)
    return {
        "format": "rapport/v1",
        "exported_at": "2026-03-10T12:00:00Z",
        "profile": {
            "handle": "cheater",
            "display_name": "Cheater",
            "timezone": "UTC",
            "day_start_hour": 0,
            "created_at": "2024-01-01T00:00:00Z",
        },
        "habits": [
            {
                "id": str(uuid4()),
                "title": "Deliver on a promise",
                "category": "results",
                "schedule": {"type": "daily"},
                "kind": "check",
                "target": 1,
                "difficulty": "hard",
                "archived": False,
                "created_at": "2024-01-01T00:00:00Z",
                "anchor_day": start.isoformat(),
                "template": PROMISE,
                "checkins": [
                    {
                        "id": str(uuid4()),
                        "day": (start + timedelta(days=i)).isoformat(),
                        "value": 1,
                        "skip": False,
                        "created_at": "2025-01-01T00:00:00Z",
                    }
                    for i in range(days)  # every day up to yesterday
                ],
            }
        ],
        "ledger": [
            {
                "id": str(uuid4()),
                "at": "2026-03-10T12:00:00Z",
                "day": "2026-03-10",
                "amount": 100_000,
                "reason": "checkin",
            }
        ],
        "badges": [{"slug": "streak-7", "earned_at": "2026-03-10T12:00:00Z"}],
    }


async def test_a_forged_import_mints_no_points(make_user: MakeUser) -> None:
    honest, cheater = await make_user("honest"), await make_user("cheater")
    response = await cheater.request("POST", "/api/v1/me/import", body=forged_export(364))
    report = msgspec.json.decode(response.content, type=schemas.ImportReport)
    assert (report.verified, report.points) == (False, 0)
    assert (await cheater.me()).points == 0
    [habit] = (await cheater.habits()).items

    team = await honest.create_team(schemas.TeamCreate(name="Squad"))
    await cheater.join_team((await honest.create_invite(team.id)).code)
    # Today would be day 365 of the forged streak: no 1,500-point milestone, no x2.0.
    paid = await cheater.check_in(habit.id)
    assert paid.streak.current == 365  # the history shows
    await honest.check_in((await promise(honest)).id)
    assert [e.reason for e in (await cheater.points()).items] == ["checkin"]
    await assert_not_ahead(cheater, honest, team.id)


async def test_an_edited_export_is_history_without_points(make_user: MakeUser) -> None:
    honest, copycat = await make_user("honest"), await make_user("copycat")
    habit = await promise(honest)
    await honest.check_in(habit.id, schemas.CheckInCreate(day=TODAY - timedelta(days=1)))
    await honest.check_in(habit.id)
    export = (await honest.request("GET", "/api/v1/me/export")).json()
    assert export["signature"]

    edited = copy.deepcopy(export)
    edited["habits"][0]["difficulty"] = "hard"
    response = await copycat.request("POST", "/api/v1/me/import", body=edited)
    assert response.json()["verified"] is False
    assert (await copycat.me()).points == 0

    # Unchanged, but the points are honest's, who still has them: a copy brings none.
    twin = await make_user("twin")
    response = await twin.request("POST", "/api/v1/me/import", body=export)
    assert response.json()["verified"] is False
    assert "still has them" in response.json()["notes"][0]
    assert (await twin.me()).points == 0
    # Gone, honest's points move with the export, into one account only.
    points = (await honest.me()).points
    await honest.delete_me()
    heir, second = await make_user("heir"), await make_user("second")
    assert (await heir.request("POST", "/api/v1/me/import", body=export)).json()["verified"]
    assert (await heir.me()).points == points > 0
    again = await second.request("POST", "/api/v1/me/import", body=export)
    assert again.json()["verified"] is False
    assert (await second.me()).points == 0


async def test_imported_history_never_prices_a_check_in_even_through_a_signed_export(
    make_user: MakeUser,
) -> None:
    """A year of Loop history, one real check-in today, then the account's own signed
    export into a fresh account: the check-in is priced as the first of a streak, as it
    was where it was made, not as day 365 with its milestone."""
    cheater = await make_user("looper")
    days = "".join(f"{TODAY - timedelta(days=n)},2\n" for n in range(1, 365))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as files:
        files.writestr(
            "Habits.csv",
            "Position,Name,Question,Description,NumRepetitions,Interval,Color\n"
            "001,Promise,Q,,1,1,#FF8F00\n",
        )
        files.writestr("001 Promise/Checkmarks.csv", "Date,Value\n" + days)
    job = await cheater.import_file(archive.getvalue(), "application/zip", poll_s=0.02)
    assert job.state == "done"
    [habit] = (await cheater.habits()).items
    earned = (await cheater.check_in(habit.id)).points_awarded
    points = (await cheater.me()).points
    assert 0 < points == earned < 50  # the first day of a streak, not the 365th
    export = (await cheater.request("GET", "/api/v1/me/export")).content
    await cheater.delete_me()
    heir = await make_user("heir")
    report = await heir.request("POST", "/api/v1/me/import", body=msgspec.json.decode(export))
    assert report.json()["verified"] is True
    # At most what the check-in earned (where it was made, the day before it, imported,
    # could still lengthen the pricing streak; the export does not say where it began).
    assert 0 < (await heir.me()).points <= points


async def test_delete_and_recreate_nets_nothing(
    make_user: MakeUser, http: AsyncTestClient[Litestar], clock: FakeClock
) -> None:
    honest, cheater, team = await crew(make_user)
    hard = schemas.HabitCreate(title="Big deal", category="results", schedule=schemas.Daily())
    for _ in range(4):
        habit = await cheater.create_habit(msgspec.structs.replace(hard, difficulty="hard"))
        assert (await cheater.check_in(habit.id)).points_awarded > 0
        await cheater.request("DELETE", f"/api/v1/habits/{habit.id}")
    assert (await cheater.me()).points == 0
    assert (await cheater.balance()).last_7_days.results == 0  # category counts went too

    await same_work(honest, cheater)
    await assert_not_ahead(cheater, honest, team)
    assert await drifts(http) == []


async def test_off_schedule_check_ins_are_recorded_but_pay_nothing(
    ana: RapportClient, clock: FakeClock
) -> None:
    async def habit(schedule: schemas.Schedule) -> UUID:
        body = schemas.HabitCreate(title="Habit", category="results", schedule=schedule)
        return (await ana.create_habit(body)).id

    weekdays = await habit(schemas.Weekdays(days=[1, 2, 3, 4, 5]))
    weekly = await habit(schemas.TimesPerWeek(times=1))
    fortnightly = await habit(schemas.EveryNDays(n=14))
    clock.advance(days=3)  # Saturday 14 March
    saturday = await ana.check_in(weekdays)
    assert saturday.points_awarded == 0
    assert saturday.no_points is not None
    assert saturday.no_points.reason == "not_due"
    assert saturday.no_points.detail

    paid = []
    for _ in range(2):  # Saturday and Sunday of one week; then two days of one block
        paid.append((await ana.check_in(weekly)).points_awarded)
        paid.append((await ana.check_in(fortnightly)).points_awarded)
        clock.advance(days=1)
    assert min(paid[:2]) > 0
    assert paid[2:] == [0, 0]
    calendar = await ana.calendar(weekly)
    assert [d.day for d in calendar if d.done] == [date(2026, 3, 14), date(2026, 3, 15)]


async def test_difficulty_cannot_be_raised_after_the_fact(
    ana: RapportClient, clock: FakeClock
) -> None:
    adopted = await promise(ana)
    error = await fails(ana.update_habit(adopted.id, schemas.HabitPatch(difficulty="hard")))
    assert error.status == 409
    error = await fails(ana.create_habit(schemas.HabitCreate(template=PROMISE, difficulty="hard")))
    assert error.status == 422

    body = schemas.HabitCreate(title="Write", category="results", schedule=schemas.Daily())
    custom = await ana.create_habit(body)  # easy
    await ana.update_habit(custom.id, schemas.HabitPatch(difficulty="hard"))
    today = await ana.check_in(custom.id)
    assert today.points_awarded == 5  # easy x1.1: the change applies from tomorrow
    clock.advance(days=1)
    tomorrow = await ana.check_in(custom.id)
    assert tomorrow.points_awarded == 20 * 120 // 100


async def test_there_is_a_cap_on_active_habits(ana: RapportClient) -> None:
    body = schemas.HabitCreate(title="H", category="results", schedule=schemas.Daily())
    made = [await ana.create_habit(body) for _ in range(30)]
    error = await fails(ana.create_habit(body))
    assert error.status == 409
    assert error.problem is not None
    assert error.problem.type.endswith("limit-reached")
    await ana.update_habit(made[0].id, schemas.HabitPatch(archived=True))
    spare = await ana.create_habit(body)
    error = await fails(ana.update_habit(made[0].id, schemas.HabitPatch(archived=False)))
    assert error.status == 409
    assert len((await ana.habits(limit=100)).items) == 30
    assert spare.archived is False
    assert (await ana.habit(made[0].id)).archived is True


async def test_a_backdated_day_takes_the_quota_and_the_price_follows(
    ana: RapportClient, clock: FakeClock
) -> None:
    """Three times a week, checked in Wednesday to Friday; Thursday is undone on Friday:
    the quota moves to Friday and the totals stay what the rules derive."""
    body = schemas.HabitCreate(
        title="Review", category="results", schedule=schemas.TimesPerWeek(times=2)
    )
    habit = await ana.create_habit(body)
    await ana.check_in(habit.id)  # Wednesday: paid
    clock.advance(days=1)
    thursday = await ana.check_in(habit.id)  # Thursday: paid, the week is complete
    clock.advance(days=1)
    friday = await ana.check_in(habit.id)  # Friday: over the quota
    assert friday.points_awarded == 0
    assert friday.no_points is not None
    before = (await ana.me()).points
    await ana.undo(habit.id, thursday.checkin.id)
    entries = {e.reason: e for e in (await ana.points()).items}
    assert entries["rescore:checkin"].amount == 5  # Friday completes the week now: easy x1.1
    assert entries["rescore:checkin"].day == date(2026, 3, 13)
    assert entries["undo:checkin"].amount == -thursday.points_awarded
    assert (await ana.me()).points == before - thursday.points_awarded + 5


async def test_a_check_in_that_earns_nothing_does_not_balance_the_day(
    ana: RapportClient, clock: FakeClock
) -> None:
    results = await promise(ana)
    weekly = await ana.create_habit(
        schemas.HabitCreate(
            title="Coffee with a peer",
            category="relationships",
            schedule=schemas.TimesPerWeek(times=1),
        )
    )
    await ana.check_in(weekly.id)  # Wednesday: paid; no results habit done yet
    clock.advance(days=1)
    await ana.check_in(results.id)
    extra = await ana.check_in(weekly.id)  # Thursday: beyond the week's quota
    assert extra.points_awarded == 0
    assert extra.no_points is not None
    assert extra.no_points.reason == "quota_met"
    reasons = [e.reason for e in (await ana.points()).items]
    assert "balance_bonus" not in reasons
    assert (await ana.balance()).last_7_days.relationships == 2  # the meter counts both
