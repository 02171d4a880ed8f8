"""Notification settings and messages: webhooks (a user's, a team's), push subscriptions,
the delivery log, and ``emit``: the one way a message enters the outbox, inside the write
transaction of whatever caused it (so it is sent if and only if that change committed).
The worker (``services/worker.py``) sends what the outbox holds.

Abuse, and what stops it:

- pointing a webhook or a "push service" at the server's own network (the database, a
  cloud metadata address): the URL is checked when it is given and every resolved address
  again when sending (``services/outbound.py``);
- flooding someone else's server through ours: at most 5 webhooks per user and per team,
  10 push subscriptions per user, and messages only for the owner's own events;
- reading a team's activity through a webhook: only the team's owner or admins add one,
  and only team-wide events go to it;
- a message sent twice: each has a ``dedupe`` key, unique in the outbox.
"""

from __future__ import annotations

import base64
import ipaddress
import logging
import secrets
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx
import msgspec
from cryptography.hazmat.primitives.asymmetric import ec

from server.domain import delivery
from server.ids import new_id
from server.services import access, webpush
from server.services.context import Context
from server.services.errors import Invalid, LimitReached, NotFound
from server.store.records import OutboxRecord, PushSubscriptionRecord, UserRecord, WebhookRecord
from server.store.transaction import Transaction
from shared import schemas

DELIVERIES_SHOWN = 50
log = logging.getLogger("rapport.notify")


# -- emitting ---------------------------------------------------------------------------


def member_name(user: UserRecord) -> str:
    """How a team's webhook names a member: not at all if they hide from boards."""
    return "A member" if user.hidden_on_boards else user.display_name


def webhook_body(event: str, data: dict[str, Any], now: datetime) -> str:
    """A Standard Webhooks body: ``{type, timestamp, data}``."""
    body = {"type": event, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": data}
    return msgspec.json.encode(body).decode()


def message(
    dedupe: str,
    channel: str,
    target_id: str,
    event: str,
    payload: str,
    now: datetime,
    *,
    user_id: str | None = None,
    team_id: str | None = None,
) -> OutboxRecord:
    return OutboxRecord(
        id=f"msg_{new_id().replace('-', '')}",
        dedupe=dedupe,
        channel=channel,
        target_id=target_id,
        user_id=user_id,
        team_id=team_id,
        event=event,
        payload=payload,
        state="pending",
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )


async def emit(
    q: Transaction,
    user_id: str,
    event: str,
    key: str,
    data: dict[str, Any],
    now: datetime,
    *,
    push: dict[str, Any] | None = None,
) -> int:
    """Queue ``event`` (once per ``key``) for each of the user's webhooks that wants it,
    and, with ``push`` (the notification to show), for each of their push subscriptions.
    How many messages were queued."""
    hooks = await q.notifications.webhooks(user_id=user_id)
    body = webhook_body(event, data, now)
    queued = await _to_webhooks(q, hooks, event, key, body, now, user_id=user_id)
    if push is not None:
        shown = msgspec.json.encode({"type": event, **push}).decode()
        for sub in await q.notifications.pushes(user_id):
            if await _has_room(q, sub.id):
                queued += await q.notifications.enqueue(
                    message(f"{event}:{key}:{sub.id}", "push", sub.id, event, shown, now,
                            user_id=user_id)
                )  # fmt: skip
    return queued


async def _has_room(q: Transaction, target_id: str) -> bool:
    """Whether a receiver may get one more message: one that does not take what it has
    (down, or a tarpit) gets no more than ``MAX_PENDING_PER_TARGET`` waiting."""
    if await q.notifications.pending_for(target_id) < delivery.MAX_PENDING_PER_TARGET:
        return True
    log.warning("receiver %s has %s messages waiting: dropping %s", target_id,
                delivery.MAX_PENDING_PER_TARGET, "the newest")  # fmt: skip
    return False


async def emit_team(
    q: Transaction, team_id: str, event: str, key: str, data: dict[str, Any], now: datetime
) -> int:
    """Queue a team event for each of the team's webhooks that wants it."""
    hooks = await q.notifications.webhooks(team_id=team_id)
    body = webhook_body(event, {"team_id": team_id, **data}, now)
    return await _to_webhooks(q, hooks, event, key, body, now, team_id=team_id)


async def _to_webhooks(
    q: Transaction,
    hooks: list[WebhookRecord],
    event: str,
    key: str,
    body: str,
    now: datetime,
    *,
    user_id: str | None = None,
    team_id: str | None = None,
) -> int:
    queued = 0
    for hook in hooks:
        wanted = delivery.wanted(msgspec.json.decode(hook.events, type=list[str]), event)
        if wanted and await _has_room(q, hook.id):
            queued += await q.notifications.enqueue(
                message(f"{event}:{key}:{hook.id}", "webhook", hook.id, event, body, now,
                        user_id=user_id, team_id=team_id)
            )  # fmt: skip
    return queued


async def outbox_depth(ctx: Context) -> int:
    """Messages waiting to be delivered (metrics)."""
    async with ctx.read(snapshot=False) as q:
        return await q.notifications.depth()


# -- webhooks ---------------------------------------------------------------------------


def check_url(ctx: Context, url: str, field: str = "url") -> None:
    """Refuse at once what could never be sent: a URL that does not parse, plain http, a
    private address written out or a local name (names are resolved and checked again at
    each send)."""
    try:  # the port and the name (IDNA) are parsed when read
        parsed = httpx.URL(url)
        host, _ = parsed.host.lower().rstrip("."), parsed.port
    except (httpx.InvalidURL, ValueError) as error:
        raise Invalid("not a usable URL", field=field) from error
    if parsed.scheme not in ("https", "http") or not host:
        raise Invalid("the URL must be http(s) and name a host", field=field)
    labels = host.split(".")
    if ":" not in host and (len(host) > 253 or not all(0 < len(x) <= 63 for x in labels)):
        raise Invalid("the URL's host is not a valid name", field=field)
    if ctx.settings.webhooks_allow_private:
        return
    if parsed.scheme != "https":
        raise Invalid("the URL must be https", field=field)
    if host == "localhost" or host.endswith(".localhost") or ("." not in host and ":" not in host):
        raise Invalid("the URL must name a public host", field=field)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return
    if not delivery.address_allowed(host, allow_private=False):
        raise Invalid("the URL must name a public address", field=field)


def webhook_view(hook: WebhookRecord, *, with_secret: bool = False) -> schemas.Webhook:
    return schemas.Webhook(
        id=UUID(hook.id),
        url=hook.url,
        events=msgspec.json.decode(hook.events, type=list[str]),
        created_at=hook.created_at,
        secret=hook.secret if with_secret else None,
    )


async def _team_as_manager(q: Transaction, user: UserRecord, team_id: UUID) -> str:
    team, me = await access.membership(q, user, team_id)
    access.require_manager(me, "manage the team's webhooks")
    return team.id


async def add_webhook(
    ctx: Context, user: UserRecord, body: schemas.WebhookCreate, team_id: UUID | None = None
) -> schemas.Webhook:
    check_url(ctx, body.url)
    team_events = team_id is not None
    allowed = delivery.TEAM_EVENTS if team_events else delivery.USER_EVENTS
    wrong = [e for e in body.events if e not in allowed]
    if wrong:
        raise Invalid(f"{wrong[0]} is not a {'team' if team_events else 'user'} event",
                      field="events")  # fmt: skip
    async with ctx.write(user.id) as q:
        if team_id is not None:
            # Several managers may add at once: the cap is the team's, so is the lock,
            # taken before the role is read (a demotion committing meanwhile counts).
            await q.teams.lock(str(team_id))
        team = None if team_id is None else await _team_as_manager(q, user, team_id)
        existing = await q.notifications.webhooks(user_id=user.id, team_id=team)
        if len(existing) >= delivery.MAX_WEBHOOKS:
            raise LimitReached(f"at most {delivery.MAX_WEBHOOKS} webhooks; delete one first")
        hook = WebhookRecord(
            id=new_id(),
            user_id=None if team else user.id,
            team_id=team,
            url=body.url,
            events=msgspec.json.encode(sorted(set(body.events))).decode(),
            secret="whsec_" + base64.b64encode(secrets.token_bytes(24)).decode(),
            created_by=user.id,
            created_at=ctx.clock(),
        )
        await q.notifications.add_webhook(hook)
    return webhook_view(hook, with_secret=True)


async def list_webhooks(
    ctx: Context, user: UserRecord, team_id: UUID | None = None
) -> list[schemas.Webhook]:
    async with ctx.read() as q:
        team = None if team_id is None else await _team_as_manager(q, user, team_id)
        return [webhook_view(h) for h in await q.notifications.webhooks(user_id=user.id,
                                                                      team_id=team)]  # fmt: skip


async def _webhook_of(
    q: Transaction, user: UserRecord, webhook_id: UUID, team_id: UUID | None
) -> WebhookRecord:
    team = None if team_id is None else await _team_as_manager(q, user, team_id)
    hook = await q.notifications.webhook(str(webhook_id))
    if hook is None or (hook.team_id != team if team is not None else hook.user_id != user.id):
        raise NotFound("no such webhook")
    return hook


async def delete_webhook(
    ctx: Context, user: UserRecord, webhook_id: UUID, team_id: UUID | None = None
) -> None:
    async with ctx.write(user.id) as q:
        hook = await _webhook_of(q, user, webhook_id, team_id)
        await q.notifications.delete_webhook(hook.id)


async def deliveries(
    ctx: Context, user: UserRecord, webhook_id: UUID, team_id: UUID | None = None
) -> list[schemas.Delivery]:
    async with ctx.read() as q:
        hook = await _webhook_of(q, user, webhook_id, team_id)
        found = await q.notifications.attempts(hook.id, DELIVERIES_SHOWN)
    return [
        schemas.Delivery(
            message_id=d.message_id, event=d.event, attempt=d.attempt,
            status_code=d.status_code, error=d.error, at=d.at,
        )
        for d in found
    ]  # fmt: skip


# -- Web Push ---------------------------------------------------------------------------


async def vapid_public_key(ctx: Context) -> schemas.VapidKey:
    return schemas.VapidKey(key=webpush.public_key(await webpush.vapid_key(ctx)))


def push_view(sub: PushSubscriptionRecord) -> schemas.PushSubscription:
    return schemas.PushSubscription(
        id=UUID(sub.id), endpoint=sub.endpoint, created_at=sub.created_at
    )


async def add_push(
    ctx: Context, user: UserRecord, body: schemas.PushSubscriptionCreate
) -> schemas.PushSubscription:
    check_url(ctx, body.endpoint, "endpoint")
    try:  # the browser's public key must be a P-256 point, or nothing can be encrypted
        raw = base64.urlsafe_b64decode(body.keys.p256dh + "=" * (-len(body.keys.p256dh) % 4))
        auth = base64.urlsafe_b64decode(body.keys.auth + "=" * (-len(body.keys.auth) % 4))
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError as error:
        raise Invalid("keys.p256dh must be a P-256 public key", field="keys") from error
    if len(auth) != 16:
        raise Invalid("keys.auth must be 16 bytes", field="keys")
    async with ctx.write(user.id) as q:
        existing = await q.notifications.pushes(user.id)
        if len(existing) >= delivery.MAX_PUSH_SUBSCRIPTIONS and body.endpoint not in {
            s.endpoint for s in existing
        }:
            raise LimitReached(
                f"at most {delivery.MAX_PUSH_SUBSCRIPTIONS} push subscriptions; delete one first"
            )
        sub = await q.notifications.add_push(
            PushSubscriptionRecord(
                id=new_id(), user_id=user.id, endpoint=body.endpoint, p256dh=body.keys.p256dh,
                auth=body.keys.auth, created_at=ctx.clock(),
            )
        )  # fmt: skip
    return push_view(sub)


async def list_push(ctx: Context, user: UserRecord) -> list[schemas.PushSubscription]:
    async with ctx.read() as q:
        return [push_view(s) for s in await q.notifications.pushes(user.id)]


async def delete_push(ctx: Context, user: UserRecord, sub_id: UUID) -> None:
    async with ctx.write(user.id) as q:
        sub = await q.notifications.push(str(sub_id))
        if sub is None or sub.user_id != user.id:
            raise NotFound("no such push subscription")
        await q.notifications.delete_push(sub.id)
