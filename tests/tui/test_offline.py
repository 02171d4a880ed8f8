"""Offline check-ins: queued with their client ids, shown as pending, sent once when the
server answers again."""

from __future__ import annotations

import json

from shared import schemas
from tests.tui.conftest import MakeApp, Network, Profile, ready, server_client, settle
from tests.tui.test_today import rows, select
from tui.widgets.app_header import AppHeader


def header_text(app: object) -> str:
    header = app.screen.query_one(AppHeader)  # type: ignore[attr-defined]
    return " ".join(str(label.render()) for label in header.query("Label") if label.display)


async def test_offline_check_ins_are_queued_then_sent_exactly_once(
    make_app: MakeApp, profile: Profile, network: Network
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        network.up = False
        await select(pilot, "Deliver on a promise")
        await pilot.press("space")
        await select(pilot, "Thank a colleague for something specific")
        await pilot.press("s")
        await settle(pilot)

        # Shown as done / skipped right away, marked pending; the header says so.
        shown = rows(app)
        assert shown["Deliver on a promise"].line.state == "done"
        assert shown["Deliver on a promise"].line.pending == 1
        assert shown["Thank a colleague for something specific"].line.state == "skipped"
        assert app.pending == 2
        assert not app.online
        assert "↻ 2 pending" in header_text(app)
        assert "offline" in header_text(app)

        # The queue is on disk, keyed by the client ids, in order.
        stored = json.loads((profile.data_dir / "pending-local.json").read_text())
        assert len(stored) == 2
        first, second = stored.values()
        assert first["habit_id"] == str(profile.habits["deliver-on-a-promise"])
        assert second["body"]["skip"] is True
        assert all(key == entry["body"]["id"] for key, entry in stored.items())
        assert not any(method == "POST" for method, _ in network.delivered)

        # A heartbeat while still down changes nothing.
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.pending == 2

        network.up = True
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.pending == 0
        assert app.online
        assert "pending" not in header_text(app)
        assert json.loads((profile.data_dir / "pending-local.json").read_text()) == {}
        assert rows(app)["Deliver on a promise"].line.pending == 0
        assert rows(app)["Deliver on a promise"].line.state == "done"

        ana = await server_client(app)
        done = (await ana.checkins(profile.habits["deliver-on-a-promise"])).items
        skipped = (await ana.checkins(profile.habits["thank-a-colleague"])).items
        assert [str(c.id) for c in done] == [first["body"]["id"]]
        assert [c.skip for c in skipped] == [True]
        assert (await ana.me()).points == 5
        assert any("2 queued check-ins sent" in n.message for n in app._notifications)


async def test_a_lost_answer_is_replayed_and_counted_once(
    make_app: MakeApp, profile: Profile, network: Network
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        network.lose_answers = True
        await select(pilot, "Deliver on a promise")
        await pilot.press("space")
        await settle(pilot)
        # The server has it, the client does not know: it stays queued.
        assert app.pending == 1
        assert (
            network.delivered.count(
                ("POST", f"/api/v1/habits/{profile.habits['deliver-on-a-promise']}/checkins")
            )
            == 1
        )

        network.lose_answers = False
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.pending == 0
        posts = [path for method, path in network.delivered if method == "POST"]
        assert len(posts) == 2  # sent twice...

        ana = await server_client(app)
        items = (await ana.checkins(profile.habits["deliver-on-a-promise"])).items
        assert len(items) == 1  # ...counted once
        ledger = (await ana.points()).items
        assert [(e.reason, e.amount) for e in ledger] == [("checkin", 5)]


async def test_a_refused_queued_check_in_is_dropped_and_reported(
    make_app: MakeApp, profile: Profile, network: Network
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        network.up = False
        await select(pilot, "Deliver on a promise")
        await pilot.press("space")
        await settle(pilot)
        assert app.pending == 1

        # Meanwhile the same day is checked in from another device.
        network.up = True
        phone = await server_client(app)
        await phone.check_in(profile.habits["deliver-on-a-promise"], schemas.CheckInCreate())

        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.pending == 0
        assert any(
            n.title == "A queued check-in was refused" and "already done" in n.message
            for n in app._notifications
        )
        assert len((await phone.checkins(profile.habits["deliver-on-a-promise"])).items) == 1
        assert (await phone.me()).points == 5


async def test_undo_of_a_queued_check_in_never_reaches_the_server(
    make_app: MakeApp, profile: Profile, network: Network
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        network.up = False
        await select(pilot, "Deliver on a promise")
        await pilot.press("space")
        await settle(pilot)
        assert app.pending == 1
        await pilot.press("u")
        await settle(pilot)
        assert app.pending == 0
        assert rows(app)["Deliver on a promise"].line.state == "open"

        network.up = True
        await pilot.press("ctrl+r")
        await settle(pilot)
        ana = await server_client(app)
        assert (await ana.checkins(profile.habits["deliver-on-a-promise"])).items == []
        assert not any(method == "POST" for method, _ in network.delivered)


async def test_undo_of_a_delivered_check_in_needs_the_server(
    make_app: MakeApp, profile: Profile, network: Network
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "Deliver on a promise")
        await pilot.press("space")
        await settle(pilot)
        network.up = False
        await pilot.press("u")
        await settle(pilot)
        assert any("Undo needs the server" in n.message for n in app._notifications)
        network.up = True
        ana = await server_client(app)
        assert len((await ana.checkins(profile.habits["deliver-on-a-promise"])).items) == 1
