"""What one write announces: each change once, at its last version; thousands of changes
to one channel (an import) as one "sync" event, not thousands of refresh hints."""

from __future__ import annotations

import msgspec

from server.services.context import MAX_EVENTS, Announcements


def test_each_change_is_announced_once_at_its_last_version() -> None:
    pending = Announcements()
    pending.add("user:u1", "checkin", "c1", 3)
    pending.add("user:u1", "checkin", "c1", 4)
    pending.add("team:t1", "leaderboard", "t1", 0)
    sent = [(channel, msgspec.json.decode(p)) for channel, p in pending.payloads()]
    assert sent == [
        ("user:u1", {"event": "checkin", "id": "c1", "version": 4}),
        ("team:t1", {"event": "leaderboard", "id": "t1", "version": 0}),
    ]


def test_a_flood_of_changes_to_one_channel_becomes_one_sync_event() -> None:
    pending = Announcements()
    for n in range(MAX_EVENTS + 1):
        pending.add("user:u1", "checkin", f"c{n}", 7 + n // 50)
    pending.add("team:t1", "leaderboard", "t1", 0)
    sent = [(channel, msgspec.json.decode(p)) for channel, p in pending.payloads()]
    assert sent == [
        ("user:u1", {"event": "sync", "id": "u1", "version": 9}),
        ("team:t1", {"event": "leaderboard", "id": "t1", "version": 0}),
    ]


def test_up_to_the_limit_every_change_is_its_own_event() -> None:
    pending = Announcements()
    for n in range(MAX_EVENTS):
        pending.add("user:u1", "checkin", f"c{n}", 1)
    assert len(pending.payloads()) == MAX_EVENTS
