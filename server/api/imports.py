"""Imports as jobs: ``POST /me/imports`` takes the file and answers 202 at once."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED

from server.api.deps import BEARER, AuthedRequest
from server.api.params import JobId
from server.api.problems import problems
from server.services.errors import UnsupportedMediaType
from server.services.imports.jobs import ImportJobs
from server.store.records import UserRecord
from shared import schemas
from shared.schemas import Category

# Two years of a dozen habits is a few MB of JSON; other bodies stay under 1 MB.
IMPORT_MAX_BYTES = 50_000_000
# What an upload may be sent as: its registered types, and what tools send for any file.
ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed"})
UPLOAD_TYPES = ZIP_TYPES | {
    "application/json",
    "application/vnd.sqlite3",
    "application/x-sqlite3",
    "application/octet-stream",
}


def media_type(request: AuthedRequest) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def require_upload(request: AuthedRequest, accepted: frozenset[str], hint: str) -> None:
    if media_type(request) not in accepted:
        raise UnsupportedMediaType(hint)


class ImportsController(Controller):
    path = "/api/v1/me/imports"
    tags = ["me"]
    security = BEARER

    @post(
        "/",
        operation_id="me_imports_create",
        summary="Import a file from Rapport, Loop Habit Tracker or Habitica, in the background",
        description=(
            "Send the file as the body. The format is read from the content: a Rapport export"
            " (JSON, into a fresh account), Loop Habit Tracker's CSV export (ZIP) or its"
            " automatic backup (`.db`), or Habitica's `userdata.json`. Answers 202 with the"
            " job at once (`Location` names it); poll `GET /me/imports/{job_id}` for its"
            " progress and report. All or nothing: a job that fails stores nothing. History"
            " brings streaks and strength, not points. `category` applies to formats without"
            " categories (Loop, Habitica). A file that is none of these is 422 at once."
        ),
        status_code=HTTP_202_ACCEPTED,
        responses=problems(429, 401, 409, 413, 415, 422, 503),
        request_max_body_size=IMPORT_MAX_BYTES,
    )
    async def create(
        self,
        user: NamedDependency[UserRecord],
        request: AuthedRequest,
        jobs: NamedDependency[ImportJobs],
        category: Annotated[
            Category, QueryParameter(description="category for every imported habit")
        ] = "results",
    ) -> Response[schemas.ImportJob]:
        require_upload(
            request,
            frozenset(UPLOAD_TYPES),
            "send the file with its type: application/json, application/zip,"
            " application/vnd.sqlite3 (or application/octet-stream)",
        )
        job = await jobs.start(user, request.body, category=category)
        return Response(
            job,
            status_code=HTTP_202_ACCEPTED,
            headers={"Location": f"/api/v1/me/imports/{job.id}"},
        )

    @get(
        "/",
        operation_id="me_imports_list",
        summary="The caller's recent imports, newest first",
        responses=problems(401),
    )
    async def list_(
        self, user: NamedDependency[UserRecord], jobs: NamedDependency[ImportJobs]
    ) -> list[schemas.ImportJob]:
        return await jobs.recent(user)

    @get(
        "/{job_id:uuid}",
        operation_id="me_imports_get",
        summary="One import: its state, progress and, once finished, its report or error",
        responses=problems(401, 404),
    )
    async def get(
        self, job_id: JobId, user: NamedDependency[UserRecord], jobs: NamedDependency[ImportJobs]
    ) -> schemas.ImportJob:
        return await jobs.get(user, str(job_id))
