"""The caller's points ledger, badges and results/relationships balance."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, MediaType, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import QueryParameter
from litestar.status_codes import HTTP_200_OK

from server.api.deps import BEARER, AuthedRequest
from server.api.imports import IMPORT_MAX_BYTES, ZIP_TYPES, require_upload
from server.api.params import Cursor, FromDay, Limit, ToDay
from server.api.problems import problems
from server.services import portability, progress
from server.services.context import Context
from server.services.imports.jobs import ImportJobs
from server.services.paging import DEFAULT_LIMIT
from server.store.records import UserRecord
from shared import schemas
from shared.schemas import Category


class ProgressController(Controller):
    path = "/api/v1/me"
    tags = ["me"]
    security = BEARER

    @get(
        "/points",
        operation_id="points_list",
        summary="The points ledger, newest first: every entry says why",
        responses=problems(401, 422),
    )
    async def points(
        self,
        ctx: NamedDependency[Context],
        user: NamedDependency[UserRecord],
        first: FromDay = None,
        last: ToDay = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> schemas.LedgerPage:
        return await progress.ledger(ctx, user, first=first, last=last, limit=limit, cursor=cursor)

    @get(
        "/export",
        operation_id="me_export",
        summary="All the caller's data as JSON, re-importable into a fresh account",
        responses={
            200: ResponseSpec(
                data_container=schemas.RapportExport,
                description="The export, signed by this server",
                generate_examples=False,  # polyfactory would build lists 200,000 long
            ),
            **problems(401),
        },
    )
    async def export(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord]
    ) -> Response[bytes]:
        # Encoded off the event loop (megabytes for years of history), sent as it is.
        return Response(await portability.export_bytes(ctx, user), media_type=MediaType.JSON)

    @post(
        "/import",
        operation_id="me_import",
        summary="Import a Rapport export into this (fresh) account: all or nothing",
        description=(
            "The same import as `POST /me/imports` (which answers at once, reads the file off"
            " the event loop and takes other apps' files too), answered when it is done."
        ),
        status_code=HTTP_200_OK,
        deprecated=True,
        responses=problems(429, 401, 409, 413, 415, 422, 503),
        request_max_body_size=IMPORT_MAX_BYTES,
    )
    async def import_(
        self,
        user: NamedDependency[UserRecord],
        request: AuthedRequest,
        jobs: NamedDependency[ImportJobs],
    ) -> schemas.ImportReport:
        # The body is read as the job reads it (off the event loop, a habit at a time),
        # not decoded whole here; the document still names its schema (api/document.py).
        require_upload(
            request,
            frozenset({"application/json"}),
            "send the export as JSON, with Content-Type: application/json",
        )
        job = await jobs.start(user, request.body, format="rapport")
        return await jobs.outcome(job.id)

    @post(
        "/import/loop",
        operation_id="me_import_loop",
        summary="Import a Loop Habit Tracker CSV export and wait for the report",
        description=(
            "Send the ZIP Loop's 'Export as CSV' wrote, with `Content-Type: application/zip`."
            " The same import as `POST /me/imports` (which answers at once and takes Loop's"
            " backups and Habitica's exports too), answered when it is done. Loop has no"
            " categories: every habit gets `category` (default results). History brings"
            " streaks and strength, not points. All or nothing."
        ),
        status_code=HTTP_200_OK,
        responses=problems(429, 401, 409, 413, 415, 422, 503),
        request_max_body_size=IMPORT_MAX_BYTES,
        deprecated=True,
    )
    async def import_loop(
        self,
        user: NamedDependency[UserRecord],
        request: AuthedRequest,
        jobs: NamedDependency[ImportJobs],
        category: Annotated[
            Category, QueryParameter(description="category for every imported habit")
        ] = "results",
    ) -> schemas.ImportReport:
        require_upload(
            request,
            ZIP_TYPES | {"application/octet-stream"},
            "send the ZIP Loop wrote, with Content-Type: application/zip",
        )
        job = await jobs.start(user, request.body, format="loop_csv", category=category)
        return await jobs.outcome(job.id)

    @get(
        "/badges",
        operation_id="badges_list",
        summary="Badges the caller has earned",
        responses=problems(401),
    )
    async def badges(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord]
    ) -> list[schemas.EarnedBadge]:
        return await progress.earned_badges(ctx, user)

    @get(
        "/balance",
        operation_id="balance_get",
        summary="Results vs relationships over the last 7 and 28 days",
        responses=problems(401),
    )
    async def balance(
        self, ctx: NamedDependency[Context], user: NamedDependency[UserRecord]
    ) -> schemas.BalanceReport:
        return await progress.balance_report(ctx, user)
