"""``GET /metrics``: the process's Prometheus metrics (``server/metrics.py``), in the text
format. Open by default; with ``RAPPORT_METRICS_TOKEN`` set it asks for that token as a
bearer token (the users' tokens do not open it)."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from server import metrics
from server.services import notifications
from server.services.context import Context


class MetricsController(Controller):
    path = "/metrics"
    tags = ["operations"]

    @get(
        operation_id="metrics_get",
        summary="Prometheus metrics of this process",
        exclude_from_auth=True,
        include_in_schema=True,
        media_type=CONTENT_TYPE_LATEST,
    )
    async def metrics(
        self, request: Request[Any, Any, Any], ctx: NamedDependency[Context]
    ) -> Response[bytes]:
        wanted = ctx.settings.metrics_token
        if wanted:
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {wanted}".encode()):
                return Response(
                    b"metrics need the operator's token\n",
                    status_code=401,
                    media_type="text/plain",
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                )
        usage = ctx.db.pool_usage()
        if usage is not None:
            metrics.POOL.labels("in_use").set(usage[0])
            metrics.POOL.labels("idle").set(usage[1])
        metrics.OUTBOX.set(await notifications.outbox_depth(ctx))
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
