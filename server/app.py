"""``create_app(settings, clock)``: wiring only — routes, plugins, lifespan."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from argon2 import PasswordHasher
from litestar import Litestar
from litestar.channels import ChannelsBackend, ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.logging.config import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.plugins.prometheus import PrometheusConfig

from server.api import (
    auth,
    breaks,
    catalog,
    challenges,
    checkins,
    confirmations,
    events,
    habits,
    health,
    imports,
    metrics,
    notifications,
    progress,
    sync,
    teams,
)
from server.api.deps import auth_middleware, dependencies, limit_writes, require_json
from server.api.document import RapportJsonRenderPlugin, ReferencePage
from server.api.headers import security_headers
from server.api.listener import ReconnectingPgChannelsBackend
from server.api.problems import exception_handlers
from server.api.requests_log import RequestLog
from server.catalog import load_catalog
from server.clock import Clock, system_clock
from server.logs import configure as configure_logs
from server.metrics import observe_commit
from server.services.context import Context
from server.services.imports.jobs import ImportJobs
from server.services.limits import Limits
from server.services.outbound import Outbound
from server.services.worker import Worker
from server.settings import Settings
from server.store.backends import database_for
from server.store.postgres import is_postgres_url

MAX_BODY_BYTES = 1_000_000
# How long a thread may keep the GIL while another waits for it. Imports parse and fold
# megabytes in worker threads; at Python's default (5 ms) the event loop's thread waits up
# to that long each time it wakes for I/O, so one request could wait tens of ms behind an
# import. 1 ms keeps requests prompt at a cost too small to measure when nothing contends.
GIL_SWITCH_INTERVAL_S = 0.001

ROUTES = [
    health.HealthController,
    metrics.MetricsController,
    auth.AuthController,
    auth.MeController,
    progress.ProgressController,
    imports.ImportsController,
    catalog.CatalogController,
    habits.HabitsController,
    habits.TodayController,
    breaks.BreaksController,
    notifications.PushController,
    notifications.WebhooksController,
    checkins.CheckinsController,
    teams.TeamsController,
    challenges.ChallengesController,
    confirmations.ConfirmationsController,
    sync.SyncController,
    events.EventsController,
]


# One generated API class per tag (HabitsApi, TeamsApi, ...); the descriptions head each
# group in API browsers and generated SDK docs.
TAGS = [
    Tag(name="auth", description="Accounts and bearer tokens."),
    Tag(name="me", description="The caller: profile, points, badges, exports and imports."),
    Tag(name="catalog", description="Habit and challenge templates to start from."),
    Tag(name="habits", description="The caller's habits, their stats and today's list."),
    Tag(name="checkins", description="Checking in, skipping and undoing a day."),
    Tag(name="breaks", description="Planned breaks: days a streak neither grows nor breaks."),
    Tag(name="teams", description="Teams, members, invites and team boards."),
    Tag(name="challenges", description="Challenges to join, with their boards."),
    Tag(name="confirmations", description="Peer confirmations of check-ins."),
    Tag(name="notifications", description="Webhooks, Web Push and delivery logs."),
    Tag(name="sync", description="Delta sync and the live event stream."),
    Tag(name="operations", description="Health and metrics, for operators."),
]


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    hasher: PasswordHasher | None = None,
) -> Litestar:
    """The app. ``hasher`` defaults to argon2id with the library's RFC 9106 "low memory"
    parameters; tests pass a cheaper one."""
    settings = settings or Settings.from_env()
    catalog_data = load_catalog()  # fail at start-up, not at the first request

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # What this start runs with (``rebooted`` may have changed it since the app was
        # made): everything the requests use is made here, from it.
        boot: Boot = app.state.boot
        settings = boot.settings
        sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
        db = database_for(settings)
        await db.open()
        db.watch_commits(observe_commit)
        app.state.ctx = Context(
            db=db,
            clock=boot.clock or system_clock,
            settings=settings,
            catalog=catalog_data,
            publisher=channels,
        )
        app.state.limits = Limits.for_database(settings, db)
        app.state.hasher = boot.hasher or PasswordHasher()
        app.state.imports = ImportJobs(app.state.ctx)
        app.state.worker = Worker(
            app.state.ctx, Outbound(allow_private=settings.webhooks_allow_private)
        )
        if settings.notify_interval_s > 0:
            app.state.worker.start(settings.notify_interval_s)
        try:
            yield
        finally:
            await app.state.worker.close()
            await app.state.imports.close()  # each records that it stopped, stored nothing
            await db.close()

    # Live events: on PostgreSQL every instance LISTENs on the database (changes are
    # NOTIFYed with their commit); on SQLite, one process, an in-memory broker.
    backend: ChannelsBackend = (
        ReconnectingPgChannelsBackend(dsn=settings.database)
        if is_postgres_url(settings.database)
        else MemoryChannelsBackend()
    )
    channels = ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True)
    configure_logs(settings.log_format, settings.log_level)
    logging.getLogger("rapport").setLevel(settings.log_level.upper())
    # httpx logs every request's URL at INFO: a push endpoint is a secret of its own (anyone
    # holding it can push to that browser), so the worker's requests are not logged.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Requests by route template (never by raw path: unknown paths are left out, so
    # probing random URLs cannot grow the metrics), with Litestar's Prometheus middleware.
    prometheus = PrometheusConfig(
        app_name="rapport", prefix="rapport", group_path=True, exclude_unhandled_paths=True,
        exclude=["^/metrics$"],
    )  # fmt: skip
    app = Litestar(
        plugins=[channels],
        route_handlers=ROUTES,
        dependencies=dependencies,
        middleware=[prometheus.middleware, auth_middleware],
        before_send=[security_headers],
        guards=[limit_writes, require_json],
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        lifespan=[lifespan],
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="Rapport API",
            version="1.0.0",
            description=(
                "Gamified habit building for career growth. Errors are RFC 9457 problem "
                "details; authenticate with `Authorization: Bearer <token>`."
            ),
            path="/schema",
            render_plugins=[ReferencePage(), RapportJsonRenderPlugin()],
            components=Components(
                security_schemes={
                    "BearerToken": SecurityScheme(
                        type="http", scheme="bearer", description="Token from login/register"
                    )
                }
            ),
            use_handler_docstrings=False,
            tags=TAGS,
        ),
        debug=False,
        # JSON logs are set up by configure_logs; Litestar's own set-up would replace them.
        logging_config=None if settings.log_format == "json" else LoggingConfig(),
    )
    # Outermost, around Litestar's own handling: router 404s get an id and a log line too.
    app.asgi_handler = RequestLog(app.asgi_handler)
    app.state.boot = Boot(settings, clock, hasher)
    return app


@dataclass(frozen=True)
class Boot:
    """What an app's next start runs with."""

    settings: Settings
    clock: Clock | None = None
    hasher: PasswordHasher | None = None


def rebooted(
    app: Litestar,
    settings: Settings,
    *,
    clock: Clock | None = None,
    hasher: PasswordHasher | None = None,
) -> Litestar:
    """``app`` (stopped), to start next time on ``settings``: a new database, clock and
    hasher, without building the app again (0.1 s of route registration, which the test
    suite would otherwise pay a thousand times). Only settings read at start may differ
    from the app's own: the live-event back end and the log set-up are fixed when it is
    made (``reusable_for`` says whether they match)."""
    app.state.boot = Boot(settings, clock, hasher)
    return app


def reusable_for(app: Litestar, settings: Settings) -> bool:
    made: Settings = app.state.boot.settings
    return is_postgres_url(made.database) == is_postgres_url(settings.database) and (
        made.log_format,
        made.log_level,
    ) == (settings.log_format, settings.log_level)
