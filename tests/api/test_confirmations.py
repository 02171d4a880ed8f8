"""Peer confirmations through the HTTP API: a relationships check-in (or one of a catalog
habit with a natural witness, such as "Deliver on a promise") names a teammate as witness;
the witness confirms (both get a bonus: 5 for the doer, "peer_confirmed", and 2 for the
witness, "peer_witness") or declines (nothing). Requests expire after 72 hours, each person
asks at most 5 a day, and undoing the check-in takes both bonuses back."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec
from litestar import Litestar
from litestar.testing import AsyncTestClient

from shared import schemas
from shared.client import ApiError, RapportClient
from tests.conftest import FakeClock, MakeUser, fails, team_of

CONFIRMATIONS = "/api/v1/confirmations"
TEAMS = "/api/v1/teams"
CONFIRMED_BONUS, WITNESS_BONUS = 5, 2


def field_names(error: ApiError) -> list[str]:
    assert error.problem is not None
    return [e.field for e in error.problem.errors or []]


async def user_id(client: RapportClient) -> UUID:
    return (await client.me()).id


async def relationships_habit(
    client: RapportClient, title: str = "Thank a colleague"
) -> schemas.Habit:
    return await client.create_habit(
        schemas.HabitCreate(title=title, category="relationships", schedule=schemas.Daily())
    )


async def witnessed(
    client: RapportClient, habit: schemas.Habit, witness: RapportClient
) -> schemas.CheckInResult:
    return await client.check_in(habit.id, schemas.CheckInCreate(witness=await user_id(witness)))


async def pending(client: RapportClient) -> list[schemas.PendingConfirmation]:
    response = await client.request("GET", CONFIRMATIONS)
    assert response.status_code == 200
    return msgspec.json.decode(response.content, type=list[schemas.PendingConfirmation])


def decide(client: RapportClient, confirmation_id: UUID, confirm: bool) -> Awaitable[Any]:
    return client.request("POST", f"{CONFIRMATIONS}/{confirmation_id}", body={"confirm": confirm})


async def decided(
    client: RapportClient, confirmation_id: UUID, confirm: bool
) -> schemas.ConfirmationOutcome:
    response = await decide(client, confirmation_id, confirm)
    assert response.status_code == 200
    return msgspec.json.decode(response.content, type=schemas.ConfirmationOutcome)


async def ledger(client: RapportClient) -> list[schemas.LedgerEntry]:
    return (await client.points(limit=200)).items


def peer_entries(entries: list[schemas.LedgerEntry]) -> list[tuple[str, int]]:
    return sorted((e.reason, e.amount) for e in entries if "peer_" in e.reason)


async def asked(
    make_user: MakeUser,
) -> tuple[RapportClient, RapportClient, schemas.CheckInResult, schemas.PendingConfirmation]:
    """Ana checked in a relationships habit naming her teammate Ben, who has the request."""
    ana, ben = await make_user("ana"), await make_user("ben")
    await team_of(ana, ben)
    result = await witnessed(ana, await relationships_habit(ana), ben)
    [request] = await pending(ben)
    return ana, ben, result, request


# -- asking -------------------------------------------------------------------------------


async def test_a_witnessed_check_in_reaches_the_witness(
    make_user: MakeUser, clock: FakeClock
) -> None:
    ana, ben, result, request = await asked(make_user)

    assert result.checkin.witness == await user_id(ben)
    assert request.checkin_id == result.checkin.id
    assert (request.from_.id, request.from_.handle) == (await user_id(ana), "ana")
    assert request.habit_title == "Thank a colleague"
    assert request.day == result.checkin.day
    assert request.expires_at == clock.now + timedelta(hours=72)
    assert await pending(ana) == []  # addressed to the witness only
    raw = await ben.request("GET", CONFIRMATIONS)
    assert b'"from"' in raw.content


async def test_nobody_witnesses_their_own_check_in(ana: RapportClient, ben: RapportClient) -> None:
    await team_of(ana, ben)
    habit = await relationships_habit(ana)

    error = await fails(witnessed(ana, habit, ana))

    assert error.status == 422
    assert "witness" in field_names(error)
    assert (await ana.checkins(habit.id)).items == []
    assert (await ana.me()).points == 0


async def test_the_witness_must_share_a_team(make_user: MakeUser) -> None:
    ana, ben, cat = [await make_user(h) for h in ("ana", "ben", "cat")]
    await team_of(ana, ben)
    await team_of(cat, ben)  # Cat is in a team, just not one with Ana
    habit = await relationships_habit(ana)

    error = await fails(witnessed(ana, habit, cat))

    assert error.status == 422
    assert "witness" in field_names(error)
    assert await pending(cat) == []
    assert (await ana.checkins(habit.id)).items == []

    unknown = await fails(ana.check_in(habit.id, schemas.CheckInCreate(witness=uuid4())))
    assert unknown.status == 422


async def test_a_custom_results_habit_takes_no_witness(
    ana: RapportClient, ben: RapportClient
) -> None:
    await team_of(ana, ben)
    results_habit = await ana.create_habit(
        schemas.HabitCreate(title="Ship", category="results", schedule=schemas.Daily())
    )

    error = await fails(witnessed(ana, results_habit, ben))

    assert error.status == 422
    assert "witness" in field_names(error)
    assert await pending(ben) == []
    assert (await ana.checkins(results_habit.id)).items == []


async def test_a_catalog_results_habit_without_a_natural_witness_takes_none(
    ana: RapportClient, ben: RapportClient
) -> None:
    await team_of(ana, ben)
    habit = await ana.create_habit(schemas.HabitCreate(template="time-block-top-priority"))

    error = await fails(witnessed(ana, habit, ben))

    assert error.status == 422
    assert "witness" in field_names(error)
    assert await pending(ben) == []


async def test_the_catalog_marks_the_results_habits_that_have_a_natural_witness(
    ana: RapportClient,
) -> None:
    catalog = {h.slug: h for h in await ana.catalog_habits()}

    assert {slug for slug, h in catalog.items() if h.witnessed} == {
        "deliver-on-a-promise",
        "close-the-loop",
    }
    assert all(h.category == "results" for h in catalog.values() if h.witnessed)


async def test_a_promise_habit_takes_a_teammate_witness_and_the_confirmation_pays(
    make_user: MakeUser,
) -> None:
    ana, ben = await make_user("ana"), await make_user("ben")
    await team_of(ana, ben)
    promise = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    assert (promise.category, promise.template) == ("results", "deliver-on-a-promise")

    result = await witnessed(ana, promise, ben)

    assert result.checkin.witness == await user_id(ben)
    [request] = await pending(ben)
    assert (request.checkin_id, request.habit_title) == (result.checkin.id, "Deliver on a promise")
    ana_before, ben_before = (await ana.me()).points, (await ben.me()).points

    outcome = await decided(ben, request.id, True)

    assert (outcome.status, outcome.points_awarded) == ("confirmed", WITNESS_BONUS)
    assert peer_entries(await ledger(ana)) == [("peer_confirmed", CONFIRMED_BONUS)]
    assert peer_entries(await ledger(ben)) == [("peer_witness", WITNESS_BONUS)]
    assert (await ana.me()).points == ana_before + CONFIRMED_BONUS
    assert (await ben.me()).points == ben_before + WITNESS_BONUS


async def test_a_promise_habit_still_needs_a_teammate_as_witness(make_user: MakeUser) -> None:
    ana, ben = await make_user("ana"), await make_user("ben")  # no shared team
    promise = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))

    error = await fails(witnessed(ana, promise, ben))

    assert error.status == 422
    assert "witness" in field_names(error)
    assert await pending(ben) == []


async def test_at_most_five_confirmations_are_asked_for_a_day(
    make_user: MakeUser, clock: FakeClock
) -> None:
    ana, ben = await make_user("ana"), await make_user("ben")
    await team_of(ana, ben)
    habits = [await relationships_habit(ana, f"Habit {i}") for i in range(6)]
    for habit in habits[:5]:
        await witnessed(ana, habit, ben)
    points_after_five = (await ana.me()).points

    error = await fails(witnessed(ana, habits[5], ben))

    assert error.status == 422
    assert "witness" in field_names(error)
    assert len(await pending(ben)) == 5
    assert (await ana.checkins(habits[5].id)).items == []
    assert (await ana.me()).points == points_after_five
    # Without a witness the same check-in is fine.
    assert (await ana.check_in(habits[5].id)).points_awarded > 0

    clock.advance(hours=24, minutes=1)  # a day later the allowance is back
    await witnessed(ana, habits[0], ben)
    assert len(await pending(ben)) == 6


# -- deciding -----------------------------------------------------------------------------


async def test_a_confirmation_pays_both_and_shows_in_both_ledgers(make_user: MakeUser) -> None:
    ana, ben, result, request = await asked(make_user)
    ana_before, ben_before = (await ana.me()).points, (await ben.me()).points

    outcome = await decided(ben, request.id, True)

    assert (outcome.id, outcome.status, outcome.points_awarded) == (
        request.id,
        "confirmed",
        WITNESS_BONUS,
    )
    ana_ledger, ben_ledger = await ledger(ana), await ledger(ben)
    assert peer_entries(ana_ledger) == [("peer_confirmed", CONFIRMED_BONUS)]
    assert peer_entries(ben_ledger) == [("peer_witness", WITNESS_BONUS)]
    [doer] = [e for e in ana_ledger if e.reason == "peer_confirmed"]
    assert (doer.checkin_id, doer.day) == (result.checkin.id, result.checkin.day)
    assert (await ana.me()).points == ana_before + CONFIRMED_BONUS
    assert (await ben.me()).points == ben_before + WITNESS_BONUS
    assert "peer-confirmed-1" in [b.slug for b in await ana.badges()]
    assert await pending(ben) == []


async def test_confirmation_bonuses_count_on_the_team_board(make_user: MakeUser) -> None:
    ana, ben = await make_user("ana"), await make_user("ben")
    team = await team_of(ana, ben)
    result = await witnessed(ana, await relationships_habit(ana), ben)
    [request] = await pending(ben)

    await decided(ben, request.id, True)

    response = await ana.request("GET", f"{TEAMS}/{team.id}/leaderboard", params={"period": "all"})
    lb = msgspec.json.decode(response.content, type=schemas.Leaderboard)
    assert {e.user.handle: e.points for e in lb.entries} == {
        "ana": result.points_awarded + CONFIRMED_BONUS,
        "ben": WITNESS_BONUS,
    }


async def test_a_declined_confirmation_pays_nobody(make_user: MakeUser) -> None:
    ana, ben, _, request = await asked(make_user)
    ana_before = (await ana.me()).points

    outcome = await decided(ben, request.id, False)

    assert (outcome.status, outcome.points_awarded) == ("declined", 0)
    assert peer_entries(await ledger(ana)) == []
    assert peer_entries(await ledger(ben)) == []
    assert (await ana.me()).points == ana_before
    assert (await ben.me()).points == 0
    assert await pending(ben) == []
    assert (await fails(decide(ben, request.id, True))).status == 409


async def test_confirming_twice_is_409_and_pays_once(make_user: MakeUser) -> None:
    ana, ben, _, request = await asked(make_user)
    await decided(ben, request.id, True)

    assert (await fails(decide(ben, request.id, True))).status == 409
    assert (await fails(decide(ben, request.id, False))).status == 409

    assert peer_entries(await ledger(ana)) == [("peer_confirmed", CONFIRMED_BONUS)]
    assert peer_entries(await ledger(ben)) == [("peer_witness", WITNESS_BONUS)]


async def test_a_confirmation_addressed_to_someone_else_is_404(make_user: MakeUser) -> None:
    ana, ben, _, request = await asked(make_user)
    cat = await make_user("cat")
    await team_of(cat, ana, ben)  # a teammate of both, but not the one asked

    assert (await fails(decide(cat, request.id, True))).status == 404
    assert (await fails(decide(ana, request.id, True))).status == 404  # the asker either
    assert (await fails(decide(ben, uuid4(), True))).status == 404  # and one that never was

    assert [r.id for r in await pending(ben)] == [request.id]
    assert peer_entries(await ledger(ana)) == []
    assert peer_entries(await ledger(cat)) == []


async def test_a_request_expires_after_72_hours(make_user: MakeUser, clock: FakeClock) -> None:
    ana, ben, _, request = await asked(make_user)

    clock.advance(hours=71)
    assert [r.id for r in await pending(ben)] == [request.id]

    clock.advance(hours=2)  # 73 hours after the check-in
    assert await pending(ben) == []
    assert (await fails(decide(ben, request.id, True))).status == 409
    assert peer_entries(await ledger(ana)) == []
    assert peer_entries(await ledger(ben)) == []


# -- undo ---------------------------------------------------------------------------------


async def test_undoing_a_confirmed_check_in_takes_both_bonuses_back(
    make_user: MakeUser,
) -> None:
    ana, ben, result, request = await asked(make_user)
    await decided(ben, request.id, True)

    await ana.undo(result.checkin.habit_id, result.checkin.id)

    assert peer_entries(await ledger(ana)) == [
        ("peer_confirmed", CONFIRMED_BONUS),
        ("undo:peer_confirmed", -CONFIRMED_BONUS),
    ]
    assert peer_entries(await ledger(ben)) == [
        ("peer_witness", WITNESS_BONUS),
        ("undo:peer_witness", -WITNESS_BONUS),
    ]
    assert (await ana.me()).points == 0
    assert (await ben.me()).points == 0


async def test_undoing_a_check_in_withdraws_its_pending_request(make_user: MakeUser) -> None:
    ana, ben, result, request = await asked(make_user)

    await ana.undo(result.checkin.habit_id, result.checkin.id)

    assert await pending(ben) == []
    assert (await fails(decide(ben, request.id, True))).status == 409
    assert peer_entries(await ledger(ana)) == []


async def test_undoing_another_check_in_of_the_day_keeps_a_confirmed_bonus(
    make_user: MakeUser,
) -> None:
    ana, ben = await make_user("ana"), await make_user("ben")
    await team_of(ana, ben)
    calls = await ana.create_habit(
        schemas.HabitCreate(
            title="Two calls",
            category="relationships",
            schedule=schemas.Daily(),
            kind="count",
            target=2,
        )
    )
    first = await ana.check_in(calls.id, schemas.CheckInCreate(value=1, witness=await user_id(ben)))
    [request] = await pending(ben)
    await decided(ben, request.id, True)
    second = await ana.check_in(calls.id, schemas.CheckInCreate(value=1))  # the day is done

    await ana.undo(calls.id, second.checkin.id)

    # The witnessed check-in still stands and its confirmation is still valid.
    assert [c.id for c in (await ana.checkins(calls.id)).items] == [first.checkin.id]
    assert peer_entries(await ledger(ana)) == [("peer_confirmed", CONFIRMED_BONUS)]
    assert peer_entries(await ledger(ben)) == [("peer_witness", WITNESS_BONUS)]


# -- anonymous callers --------------------------------------------------------------------


async def test_confirmation_routes_answer_401_without_a_token(
    http: AsyncTestClient[Litestar], make_user: MakeUser
) -> None:
    _, ben, _, request = await asked(make_user)
    anonymous = RapportClient(http=http)

    assert (await fails(anonymous.request("GET", CONFIRMATIONS))).status == 401
    assert (await fails(decide(anonymous, request.id, True))).status == 401
    assert [r.id for r in await pending(ben)] == [request.id]


async def test_a_witness_who_left_the_team_can_no_longer_confirm(make_user: MakeUser) -> None:
    ana, ben, _, request = await asked(make_user)
    response = await ben.request("GET", TEAMS)
    [team] = msgspec.json.decode(response.content, type=list[schemas.Team])
    left = await ben.request("DELETE", f"{TEAMS}/{team.id}/members/{await user_id(ben)}")
    assert left.status_code == 204

    refused = await fails(decide(ben, request.id, True))
    assert refused.status == 409
    assert peer_entries(await ledger(ben)) == []
    assert peer_entries(await ledger(ana)) == []
    # Saying no is still possible, and closes the request.
    assert (await decided(ben, request.id, False)).status == "declined"
