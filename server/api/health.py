"""Liveness and readiness for load balancers and operators."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_200_OK, HTTP_503_SERVICE_UNAVAILABLE

from server.services.context import Context
from shared import schemas


class HealthController(Controller):
    path = "/health"
    tags = ["operations"]

    @get(operation_id="health_live", summary="The process answers", exclude_from_auth=True)
    async def live(self) -> schemas.Health:
        return schemas.Health(status="ok")

    @get(
        "/ready",
        operation_id="health_ready",
        summary="The database answers",
        exclude_from_auth=True,
        responses={503: ResponseSpec(data_container=schemas.Health, description="Database down")},
    )
    async def ready(self, ctx: NamedDependency[Context]) -> Response[schemas.Health]:
        if await ctx.db.ping():
            return Response(schemas.Health(status="ok"), status_code=HTTP_200_OK)
        return Response(
            schemas.Health(status="database unavailable"),
            status_code=HTTP_503_SERVICE_UNAVAILABLE,
        )
