"""Peer confirmations addressed to the caller."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from server.api.deps import BEARER
from server.api.params import ConfirmationId
from server.api.problems import problems
from server.services import confirmations
from server.services.context import Context
from server.store.records import UserRecord
from shared import schemas


class ConfirmationsController(Controller):
    path = "/api/v1/confirmations"
    tags = ["confirmations"]
    security = BEARER

    @get(
        operation_id="confirmations_list",
        summary="Pending confirmations addressed to the caller",
        responses=problems(401),
    )
    async def pending(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord]
    ) -> list[schemas.PendingConfirmation]:
        return await confirmations.pending(ctx, user)

    @post(
        "/{confirmation_id:uuid}",
        operation_id="confirmations_decide",
        summary="Confirm or decline; a confirmation pays both people a bonus",
        status_code=HTTP_200_OK,
        responses=problems(429, 401, 404, 409),
    )
    async def decide(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        confirmation_id: ConfirmationId,
        data: JSONBody[schemas.ConfirmationDecision],
    ) -> schemas.ConfirmationOutcome:
        return await confirmations.decide(ctx, user, confirmation_id, data)
