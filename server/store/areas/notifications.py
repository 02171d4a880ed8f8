"""Notifications: webhooks, push subscriptions, the outbox every message goes through, the
log of delivery attempts, and when each habit's reminders ring next."""

from __future__ import annotations

from datetime import datetime

from server.store.areas.base import Area
from server.store.areas.teams import TEAM_COLUMNS
from server.store.records import (
    DeliveryRecord,
    OutboxRecord,
    PushSubscriptionRecord,
    TeamRecord,
    WebhookRecord,
)
from server.store.rows import iso, record, records

WEBHOOK_COLUMNS = "id, user_id, team_id, url, events, secret, created_by, created_at"
PUSH_COLUMNS = "id, user_id, endpoint, p256dh, auth, created_at"
OUTBOX_COLUMNS = (
    "id, dedupe, channel, target_id, user_id, team_id, event, payload, state, attempts,"
    " created_at, next_attempt_at, claimed_until, finished_at"
)
DELIVERY_COLUMNS = "id, message_id, target_id, event, attempt, status_code, error, at"


class Notifications(Area):
    # -- webhooks ------------------------------------------------------------------------

    async def add_webhook(self, hook: WebhookRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO webhooks ({WEBHOOK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            hook.id, hook.user_id, hook.team_id, hook.url, hook.events, hook.secret,
            hook.created_by, iso(hook.created_at),
        )  # fmt: skip

    async def webhooks(
        self, *, user_id: str | None = None, team_id: str | None = None
    ) -> list[WebhookRecord]:
        """A user's webhooks or a team's, oldest first."""
        owner, key = ("user_id", user_id) if team_id is None else ("team_id", team_id)
        rows = await self.conn.fetch_all(
            f"SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE {owner} = ? ORDER BY created_at, id",
            key,
        )
        return records(WebhookRecord, WEBHOOK_COLUMNS, rows)

    async def webhook(self, webhook_id: str) -> WebhookRecord | None:
        row = await self.conn.fetch_one(
            f"SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = ?", webhook_id
        )
        return None if row is None else record(WebhookRecord, WEBHOOK_COLUMNS, row)

    async def delete_webhook(self, webhook_id: str) -> None:
        await self.conn.execute("DELETE FROM outbox WHERE target_id = ?", webhook_id)
        await self.conn.execute("DELETE FROM webhooks WHERE id = ?", webhook_id)

    # -- push subscriptions --------------------------------------------------------------

    async def add_push(self, sub: PushSubscriptionRecord) -> PushSubscriptionRecord:
        """Store a subscription; the one already stored when the user sent this endpoint
        before (a browser subscribes again with the same endpoint and fresh keys)."""
        await self.conn.execute(
            f"INSERT INTO push_subscriptions ({PUSH_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id, endpoint) DO UPDATE SET p256dh = excluded.p256dh,"
            " auth = excluded.auth",
            sub.id, sub.user_id, sub.endpoint, sub.p256dh, sub.auth, iso(sub.created_at),
        )  # fmt: skip
        row = await self.conn.fetch_one(
            f"SELECT {PUSH_COLUMNS} FROM push_subscriptions WHERE user_id = ? AND endpoint = ?",
            sub.user_id, sub.endpoint,
        )  # fmt: skip
        assert row is not None
        return record(PushSubscriptionRecord, PUSH_COLUMNS, row)

    async def pushes(self, user_id: str) -> list[PushSubscriptionRecord]:
        rows = await self.conn.fetch_all(
            f"SELECT {PUSH_COLUMNS} FROM push_subscriptions WHERE user_id = ?"
            " ORDER BY created_at, id",
            user_id,
        )
        return records(PushSubscriptionRecord, PUSH_COLUMNS, rows)

    async def push(self, sub_id: str) -> PushSubscriptionRecord | None:
        row = await self.conn.fetch_one(
            f"SELECT {PUSH_COLUMNS} FROM push_subscriptions WHERE id = ?", sub_id
        )
        return None if row is None else record(PushSubscriptionRecord, PUSH_COLUMNS, row)

    async def delete_push(self, sub_id: str) -> None:
        await self.conn.execute("DELETE FROM outbox WHERE target_id = ?", sub_id)
        await self.conn.execute("DELETE FROM push_subscriptions WHERE id = ?", sub_id)

    # -- the outbox ----------------------------------------------------------------------

    async def enqueue(self, message: OutboxRecord) -> bool:
        """Add a message unless one with its ``dedupe`` key exists; whether it was added."""
        added = await self.conn.execute(
            f"INSERT INTO outbox ({OUTBOX_COLUMNS}) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe) DO NOTHING",
            message.id, message.dedupe, message.channel, message.target_id, message.user_id,
            message.team_id, message.event, message.payload, message.state, message.attempts,
            iso(message.created_at), iso(message.next_attempt_at), iso(message.claimed_until),
            iso(message.finished_at),
        )  # fmt: skip
        return added == 1

    async def due(self, now: datetime, limit: int, per_target: int) -> list[OutboxRecord]:
        """Pending messages whose time has come and that no worker holds, at most
        ``per_target`` of any one webhook or subscription (a slow receiver cannot fill a
        batch)."""
        rows = await self.conn.fetch_all(
            f"SELECT {OUTBOX_COLUMNS} FROM (SELECT {OUTBOX_COLUMNS}, ROW_NUMBER() OVER"
            " (PARTITION BY target_id ORDER BY next_attempt_at, id) AS n FROM outbox"
            " WHERE state = 'pending' AND next_attempt_at <= ?"
            " AND (claimed_until IS NULL OR claimed_until < ?)) AS ranked"
            " WHERE n <= ? ORDER BY next_attempt_at, id LIMIT ?",
            iso(now), iso(now), per_target, limit,
        )  # fmt: skip
        return records(OutboxRecord, OUTBOX_COLUMNS, rows)

    async def pending_for(self, target_id: str) -> int:
        value = await self.conn.fetch_value(
            "SELECT COUNT(*) FROM outbox WHERE target_id = ? AND state = 'pending'", target_id
        )
        return int(value or 0)

    async def postpone_target(self, target_id: str, until: datetime, now: datetime) -> None:
        """Hold back every pending message of a receiver that just failed until ``until``
        (one that times out is tried once per backoff step, not once per message)."""
        await self.conn.execute(
            "UPDATE outbox SET next_attempt_at = ? WHERE target_id = ? AND state = 'pending'"
            " AND next_attempt_at < ? AND (claimed_until IS NULL OR claimed_until < ?)",
            iso(until), target_id, iso(until), iso(now),
        )  # fmt: skip

    async def claim(self, message_id: str, now: datetime, until: datetime) -> bool:
        """Hold a message until ``until`` (False: another worker holds it or it is done)."""
        claimed = await self.conn.execute(
            "UPDATE outbox SET claimed_until = ? WHERE id = ? AND state = 'pending'"
            " AND (claimed_until IS NULL OR claimed_until < ?)",
            iso(until), message_id, iso(now),
        )  # fmt: skip
        return claimed == 1

    async def settle(self, message: OutboxRecord, held_until: datetime) -> bool:
        """Store a message's state after an attempt and let go of it, if this worker still
        holds it (claimed until ``held_until``); whether it did."""
        settled = await self.conn.execute(
            "UPDATE outbox SET state = ?, attempts = ?, next_attempt_at = ?,"
            " claimed_until = NULL, finished_at = ? WHERE id = ? AND claimed_until = ?",
            message.state, message.attempts, iso(message.next_attempt_at),
            iso(message.finished_at), message.id, iso(held_until),
        )  # fmt: skip
        return settled == 1

    async def depth(self) -> int:
        return int(
            await self.conn.fetch_value("SELECT COUNT(*) FROM outbox WHERE state = 'pending'") or 0
        )

    async def log(self, attempt: DeliveryRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO deliveries ({DELIVERY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            attempt.id, attempt.message_id, attempt.target_id, attempt.event, attempt.attempt,
            attempt.status_code, attempt.error, iso(attempt.at),
        )  # fmt: skip

    async def attempts(self, target_id: str, limit: int) -> list[DeliveryRecord]:
        """The latest delivery attempts to one webhook, newest first."""
        rows = await self.conn.fetch_all(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE target_id = ?"
            " ORDER BY at DESC, attempt DESC LIMIT ?",
            target_id, limit,
        )  # fmt: skip
        return records(DeliveryRecord, DELIVERY_COLUMNS, rows)

    async def forget_finished(self, before: datetime) -> int:
        """Drop messages finished before ``before`` (their attempts go with them)."""
        return await self.conn.execute(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state <> 'pending'"
            " AND finished_at < ? LIMIT 1000)",
            iso(before),
        )

    # -- when reminders ring -------------------------------------------------------------

    async def ring_candidates(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(user id, habit id) of active habits with reminders whose next ring is due (or
        not worked out yet)."""
        rows = await self.conn.fetch_all(
            "SELECT user_id, id FROM habits WHERE archived = FALSE AND reminders <> '[]'"
            " AND (next_ring_at IS NULL OR next_ring_at <= ?)"
            " ORDER BY next_ring_at, id LIMIT ?",
            iso(now), limit,
        )  # fmt: skip
        return [(str(r[0]), str(r[1])) for r in rows]

    async def set_next_ring(self, habit_id: str, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE habits SET next_ring_at = ? WHERE id = ?", iso(at), habit_id
        )

    async def rewake(self, user_id: str) -> None:
        """Work out again when each of the user's habits rings (their zone, day start or
        quiet hours changed)."""
        await self.conn.execute("UPDATE habits SET next_ring_at = NULL WHERE user_id = ?", user_id)
        await self.conn.execute("UPDATE users SET next_nudge_at = NULL WHERE id = ?", user_id)

    # -- streak nudges and weekly boards ---------------------------------------------------

    async def nudge_candidates(self, now: datetime, limit: int) -> list[str]:
        """Users who want streak nudges and whose next nudge is due (or not worked out)."""
        rows = await self.conn.fetch_all(
            "SELECT id FROM users WHERE streak_at_risk = TRUE"
            " AND (next_nudge_at IS NULL OR next_nudge_at <= ?)"
            " ORDER BY next_nudge_at, id LIMIT ?",
            iso(now), limit,
        )  # fmt: skip
        return [str(r[0]) for r in rows]

    async def set_next_nudge(self, user_id: str, at: datetime) -> None:
        await self.conn.execute("UPDATE users SET next_nudge_at = ? WHERE id = ?", iso(at), user_id)

    async def teams_with_webhooks(self) -> list[TeamRecord]:
        rows = await self.conn.fetch_all(
            f"SELECT {TEAM_COLUMNS} FROM teams WHERE id IN"
            " (SELECT team_id FROM webhooks WHERE team_id IS NOT NULL) ORDER BY id"
        )
        return records(TeamRecord, TEAM_COLUMNS, rows)

    async def queued(self, dedupe: str) -> bool:
        """Whether a message with this ``dedupe`` key was ever queued (and not forgotten)."""
        found = await self.conn.fetch_value("SELECT 1 FROM outbox WHERE dedupe = ?", dedupe)
        return found is not None

    async def next_due(self, now: datetime) -> datetime | None:
        """The earliest moment a reminder or a nudge is to be looked at (``now`` when one
        has never been)."""
        unplanned = await self.conn.fetch_value(
            "SELECT 1 FROM habits WHERE next_ring_at IS NULL AND archived = FALSE"
            " AND reminders <> '[]' LIMIT 1"
        ) or await self.conn.fetch_value(
            "SELECT 1 FROM users WHERE next_nudge_at IS NULL AND streak_at_risk = TRUE LIMIT 1"
        )
        if unplanned:
            return now
        found = [
            await self.conn.fetch_value(
                "SELECT MIN(next_ring_at) FROM habits WHERE archived = FALSE AND reminders <> '[]'"
            ),
            await self.conn.fetch_value(
                "SELECT MIN(next_nudge_at) FROM users WHERE streak_at_risk = TRUE"
            ),
        ]
        return _earliest(found)

    async def next_attempt(self, now: datetime) -> datetime | None:
        """When the next pending message is due."""
        return _earliest(
            [
                await self.conn.fetch_value(
                    "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'"
                )
            ]
        )


def _earliest(found: list[object]) -> datetime | None:
    moments = [datetime.fromisoformat(str(v)) for v in found if v is not None]
    return min(moments, default=None)
