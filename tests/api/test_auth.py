"""Accounts through the HTTP API: register, log in and out, tokens, and the caller's profile."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import Settings
from server.store.areas import users as users_area
from server.store.records import UserRecord
from shared import schemas
from shared.client import ApiError, RapportClient
from tests.conftest import FakeClock, MakeUser, busy_history, fails, on_app_loop

PASSWORD = "a long enough password"
PROBLEM_JSON = "application/problem+json"


def anonymous(http: AsyncTestClient[Litestar]) -> RapportClient:
    return RapportClient(http=http)


def decode_auth(content: bytes) -> schemas.AuthResult:
    return msgspec.json.decode(content, type=schemas.AuthResult)


async def register_raw(http: AsyncTestClient[Litestar], body: dict[str, Any]) -> ApiError:
    return await fails(anonymous(http).request("POST", "/api/v1/auth/register", body=body))


# -- register -----------------------------------------------------------------------------


async def test_register_creates_account_and_returns_working_token(
    http: AsyncTestClient[Litestar],
) -> None:
    client = anonymous(http)
    response = await client.request(
        "POST",
        "/api/v1/auth/register",
        body=schemas.RegisterRequest(
            handle="carla",
            password=PASSWORD,
            display_name="Carla C.",
            timezone="Europe/Berlin",
            day_start_hour=4,
        ),
    )
    assert response.status_code == 201
    result = decode_auth(response.content)
    assert result.user.handle == "carla"
    assert result.user.display_name == "Carla C."
    assert (result.user.timezone, result.user.day_start_hour) == ("Europe/Berlin", 4)
    assert (result.user.points, result.user.xp, result.user.level) == (0, 0, 1)
    assert result.token

    client.token = result.token
    me = await client.me()
    assert me.id == result.user.id
    assert me.handle == "carla"


async def test_register_defaults_display_name_to_handle_and_timezone_to_utc(
    http: AsyncTestClient[Litestar],
) -> None:
    result = await anonymous(http).register(
        schemas.RegisterRequest(handle="dave", password=PASSWORD)
    )
    assert result.user.display_name == "dave"
    assert (result.user.timezone, result.user.day_start_hour) == ("UTC", 0)


async def test_register_taken_handle_is_409(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    error = await fails(
        anonymous(http).register(schemas.RegisterRequest(handle="ana", password=PASSWORD))
    )
    assert error.status == 409
    assert error.problem is not None
    assert error.problem.status == 409


@pytest.mark.parametrize(
    "handle",
    ["Ana", "a b", "ab", "x" * 33, "-ana", "ana!"],
    ids=["uppercase", "space", "too-short", "too-long", "leading-dash", "punctuation"],
)
async def test_register_bad_handle_is_400_naming_the_field(
    http: AsyncTestClient[Litestar], handle: str
) -> None:
    error = await register_raw(http, {"handle": handle, "password": PASSWORD})
    assert error.status == 400
    assert error.problem is not None
    assert error.problem.errors is not None
    assert [e.field for e in error.problem.errors] == ["handle"]


async def test_register_short_password_is_400(http: AsyncTestClient[Litestar]) -> None:
    error = await register_raw(http, {"handle": "erin", "password": "short"})
    assert error.status == 400
    assert error.problem is not None
    assert error.problem.errors is not None
    assert [e.field for e in error.problem.errors] == ["password"]


async def test_register_unknown_field_is_400(http: AsyncTestClient[Litestar]) -> None:
    error = await register_raw(http, {"handle": "erin", "password": PASSWORD, "nickname": "E"})
    assert error.status == 400
    assert error.problem is not None
    assert "nickname" in error.problem.detail


async def test_register_unknown_timezone_is_422_and_creates_nothing(
    http: AsyncTestClient[Litestar],
) -> None:
    error = await register_raw(
        http, {"handle": "erin", "password": PASSWORD, "timezone": "Mars/Olympus_Mons"}
    )
    assert error.status == 422
    assert error.problem is not None
    assert error.problem.errors is not None
    assert [e.field for e in error.problem.errors] == ["timezone"]
    # The handle is still free.
    result = await anonymous(http).register(
        schemas.RegisterRequest(handle="erin", password=PASSWORD)
    )
    assert result.user.handle == "erin"


# -- login --------------------------------------------------------------------------------


async def test_login_returns_a_working_token(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    client = anonymous(http)
    response = await client.request(
        "POST", "/api/v1/auth/login", body={"handle": "ana", "password": PASSWORD}
    )
    assert response.status_code == 200
    result = decode_auth(response.content)
    assert result.user.handle == "ana"
    assert result.token != ana.token

    client.token = result.token
    assert (await client.me()).handle == "ana"


async def test_login_wrong_password_is_401(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    client = anonymous(http)
    error = await fails(client.login("ana", "not the password"))
    assert error.status == 401
    assert client.token is None


async def test_login_unknown_handle_is_401(http: AsyncTestClient[Litestar]) -> None:
    error = await fails(anonymous(http).login("nobody", PASSWORD))
    assert error.status == 401


async def test_login_is_rate_limited_after_ten_failures_then_recovers(
    http: AsyncTestClient[Litestar], ana: RapportClient, clock: FakeClock
) -> None:
    client = anonymous(http)
    for _ in range(10):
        assert (await fails(client.login("ana", "wrong password"))).status == 401

    # Even the right password is refused while the limit holds.
    error = await fails(client.login("ana", PASSWORD))
    assert error.status == 429
    assert error.retry_after is not None
    assert 1 <= error.retry_after <= 60
    raw = await http.post("/api/v1/auth/login", json={"handle": "ana", "password": PASSWORD})
    assert raw.status_code == 429
    assert raw.headers["retry-after"].isdigit()
    assert raw.headers["content-type"].startswith(PROBLEM_JSON)

    clock.advance(seconds=61)
    result = await client.login("ana", PASSWORD)
    assert result.user.handle == "ana"
    assert (await client.me()).handle == "ana"


# -- tokens and logout --------------------------------------------------------------------


async def test_logout_is_204_and_revokes_the_token(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    other = anonymous(http)
    await other.login("ana", PASSWORD)

    response = await ana.request("POST", "/api/v1/auth/logout")
    assert response.status_code == 204

    error = await fails(ana.me())
    assert error.status == 401
    # Only the token used was revoked.
    assert (await other.me()).handle == "ana"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer rpt_not-a-real-token"},
        {"Authorization": "Bearer garbage"},
        {"Authorization": "Basic YW5hOnB3"},
        {"Authorization": "Bearer "},
    ],
    ids=["missing", "unknown-token", "garbage", "wrong-scheme", "empty"],
)
async def test_missing_or_bad_token_is_401_problem_json(
    http: AsyncTestClient[Litestar], ana: RapportClient, headers: dict[str, str]
) -> None:
    response = await http.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["status"] == 401
    assert {"type", "title", "detail"} <= body.keys()


# -- the caller's profile -----------------------------------------------------------------


async def test_get_me_returns_the_profile(ana: RapportClient) -> None:
    me = await ana.me()
    assert me.handle == "ana"
    assert (me.timezone, me.day_start_hour) == ("UTC", 0)
    assert (me.level, me.xp, me.points, me.streak_freezes) == (1, 0, 0, 0)


async def test_patch_me_changes_only_the_given_fields(ana: RapportClient) -> None:
    updated = await ana.update_me(
        schemas.ProfilePatch(display_name="Ana A.", timezone="America/New_York")
    )
    assert (updated.display_name, updated.timezone, updated.day_start_hour) == (
        "Ana A.",
        "America/New_York",
        0,
    )
    updated = await ana.update_me(schemas.ProfilePatch(day_start_hour=5))
    assert (updated.display_name, updated.timezone, updated.day_start_hour) == (
        "Ana A.",
        "America/New_York",
        5,
    )
    assert await ana.me() == updated


@pytest.mark.parametrize(
    # Files a system keeps beside the tz database, which ZoneInfo would open, are no zone
    # a person means; nor is the database's own placeholder.
    "timezone",
    ["Nowhere/City", "localtime", "posixrules", "right/UTC", "posix/Europe/Berlin", "Factory"],
)
async def test_patch_me_unknown_timezone_is_422_and_changes_nothing(
    ana: RapportClient, timezone: str
) -> None:
    before = await ana.me()
    error = await fails(
        ana.request("PATCH", "/api/v1/me", body={"display_name": "Renamed", "timezone": timezone})
    )
    assert error.status == 422
    assert error.problem is not None
    assert error.problem.errors is not None
    assert [e.field for e in error.problem.errors] == ["timezone"]
    assert await ana.me() == before


async def test_links_of_the_tz_database_are_zones_a_person_may_mean(ana: RapportClient) -> None:
    for name in ("US/Pacific", "Asia/Kathmandu", "Etc/GMT+5", "UTC"):
        patched = await ana.request("PATCH", "/api/v1/me", body={"timezone": name})
        assert patched.status_code == 200, name
        assert (await ana.me()).timezone == name


async def test_patch_me_unknown_field_is_400_and_changes_nothing(ana: RapportClient) -> None:
    before = await ana.me()
    error = await fails(
        ana.request("PATCH", "/api/v1/me", body={"display_name": "Renamed", "handle": "anna"})
    )
    assert error.status == 400
    assert await ana.me() == before


async def test_patch_me_day_start_hour_out_of_range_is_400(ana: RapportClient) -> None:
    error = await fails(ana.request("PATCH", "/api/v1/me", body={"day_start_hour": 24}))
    assert error.status == 400
    assert (await ana.me()).day_start_hour == 0


async def test_delete_me_revokes_token_and_frees_the_handle(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    old_id = (await ana.me()).id
    response = await ana.request("DELETE", "/api/v1/me")
    assert response.status_code == 204

    assert (await fails(ana.me())).status == 401
    assert (await fails(anonymous(http).login("ana", PASSWORD))).status == 401

    again = await anonymous(http).register(
        schemas.RegisterRequest(handle="ana", password="another long password")
    )
    assert again.user.handle == "ana"
    assert again.user.id != old_id
    assert again.user.points == 0


async def test_delete_me_removes_the_accounts_habits(make_user: MakeUser) -> None:
    ana = await make_user("ana")
    await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    await ana.delete_me()

    fresh = await make_user("ana")
    assert (await fresh.habits()).items == []


async def test_a_deleted_account_goes_a_batch_at_a_time_and_takes_only_its_own_rows(
    http: AsyncTestClient[Litestar],
    make_user: MakeUser,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its check-ins, ledger and change log go a few rows to a statement (patched to 2 here,
    so every table takes several); a teammate's rows stay as they were."""
    monkeypatch.setattr(users_area, "DELETE_BATCH", 2)
    ana, ben = await make_user("ana"), await make_user("ben")
    await busy_history(ana, ben, clock, days=6)
    ids = {name: str((await client.me()).id) for name, client in (("ana", ana), ("ben", ben))}

    async def rows() -> dict[tuple[str, str], int]:
        async with http.app.state.ctx.read() as q:
            return {
                (name, table): int(
                    await q.conn.fetch_value(
                        f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", user_id
                    )
                )
                for name, user_id in ids.items()
                for table in ("checkins", "ledger", "changes", "habits")
            }

    before = await on_app_loop(http, rows)
    assert before[("ana", "checkins")] > 4
    assert before[("ana", "ledger")] > 4
    assert before[("ana", "changes")] > 4
    await ana.delete_me()
    after = await on_app_loop(http, rows)
    assert {k: v for k, v in after.items() if k[0] == "ana"} == {
        ("ana", t): 0 for t in ("checkins", "ledger", "changes", "habits")
    }
    for table in ("checkins", "ledger", "habits"):
        assert after[("ben", table)] == before[("ben", table)]
    # Ben hears that the team lost a member: one change more, none less.
    assert after[("ben", "changes")] == before[("ben", "changes")] + 1


async def test_the_served_password_hash_is_argon2id_at_rfc_9106_low_memory_strength(
    settings: Settings, clock: FakeClock
) -> None:
    """Tests hash with a cheap hasher (tests/conftest.py); the server's own default is the
    strong one."""
    app = create_app(settings, clock=clock)
    async with AsyncTestClient(app=app) as http:
        await anonymous(http).register(schemas.RegisterRequest(handle="ana", password=PASSWORD))

        async def stored_user() -> UserRecord | None:
            async with app.state.ctx.read() as q:
                return await q.users.by_handle("ana")

        ana = await on_app_loop(http, stored_user)
    assert ana is not None
    stored = ana.password_hash
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PasswordHasher().verify(stored, PASSWORD)
