"""Notifications end to end on the fake clock: reminders and streak nudges rung by the
worker once per channel, webhooks signed as Standard Webhooks say and retried under the
same id, Web Push encrypted for the subscription and signed with the server's VAPID key,
live events, and outgoing requests kept off private addresses."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import http_ece  # type: ignore[import-untyped]
import msgspec
import pytest
from litestar import Litestar
from litestar.channels import ChannelsPlugin
from litestar.testing import AsyncTestClient
from py_vapid import Vapid02  # type: ignore[import-untyped]
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from server.domain import delivery
from server.services.outbound import Outbound
from server.services.worker import Worker
from server.settings import Settings
from server.store.areas.notifications import Notifications
from server.store.backends import database_for
from shared import schemas
from shared.client import ApiError, RapportClient
from tests.conftest import FakeClock, MakeUser, on_app_loop, overlapping_client, team_of
from tests.notify import Browser, Received, Receiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The receivers here listen on 127.0.0.1; test_private_addresses_* checks the default.
    return msgspec.structs.replace(settings, webhooks_allow_private=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver().start()
    yield found
    found.stop()


async def tick(http: AsyncTestClient[Litestar]) -> None:
    await on_app_loop(http, lambda: http.app.state.worker.tick())


async def hook(client: RapportClient, url: str, events: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"url": url} if events is None else {"url": url, "events": events}
    made: dict[str, Any] = (await client.request("POST", "/api/v1/me/webhooks", body=body)).json()
    return made


async def daily(client: RapportClient, title: str, reminders: list[str] | None = None) -> str:
    body = {"title": title, "category": "results", "schedule": {"type": "daily"},
            "reminders": reminders or []}  # fmt: skip
    return str((await client.request("POST", "/api/v1/habits", body=body)).json()["id"])


async def check_in(client: RapportClient, habit_id: str) -> None:
    await client.request("POST", f"/api/v1/habits/{habit_id}/checkins", body={})


def of_type(got: list[Received], event: str) -> list[dict[str, Any]]:
    bodies = [json.loads(r.body) for r in got]
    return [b for b in bodies if b["type"] == event]


# -- webhooks ---------------------------------------------------------------------------


async def test_a_webhook_gets_a_check_in_signed_as_standard_webhooks_say(
    http: AsyncTestClient[Litestar], make_user: MakeUser, receiver: Receiver, clock: FakeClock
) -> None:
    clock.set(datetime.now(UTC))  # the library's verifier checks the timestamp is recent
    ana = await make_user("ana")
    made = await hook(ana, f"{receiver.url}/mine")
    assert made["secret"].startswith("whsec_")
    listed = (await ana.request("GET", "/api/v1/me/webhooks")).json()
    assert [h["secret"] for h in listed] == [None]  # shown once, at creation
    habit_id = await daily(ana, "Listen")
    await check_in(ana, habit_id)
    await tick(http)

    [got] = [r for r in receiver.got if b'"checkin.created"' in r.body]
    assert got.path == "/mine"
    verified = Webhook(made["secret"]).verify(got.body, got.headers)
    assert verified["type"] == "checkin.created"
    assert verified["data"]["habit_id"] == habit_id
    assert verified["data"]["points_awarded"] > 0
    assert got.headers["webhook-id"].startswith("msg_")
    # The first check-in's badge comes as its own event.
    [badge] = of_type(receiver.got, "badge.earned")
    assert badge["data"]["slug"] == "first-checkin"
    # Tampering with the body breaks the signature.
    with pytest.raises(WebhookVerificationError):
        Webhook(made["secret"]).verify(got.body.replace(b"Listen", b"Lie"), got.headers)


async def test_a_failed_delivery_is_retried_with_the_same_webhook_id(
    http: AsyncTestClient[Litestar], make_user: MakeUser, receiver: Receiver, clock: FakeClock
) -> None:
    clock.set(datetime.now(UTC))
    ana = await make_user("ana")
    made = await hook(ana, receiver.url, ["checkin.created"])
    receiver.answers.extend([500, 503])
    await check_in(ana, await daily(ana, "Listen"))
    await tick(http)
    await tick(http)  # not yet: the retry waits its backoff
    assert len(receiver.got) == 1
    clock.advance(seconds=10)
    await tick(http)
    clock.advance(seconds=20)
    await tick(http)
    assert len(receiver.got) == 3
    assert len({r.headers["webhook-id"] for r in receiver.got}) == 1
    for got in receiver.got:  # each attempt signed afresh, each verifies
        Webhook(made["secret"]).verify(got.body, got.headers)
    log = (await ana.request("GET", f"/api/v1/me/webhooks/{made['id']}/deliveries")).json()
    assert [(d["attempt"], d["status_code"]) for d in log] == [(3, 200), (2, 503), (1, 500)]
    assert log[1]["error"] == "answered 503"


async def test_a_redirect_is_not_followed(
    http: AsyncTestClient[Litestar], ana: RapportClient, receiver: Receiver
) -> None:
    made = await hook(ana, f"{receiver.url}/first", ["checkin.created"])
    receiver.answers.append(302)
    receiver.extra["Location"] = f"{receiver.url}/elsewhere"
    await check_in(ana, await daily(ana, "Listen"))
    await tick(http)
    assert [r.path for r in receiver.got] == ["/first"]
    [attempt] = (await ana.request("GET", f"/api/v1/me/webhooks/{made['id']}/deliveries")).json()
    assert attempt["status_code"] == 302


async def test_a_deleted_webhook_sends_nothing_more(
    http: AsyncTestClient[Litestar], ana: RapportClient, receiver: Receiver
) -> None:
    made = await hook(ana, receiver.url)
    await check_in(ana, await daily(ana, "Listen"))
    await ana.request("DELETE", f"/api/v1/me/webhooks/{made['id']}")
    await tick(http)
    assert receiver.got == []


async def test_webhooks_are_capped_and_events_must_be_known(ana: RapportClient) -> None:
    for n in range(5):
        await hook(ana, f"https://hooks.example.com/{n}")
    with pytest.raises(ApiError) as err:
        await hook(ana, "https://hooks.example.com/6")
    assert err.value.status == 409
    with pytest.raises(ApiError) as err:
        await hook(ana, "https://hooks.example.com/x", ["team.board.weekly"])
    assert err.value.status == 422


# -- reminders --------------------------------------------------------------------------


async def test_a_reminder_rings_once_on_every_channel_and_not_for_a_day_done(
    http: AsyncTestClient[Litestar], ana: RapportClient, receiver: Receiver, clock: FakeClock
) -> None:
    # The clock says Wednesday 2026-03-11 12:00 UTC; ana lives in UTC.
    await hook(ana, receiver.url, ["habit.reminder"])
    listen = await daily(ana, "Listen", ["12:05"])
    done = await daily(ana, "Network", ["12:05"])
    await check_in(ana, done)
    channels = http.app.plugins.get(ChannelsPlugin)
    me = str((await ana.me()).id)
    subscriber = await on_app_loop(http, lambda: channels.subscribe([f"user:{me}"]))

    await tick(http)
    assert of_type(receiver.got, "habit.reminder") == []
    clock.advance(minutes=5)
    await tick(http)
    clock.advance(seconds=30)
    await tick(http)  # a second worker pass, and below a second worker: still once
    second = type(http.app.state.worker)(http.app.state.ctx, Outbound(allow_private=True))
    await on_app_loop(http, second.tick)

    [rung] = of_type(receiver.got, "habit.reminder")
    assert rung["data"] == {
        "habit_id": listen, "title": "Listen", "day": "2026-03-11", "local_time": "12:05",
        "at": "2026-03-11T12:05:00+00:00",
    }  # fmt: skip

    async def live() -> list[dict[str, Any]]:
        events = []
        async for raw in subscriber.iter_events():
            events.append(msgspec.json.decode(raw))
            if events[-1].get("event") == "reminder":
                break
        return events

    events = await on_app_loop(http, lambda: asyncio.wait_for(live(), 2))
    assert [e["id"] for e in events if e.get("event") == "reminder"] == [listen]
    await on_app_loop(http, lambda: channels.unsubscribe(subscriber))


async def test_two_instances_ticking_at_once_ring_a_reminder_once(
    http: AsyncTestClient[Litestar], ana: RapportClient, receiver: Receiver, clock: FakeClock
) -> None:
    """Two workers, each with its own connections to the database (two server processes),
    ring and deliver at the same moment: the outbox's unique keys and claims leave one of
    everything (on PostgreSQL the two really race; SQLite's single writer serialises)."""
    await hook(ana, receiver.url, ["habit.reminder"])
    await daily(ana, "Listen", ["12:05"])
    clock.advance(minutes=5)
    ctx = http.app.state.ctx

    async def both() -> None:
        other_db = database_for(ctx.settings)
        await other_db.open()
        other = Worker(dataclasses.replace(ctx, db=other_db), Outbound(allow_private=True))
        mine, now = http.app.state.worker, clock()
        try:
            await asyncio.gather(mine.ring_reminders(now), other.ring_reminders(now))
            await asyncio.gather(mine.deliver(now), other.deliver(now))
        finally:
            await other.close()
            await other_db.close()

    await on_app_loop(http, both)
    assert len(of_type(receiver.got, "habit.reminder")) == 1


@pytest.mark.parametrize(
    ("timezone", "local", "utc"),
    [
        ("Asia/Kathmandu", "08:30", "2026-03-11T02:45:00+00:00"),  # UTC+5:45
        ("Australia/Lord_Howe", "20:00", "2026-03-11T09:00:00+00:00"),  # UTC+11 in summer
    ],
)
async def test_a_reminder_rings_within_a_minute_in_zones_with_odd_offsets(
    http: AsyncTestClient[Litestar], make_user: MakeUser, receiver: Receiver, clock: FakeClock,
    timezone: str, local: str, utc: str,
) -> None:  # fmt: skip
    clock.set(datetime(2026, 3, 11, 0, 0, tzinfo=UTC))
    user = await make_user("far", timezone=timezone)
    await hook(user, receiver.url, ["habit.reminder"])
    await daily(user, "Listen", [local])
    await tick(http)
    clock.set(datetime.fromisoformat(utc) - timedelta(seconds=1))
    await tick(http)
    assert of_type(receiver.got, "habit.reminder") == []
    clock.advance(seconds=31)
    await tick(http)
    [rung] = of_type(receiver.got, "habit.reminder")
    assert rung["data"]["at"] == utc


async def ring_times(
    http: AsyncTestClient[Litestar], clock: FakeClock, receiver: Receiver,
    start: datetime, hours: float, step_minutes: int = 5,
) -> list[str]:  # fmt: skip
    """Tick every few minutes from ``start`` for ``hours``; the reminders' ``at`` rung."""
    clock.set(start)
    for _ in range(int(hours * 60 / step_minutes) + 1):
        await tick(http)
        clock.advance(minutes=step_minutes)
    return [r["data"]["at"] for r in of_type(receiver.got, "habit.reminder")]


@pytest.mark.parametrize(
    ("night", "rung"),
    [
        # Spring forward: 02:30 does not exist; it rings once, at 03:30 summer time.
        (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), ["2026-03-29T01:30:00+00:00"]),
        # Fall back: 02:30 comes twice; it rings once, at its first pass.
        (datetime(2026, 10, 24, 23, 0, tzinfo=UTC), ["2026-10-25T00:30:00+00:00"]),
    ],
    ids=["spring forward", "fall back"],
)
async def test_a_reminder_in_the_hour_clocks_change_rings_once(
    http: AsyncTestClient[Litestar], make_user: MakeUser, receiver: Receiver, clock: FakeClock,
    night: datetime, rung: list[str],
) -> None:  # fmt: skip
    clock.set(night - timedelta(hours=1))
    user = await make_user("berlin", timezone="Europe/Berlin")
    await hook(user, receiver.url, ["habit.reminder"])
    await daily(user, "Listen", ["02:30"])
    assert await ring_times(http, clock, receiver, night, hours=4) == rung


async def test_a_time_zone_change_after_scheduling_moves_the_reminder(
    http: AsyncTestClient[Litestar], ana: RapportClient, receiver: Receiver, clock: FakeClock
) -> None:
    await hook(ana, receiver.url, ["habit.reminder"])
    await daily(ana, "Listen", ["18:00"])
    await tick(http)  # scheduled for 18:00 UTC
    await ana.request("PATCH", "/api/v1/me", body={"timezone": "Asia/Kathmandu"})
    # 18:00 in Kathmandu is 12:15 UTC, long before the 18:00 UTC first worked out.
    assert await ring_times(http, clock, receiver, clock(), hours=0.5) == [
        "2026-03-11T12:15:00+00:00"
    ]


async def test_quiet_hours_defer_a_reminder_to_their_end(
    http: AsyncTestClient[Litestar], ana: RapportClient, receiver: Receiver, clock: FakeClock
) -> None:
    quiet = {"streak_at_risk": False, "quiet_hours": {"start": "22:00", "end": "07:00"}}
    await ana.request("PATCH", "/api/v1/me", body={"notifications": quiet})
    await hook(ana, receiver.url, ["habit.reminder"])
    await daily(ana, "Listen", ["22:30"])
    start = datetime(2026, 3, 11, 22, 0, tzinfo=UTC)
    assert await ring_times(http, clock, receiver, start, hours=9.5, step_minutes=15) == [
        "2026-03-12T07:00:00+00:00"
    ]
    [rung] = of_type(receiver.got, "habit.reminder")
    assert rung["data"]["day"] == "2026-03-11"  # the day it reminds of


async def test_a_reminder_more_than_30_minutes_late_is_dropped(
    http: AsyncTestClient[Litestar], ana: RapportClient, receiver: Receiver, clock: FakeClock
) -> None:
    await hook(ana, receiver.url, ["habit.reminder"])
    await daily(ana, "Late", ["12:05"])
    await daily(ana, "Almost", ["12:20"])
    clock.set(datetime(2026, 3, 11, 12, 36, tzinfo=UTC))  # the server was down till now
    await tick(http)
    assert [r["data"]["title"] for r in of_type(receiver.got, "habit.reminder")] == ["Almost"]


async def test_a_reminder_after_midnight_belongs_to_the_day_before_with_a_late_day_start(
    http: AsyncTestClient[Litestar], make_user: MakeUser, receiver: Receiver, clock: FakeClock
) -> None:
    owl = await make_user("owl", day_start_hour=4)
    await hook(owl, receiver.url, ["habit.reminder"])
    habit_id = await daily(owl, "Journal", ["01:30"])
    await check_in(owl, habit_id)  # Wednesday is done: no reminder at 01:30 on Thursday
    start = datetime(2026, 3, 12, 1, 0, tzinfo=UTC)
    assert await ring_times(http, clock, receiver, start, hours=1) == []
    start = datetime(2026, 3, 13, 1, 0, tzinfo=UTC)  # Thursday's, not done
    assert await ring_times(http, clock, receiver, start, hours=1) == ["2026-03-13T01:30:00+00:00"]
    [rung] = of_type(receiver.got, "habit.reminder")
    assert rung["data"]["day"] == "2026-03-12"


# -- streaks at risk --------------------------------------------------------------------


async def streak_of(client: RapportClient, clock: FakeClock, days: int) -> str:
    habit_id = await daily(client, "Listen")
    for _ in range(days):
        await check_in(client, habit_id)
        clock.advance(days=1)
    return habit_id


@pytest.mark.parametrize(
    ("days", "done_today", "nudged"),
    [(3, False, True), (2, False, False), (3, True, False), (7, False, False)],
    ids=["3 days at risk", "2 days: too short", "done today", "a freeze covers it"],
)
async def test_a_streak_at_risk_is_nudged_hours_before_the_day_ends(
    http: AsyncTestClient[Litestar], ana: RapportClient, receiver: Receiver, clock: FakeClock,
    days: int, done_today: bool, nudged: bool,
) -> None:  # fmt: skip
    await hook(ana, receiver.url, ["streak.at_risk"])
    habit_id = await streak_of(ana, clock, days)
    if done_today:
        await check_in(ana, habit_id)
    today = clock().date()
    start = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=20)
    clock.set(start)
    for _ in range(12):  # 20:00 .. 23:00, every 15 minutes
        await tick(http)
        clock.advance(minutes=15)
    found = of_type(receiver.got, "streak.at_risk")
    if nudged:
        [one] = found
        assert one["data"]["streak"] == days
        assert one["data"]["at"] == (start + timedelta(hours=1)).isoformat()  # 3 h before
    else:
        assert found == []


# -- team boards ------------------------------------------------------------------------


async def test_a_team_webhook_gets_last_weeks_board_once_when_the_week_begins(
    http: AsyncTestClient[Litestar], ana: RapportClient, ben: RapportClient,
    receiver: Receiver, clock: FakeClock,
) -> None:  # fmt: skip
    team = await team_of(ana, ben, timezone="Europe/Berlin")
    made = await ana.request(
        "POST", f"/api/v1/teams/{team.id}/webhooks",
        body={"url": receiver.url, "events": ["team.board.weekly"]},
    )  # fmt: skip
    assert made.status_code == 201
    with pytest.raises(ApiError) as err:  # a member is not an admin
        await ben.request("POST", f"/api/v1/teams/{team.id}/webhooks", body={"url": receiver.url})
    assert err.value.status == 403
    await check_in(ana, await daily(ana, "Listen"))
    await check_in(ana, await daily(ana, "Network"))
    await check_in(ben, await daily(ben, "Listen"))
    # Sunday 22:50 UTC is Sunday 23:50 in Berlin: the week has not ended.
    clock.set(datetime(2026, 3, 15, 22, 50, tzinfo=UTC))
    for _ in range(6):
        await tick(http)
        clock.advance(minutes=5)
    [board] = of_type(receiver.got, "team.board.weekly")
    assert board["data"]["week_starts_on"] == "2026-03-09"
    names = [(e["rank"], e["name"]) for e in board["data"]["entries"]]
    assert names == [(1, "ana"), (2, "ben")]
    assert board["data"]["entries"][0]["points"] > board["data"]["entries"][1]["points"]
    assert receiver.got[0].headers["webhook-timestamp"] == str(
        int(datetime(2026, 3, 15, 23, 0, tzinfo=UTC).timestamp())
    )


# -- Web Push ---------------------------------------------------------------------------


async def test_web_push_round_trip_encrypted_for_the_subscription_and_signed_by_the_server(
    http: AsyncTestClient[Litestar], ana: RapportClient, receiver: Receiver, clock: FakeClock
) -> None:
    browser = Browser.new()
    endpoint = f"{receiver.url}/push/ana-device"
    made = await ana.request(
        "POST", "/api/v1/me/push-subscriptions", body=browser.subscription(endpoint)
    )
    assert made.status_code == 201
    key = (await ana.request("GET", "/api/v1/push/vapid-public-key")).json()["key"]
    await daily(ana, "Listen", ["12:05"])
    clock.advance(minutes=5)
    await tick(http)

    [got] = receiver.got
    assert got.path == "/push/ana-device"
    assert got.headers["content-encoding"] == "aes128gcm"
    assert int(got.headers["ttl"]) > 0
    shown = json.loads(
        http_ece.decrypt(
            got.body, private_key=browser.private_key, auth_secret=browser.auth, version="aes128gcm"
        )
    )
    assert (shown["type"], shown["title"], shown["local_time"]) == (
        "habit.reminder", "Listen", "12:05",
    )  # fmt: skip
    # VAPID (RFC 8292): signed by the key the server publishes, for this push service.
    scheme, _, params = got.headers["authorization"].partition(" ")
    parts = dict(p.split("=", 1) for p in params.split(","))
    assert scheme == "vapid"
    assert parts["k"] == key
    assert Vapid02.verify(got.headers["authorization"]) is True
    claims = json.loads(base64.urlsafe_b64decode(parts["t"].split(".")[1] + "=="))
    assert claims["aud"] == receiver.url
    assert claims["sub"].startswith("mailto:")


async def test_a_push_service_answering_410_removes_the_subscription(
    http: AsyncTestClient[Litestar], ana: RapportClient, receiver: Receiver, clock: FakeClock
) -> None:
    await ana.request(
        "POST", "/api/v1/me/push-subscriptions",
        body=Browser.new().subscription(f"{receiver.url}/push/gone"),
    )  # fmt: skip
    receiver.answers.append(410)
    await daily(ana, "Listen", ["12:05"])
    clock.advance(minutes=5)
    await tick(http)
    assert len(receiver.got) == 1
    assert (await ana.request("GET", "/api/v1/me/push-subscriptions")).json() == []


async def test_a_push_subscription_with_keys_that_are_no_point_is_refused(
    ana: RapportClient,
) -> None:
    body = Browser.new().subscription("https://push.example.com/x")
    body["keys"]["p256dh"] = "A" * 87
    with pytest.raises(ApiError) as err:
        await ana.request("POST", "/api/v1/me/push-subscriptions", body=body)
    assert err.value.status == 422
    assert (await ana.request("GET", "/api/v1/me/push-subscriptions")).json() == []


async def test_the_worker_sleeps_until_the_next_reminder_is_due(
    http: AsyncTestClient[Litestar], ana: RapportClient, clock: FakeClock
) -> None:
    worker = http.app.state.worker
    await ana.request("PATCH", "/api/v1/me", body={"notifications": {"streak_at_risk": False}})
    assert await on_app_loop(http, worker.schedule) == 60  # nothing planned
    await daily(ana, "Listen", ["12:05"])
    assert await on_app_loop(http, worker.schedule) == 60  # planned: 12:05 is 5 min away
    clock.set(datetime(2026, 3, 11, 12, 4, 52, tzinfo=UTC))
    assert await on_app_loop(http, worker.schedule) == 8  # wakes at 12:05:00


async def test_a_message_that_cannot_be_sent_does_not_hold_up_the_others(
    http: AsyncTestClient[Litestar], ana: RapportClient, ben: RapportClient,
    receiver: Receiver, clock: FakeClock,
) -> None:  # fmt: skip
    """A push subscription whose key breaks the encoder (one stored before keys were
    checked) fails alone: the webhook in the same batch is delivered, once."""
    ctx = http.app.state.ctx
    ana_id = str((await ana.me()).id)

    async def broken_subscription() -> None:
        async with ctx.db.write() as conn:
            await conn.execute(
                "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                "00000000-0000-4000-8000-000000000001", ana_id, f"{receiver.url}/push",
                "BA" + "A" * 85, "A" * 22, "2026-03-11T12:00:00+00:00",
            )  # fmt: skip

    await on_app_loop(http, broken_subscription)
    await hook(ben, f"{receiver.url}/ben", ["checkin.created"])
    await daily(ana, "Listen", ["12:05"])
    clock.advance(minutes=5)
    await check_in(ben, await daily(ben, "Listen"))
    await tick(http)
    await tick(http)
    assert [r.path for r in receiver.got] == ["/ben"]


async def test_a_webhook_deleted_while_its_batch_is_sending_leaves_the_rest_stored(
    http: AsyncTestClient[Litestar], ana: RapportClient, ben: RapportClient,
    receiver: Receiver, clock: FakeClock,
) -> None:  # fmt: skip
    ctx = http.app.state.ctx
    worker = http.app.state.worker
    gone = await hook(ana, f"{receiver.url}/ana", ["checkin.created"])
    await hook(ben, f"{receiver.url}/ben", ["checkin.created"])
    await check_in(ana, await daily(ana, "Listen"))
    await check_in(ben, await daily(ben, "Listen"))
    send = worker.outbound.post

    async def deleting_first(url: str, body: bytes, headers: dict[str, str]) -> Any:
        if url.endswith("/ana"):
            async with ctx.write() as q:
                await q.notifications.delete_webhook(gone["id"])
        return await send(url, body, headers)

    worker.outbound.post = deleting_first
    await tick(http)
    clock.advance(minutes=3)  # past any claim: what was not stored would go again
    await tick(http)
    assert sorted(r.path for r in receiver.got) == ["/ana", "/ben"]  # ben's stored: not again


async def count_habit(client: RapportClient) -> str:
    body = {"title": "Calls", "category": "relationships", "schedule": {"type": "daily"},
            "kind": "count", "target": 50}  # fmt: skip
    return str((await client.request("POST", "/api/v1/habits", body=body)).json()["id"])


async def test_a_failing_receiver_neither_holds_up_others_nor_gets_hammered(
    http: AsyncTestClient[Litestar], ana: RapportClient, ben: RapportClient,
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Ana floods her own webhook, which always answers 503: Ben's message goes out in the
    same pass, hers are tried two at a time and then held back together, and no more than
    the cap of them wait."""
    monkeypatch.setattr("server.domain.delivery.MAX_PENDING_PER_TARGET", 12)
    failing = Receiver(answers=deque([503] * 1000)).start()
    try:
        await hook(ana, f"{failing.url}/ana", ["checkin.created"])
        await hook(ben, f"{receiver.url}/ben", ["checkin.created"])
        calls = await count_habit(ana)
        for _ in range(20):
            await check_in(ana, calls)
        await check_in(ben, await daily(ben, "Listen"))
        await tick(http)
        await tick(http)
        assert [r.path for r in receiver.got] == ["/ben"]
        assert len(failing.got) == 2  # two tries, then the receiver is held back
        log = await ana.request("GET", "/api/v1/me/webhooks")
        [made] = log.json()
        waiting = await ana.request("GET", f"/api/v1/me/webhooks/{made['id']}/deliveries")
        assert [d["status_code"] for d in waiting.json()] == [503, 503]

        async def pending() -> int:
            async with http.app.state.ctx.read() as q:
                return int(await q.notifications.pending_for(made["id"]))

        assert await on_app_loop(http, pending) == 12  # 20 check-ins, 12 kept
    finally:
        failing.stop()


async def test_two_managers_adding_team_webhooks_at_once_stay_within_the_cap(
    app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cap is the team's: on PostgreSQL two admins' transactions used to see the same
    count and both add (each locked only its own user). Counting is slowed down here so
    that the transactions surely overlap between count and insert."""
    counted = Notifications.webhooks

    async def slowly(self: Notifications, **where: Any) -> Any:
        found = await counted(self, **where)
        await asyncio.sleep(0.02)
        return found

    monkeypatch.setattr(Notifications, "webhooks", slowly)
    async with overlapping_client(app) as (ana, in_flight):
        ben = RapportClient(http=ana.http)
        await ben.register(schemas.RegisterRequest(handle="ben", password="a long enough password"))
        team = await team_of(ana, ben)
        me = await ben.me()
        await ana.request(
            "PATCH", f"/api/v1/teams/{team.id}/members/{me.id}", body={"role": "admin"}
        )
        in_flight.most = 0

        async def add(client: RapportClient, n: int) -> int:
            try:
                await client.request(
                    "POST", f"/api/v1/teams/{team.id}/webhooks",
                    body={"url": f"https://hooks.example.org/{n}"},
                )  # fmt: skip
            except ApiError as refused:
                return refused.status
            return 201

        statuses = await asyncio.gather(
            *(add(client, n) for n in range(6) for client in (ana, ben))
        )
        assert in_flight.most > 1
        listed = (await ana.request("GET", f"/api/v1/teams/{team.id}/webhooks")).json()
        assert len(listed) == delivery.MAX_WEBHOOKS
        assert statuses.count(201) == delivery.MAX_WEBHOOKS
        assert set(statuses) <= {201, 409, 503}


def test_the_event_types_the_api_accepts_are_those_the_domain_delivers() -> None:
    """Written twice (the contract cannot import the domain, nor the domain the contract):
    this keeps the two lists one."""
    accepted = set(get_args(schemas.EventType))
    assert accepted == set(delivery.USER_EVENTS) | set(delivery.TEAM_EVENTS)
    assert not set(delivery.USER_EVENTS) & set(delivery.TEAM_EVENTS)
