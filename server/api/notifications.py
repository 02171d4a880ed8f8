"""Notifications: the VAPID key, push subscriptions, and webhooks (a user's and a team's)
with their delivery log."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from server.api.deps import BEARER
from server.api.params import TeamId
from server.api.problems import problems
from server.services import notifications
from server.services.context import Context
from server.store.records import UserRecord
from shared import schemas

WebhookId = Annotated[UUID, PathParameter(description="The webhook's id")]
SubscriptionId = Annotated[UUID, PathParameter(description="The push subscription's id")]

SIGNING = (
    "Messages follow the Standard Webhooks spec: a JSON body `{type, timestamp, data}` with"
    " the headers `webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,` + base64"
    " HMAC-SHA256 of `id.timestamp.body`, keyed with the secret after `whsec_`). A non-2xx"
    " answer or a timeout is retried with backoff under the same `webhook-id`. The URL must"
    " be https and resolve to a public address."
)


class PushController(Controller):
    path = "/api/v1"
    tags = ["notifications"]

    @get(
        "/push/vapid-public-key",
        operation_id="push_vapid_key",
        summary="The server's VAPID public key, for PushManager.subscribe",
        exclude_from_auth=True,
    )
    async def vapid_key(self, ctx: NamedDependency[Context]) -> schemas.VapidKey:
        return await notifications.vapid_public_key(ctx)

    @post(
        "/me/push-subscriptions",
        operation_id="push_subscribe",
        summary="Register a browser's push subscription (reminders, streaks at risk)",
        description="Send `PushSubscription.toJSON()` as it is. The same endpoint again"
        " replaces its keys.",
        status_code=HTTP_201_CREATED,
        security=BEARER,
        responses=problems(429, 401, 409, 422),
    )
    async def subscribe(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        data: JSONBody[schemas.PushSubscriptionCreate],
    ) -> schemas.PushSubscription:
        return await notifications.add_push(ctx, user, data)

    @get(
        "/me/push-subscriptions",
        operation_id="push_list",
        summary="The caller's push subscriptions",
        security=BEARER,
        responses=problems(401),
    )
    async def list_subscriptions(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord]
    ) -> list[schemas.PushSubscription]:
        return await notifications.list_push(ctx, user)

    @delete(
        "/me/push-subscriptions/{subscription_id:uuid}",
        operation_id="push_unsubscribe",
        summary="Remove a push subscription",
        status_code=HTTP_204_NO_CONTENT,
        security=BEARER,
        responses=problems(429, 401, 404),
    )
    async def unsubscribe(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        subscription_id: SubscriptionId,
    ) -> None:
        await notifications.delete_push(ctx, user, subscription_id)


class WebhooksController(Controller):
    path = "/api/v1"
    tags = ["notifications"]
    security = BEARER

    @post(
        "/me/webhooks",
        operation_id="webhooks_create",
        summary="Send the caller's events to a URL",
        description=SIGNING + " The answer holds the signing secret; it is never shown again.",
        status_code=HTTP_201_CREATED,
        responses=problems(429, 401, 409, 422),
    )
    async def create(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        data: JSONBody[schemas.WebhookCreate],
    ) -> schemas.Webhook:
        return await notifications.add_webhook(ctx, user, data)

    @get("/me/webhooks", operation_id="webhooks_list", summary="The caller's webhooks",
         responses=problems(401))  # fmt: skip
    async def list_webhooks(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord]
    ) -> list[schemas.Webhook]:
        return await notifications.list_webhooks(ctx, user)

    @delete(
        "/me/webhooks/{webhook_id:uuid}",
        operation_id="webhooks_delete",
        summary="Stop a webhook (what it had not sent yet is dropped)",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(429, 401, 404),
    )
    async def delete_webhook(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord],
        webhook_id: WebhookId,
    ) -> None:  # fmt: skip
        await notifications.delete_webhook(ctx, user, webhook_id)

    @get(
        "/me/webhooks/{webhook_id:uuid}/deliveries",
        operation_id="webhooks_deliveries",
        summary="The latest delivery attempts of a webhook, newest first",
        responses=problems(401, 404),
    )
    async def deliveries(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord],
        webhook_id: WebhookId,
    ) -> list[schemas.Delivery]:  # fmt: skip
        return await notifications.deliveries(ctx, user, webhook_id)

    @post(
        "/teams/{team_id:uuid}/webhooks",
        operation_id="team_webhooks_create",
        summary="Send the team's events to a URL (owners and admins)",
        description=SIGNING + " Team events: the weekly board at the start of the team's"
        " week, members joining, team challenges completed.",
        status_code=HTTP_201_CREATED,
        responses=problems(429, 401, 403, 404, 409, 422),
    )
    async def create_for_team(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord],
        team_id: TeamId, data: JSONBody[schemas.WebhookCreate],
    ) -> schemas.Webhook:  # fmt: skip
        return await notifications.add_webhook(ctx, user, data, team_id)

    @get(
        "/teams/{team_id:uuid}/webhooks",
        operation_id="team_webhooks_list",
        summary="The team's webhooks (owners and admins)",
        responses=problems(401, 403, 404),
    )
    async def list_for_team(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord], team_id: TeamId
    ) -> list[schemas.Webhook]:
        return await notifications.list_webhooks(ctx, user, team_id)

    @delete(
        "/teams/{team_id:uuid}/webhooks/{webhook_id:uuid}",
        operation_id="team_webhooks_delete",
        summary="Stop a team webhook (owners and admins)",
        status_code=HTTP_204_NO_CONTENT,
        responses=problems(429, 401, 403, 404),
    )
    async def delete_for_team(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord],
        team_id: TeamId, webhook_id: WebhookId,
    ) -> None:  # fmt: skip
        await notifications.delete_webhook(ctx, user, webhook_id, team_id)

    @get(
        "/teams/{team_id:uuid}/webhooks/{webhook_id:uuid}/deliveries",
        operation_id="team_webhooks_deliveries",
        summary="The latest delivery attempts of a team webhook (owners and admins)",
        responses=problems(401, 403, 404),
    )
    async def deliveries_for_team(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord],
        team_id: TeamId, webhook_id: WebhookId,
    ) -> list[schemas.Delivery]:  # fmt: skip
        return await notifications.deliveries(ctx, user, webhook_id, team_id)
