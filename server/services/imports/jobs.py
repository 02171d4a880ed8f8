"""Imports as background jobs: the upload is answered at once, the work goes on meanwhile.

A job reads the file off the event loop (a thread: unpacking and parsing is CPU work of up
to a few seconds) and then stores it in one transaction whose statements yield between
batches, so ``/health`` and everyone's check-ins go on while it runs. Its state lives in
the database (``import_jobs``), so any instance answers ``GET /me/imports/{id}``; the
instance running it writes its progress there about once a second, which doubles as a
heartbeat. A job whose heartbeat stopped (the process was killed) reads as failed, and
nothing of it was stored: the transaction never committed.

How it could be abused, and what stops it:
- many uploads at once to exhaust memory or the database: one unfinished job per user
  (409), one import running per process and a short queue behind it (503 past that),
  the 50 MB body bound, and every parser's row and size bounds (``model.py``);
- a hostile file: each parser checks what it reads and answers 422 (``Invalid``);
- points from history: every import goes through the fair-play rules of its writer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import msgspec

from server.ids import new_id
from server.services import export_json, portability
from server.services.context import Context
from server.services.errors import Busy, Conflict, Invalid, NotFound, RapportError
from server.services.habits import today_for
from server.services.imports import habitica, loop_backup, loop_csv
from server.services.imports.model import ImportedHabit, Reader
from server.services.imports.writer import write_habits
from server.store.records import ImportJobRecord, UserRecord
from shared import schemas

log = logging.getLogger("rapport.imports")

SQLITE_MAGIC = b"SQLite format 3\x00"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
REPORT_EVERY_S = 1.0  # progress written to the job row (and heartbeat), at most this often
HEARTBEAT_S = 10.0  # the row is touched at least this often while the job runs
STALE_AFTER = timedelta(seconds=120)  # an unfinished job not touched for this long died
RUNNING = 1  # imports running at once in one process
QUEUED = 4  # imports waiting behind them; more is 503
KEPT = 20  # finished jobs kept per user
STOPPED = "the server stopped before the import finished; nothing was stored"

Parser = Callable[[bytes, Reader], list[ImportedHabit]]
PARSERS: dict[str, Parser] = {
    "loop_csv": loop_csv.parse,
    "loop_backup": loop_backup.parse,
    "habitica": habitica.parse,
}


class _Probe(msgspec.Struct):
    format: str | None = None


def detect(data: bytes) -> schemas.ImportFormat:
    """Which format an upload is, from its content (CPU work on large JSON: run it in a
    thread). A file that is none of them is a 422 that says what is accepted."""
    if data.startswith(ZIP_MAGIC):
        return "loop_csv"
    if data.startswith(SQLITE_MAGIC):
        return "loop_backup"
    if data.lstrip()[:1] == b"{":
        try:
            if msgspec.json.decode(data, type=_Probe).format == "rapport/v1":
                return "rapport"
            if habitica.looks_like(msgspec.json.decode(data)):
                return "habitica"
        except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
            pass  # damaged or foreign JSON: the same answer as any unknown file
    raise Invalid(
        "not a file Rapport imports: send a Rapport export (JSON), Loop Habit Tracker's CSV"
        " export (ZIP) or backup (.db), or Habitica's userdata.json",
        field="file",
    )


def view(job: ImportJobRecord, now: datetime) -> schemas.ImportJob:
    """The job as the API shows it; an unfinished job whose heartbeat stopped has failed."""
    state, error, finished = job.state, job.error, job.finished_at
    if state not in ("done", "failed") and now - job.updated_at > STALE_AFTER:
        state, finished = "failed", job.updated_at
        error = msgspec.json.encode(_problem(Busy(STOPPED))).decode()
    return schemas.ImportJob(
        id=job.id,
        format=msgspec.convert(job.format, schemas.ImportFormat),
        state=msgspec.convert(state, schemas.ImportState),
        rows_read=job.rows_read,
        habits=job.habits,
        created_at=job.created_at,
        updated_at=job.updated_at,
        finished_at=finished,
        report=None if job.report is None else msgspec.json.decode(
            job.report, type=schemas.ImportReport
        ),
        error=None if error is None else msgspec.json.decode(error, type=schemas.ImportProblem),
    )  # fmt: skip


class ImportFailed(RapportError):
    """A job that failed for no fault of the file (a bug): logged, and nothing stored."""

    status, slug, title = 500, "import-failed", "Import failed"


def _problem(error: RapportError) -> schemas.ImportProblem:
    return schemas.ImportProblem(status=error.status, title=error.title, detail=error.detail)


class _Run:
    """One job while this process runs it: the record it reports and the work's task."""

    def __init__(self, job: ImportJobRecord) -> None:
        self.job = job
        self.task: asyncio.Task[None] | None = None
        self.failure: RapportError | None = None
        self.report: schemas.ImportReport | None = None


class ImportJobs:
    """The imports this process runs. ``start`` records a job and returns at once."""

    def __init__(self, ctx: Context, *, running: int = RUNNING, queued: int = QUEUED) -> None:
        self._ctx = ctx
        self._slots = asyncio.Semaphore(running)
        self._room = running + queued
        self._runs: dict[str, _Run] = {}
        self._admitted: set[str] = set()  # users whose upload is being read or checked

    async def start(
        self,
        user: UserRecord,
        body: Callable[[], Awaitable[bytes]],
        *,
        format: schemas.ImportFormat | None = None,
        category: schemas.Category = "results",
    ) -> schemas.ImportJob:
        """Admit an upload, then read its body (``body``) and record the job. Everything
        that turns an upload away (a full queue, a job of the user's still running) is
        decided before the body is read or decoded: a refused upload costs nothing."""
        if len(self._runs) + len(self._admitted) >= self._room:
            raise Busy(
                "the server is busy with other imports; try again in a minute", retry_after=30
            )
        if user.id in self._admitted or any(
            run.job.user_id == user.id for run in self._runs.values()
        ):
            raise Conflict("an import of yours is still running; wait for it to finish")
        self._admitted.add(user.id)  # no await before this: the checks and this are one
        try:
            ctx = self._ctx
            async with ctx.read(snapshot=False) as q:
                running = await q.imports.unfinished_since(user.id, ctx.clock() - STALE_AFTER)
            if running:  # on another instance
                raise Conflict("an import of yours is still running; wait for it to finish")
            data = await body()
            kind = format if format is not None else await asyncio.to_thread(detect, data)
            now = ctx.clock()
            job = ImportJobRecord(
                id=new_id(), user_id=user.id, format=kind, state="queued", rows_read=0,
                habits=0, report=None, error=None, created_at=now, updated_at=now,
                finished_at=None,
            )  # fmt: skip
            async with ctx.write(user.id) as q:
                if await q.imports.unfinished_since(user.id, now - STALE_AFTER):
                    raise Conflict("an import of yours is still running; wait for it to finish")
                await q.imports.insert(job)
                await q.imports.forget_before(user.id, KEPT)
            run = _Run(job)
            self._runs[job.id] = run
            run.task = asyncio.create_task(self._run(run, user.id, data, category))
        finally:
            self._admitted.discard(user.id)
        return view(job, now)

    async def outcome(self, job_id: str) -> schemas.ImportReport:
        """Wait for a job this process started: its report, or the error it failed with."""
        run = self._runs.get(job_id)
        if run is None or run.task is None:
            raise NotFound("no such import running here")
        await asyncio.shield(run.task)
        if run.failure is not None:
            raise run.failure
        if run.report is None:
            raise Busy(STOPPED)
        return run.report

    async def get(self, user: UserRecord, job_id: str) -> schemas.ImportJob:
        async with self._ctx.read(snapshot=False) as q:
            job = await q.imports.get(user.id, job_id)
        if job is None:
            raise NotFound("no such import")
        return view(job, self._ctx.clock())

    async def recent(self, user: UserRecord) -> list[schemas.ImportJob]:
        async with self._ctx.read(snapshot=False) as q:
            jobs = await q.imports.recent(user.id, KEPT)
        now = self._ctx.clock()
        return [view(job, now) for job in jobs]

    async def close(self) -> None:
        """Stop every job (each records that it was stopped and stored nothing)."""
        runs = [run.task for run in self._runs.values() if run.task is not None]
        for task in runs:
            task.cancel()
        await asyncio.gather(*runs, return_exceptions=True)

    # -- the work ------------------------------------------------------------------------

    async def _run(self, run: _Run, user_id: str, data: bytes, category: schemas.Category) -> None:
        job = run.job
        reporter = asyncio.create_task(self._report(job))
        try:
            async with self._slots:
                report = await self._import(job, user_id, data, category)
            run.report = report
            job.report = msgspec.json.encode(report).decode()
            job.habits, job.state = report.habits, "done"
        except RapportError as error:
            run.failure = error
            job.state, job.error = "failed", msgspec.json.encode(_problem(error)).decode()
        except asyncio.CancelledError:
            run.failure = Busy(STOPPED)
            job.state, job.error = "failed", msgspec.json.encode(_problem(run.failure)).decode()
        except Exception:
            log.exception("import %s failed", job.id)
            run.failure = ImportFailed("the server could not import this file; nothing was stored")
            job.state, job.error = "failed", msgspec.json.encode(_problem(run.failure)).decode()
        finally:
            reporter.cancel()
            await asyncio.gather(reporter, return_exceptions=True)
            job.finished_at = self._ctx.clock()
            try:
                await asyncio.shield(self._save(job))
            except Exception:
                log.exception("import %s: its end could not be recorded", job.id)
            self._runs.pop(job.id, None)

    async def _import(
        self, job: ImportJobRecord, user_id: str, data: bytes, category: schemas.Category
    ) -> schemas.ImportReport:
        ctx = self._ctx
        async with ctx.read(snapshot=False) as q:
            user = await q.users.by_id(user_id)
        if user is None:
            raise NotFound("the account is gone")
        job.state = "reading"
        await self._save(job)  # each phase shows at once; progress within it, every second
        if job.format == "rapport":
            export = await asyncio.to_thread(export_json.decode, data)
            job.rows_read = sum(len(h.checkins) for h in export.habits)
            job.habits, job.state = len(export.habits), "writing"
            await self._save(job)
            return await portability.import_data(ctx, user, export)

        def count(rows: int) -> None:
            job.rows_read = rows  # from the parser's thread: one int, read by the reporter

        reader = Reader(
            today=today_for(ctx, user),
            timezone=user.timezone,
            day_start_hour=user.day_start_hour,
            progress=count,
        )
        habits = await asyncio.to_thread(PARSERS[job.format], data, reader)
        job.rows_read = sum(len(h.days) for h in habits)
        job.habits, job.state = len(habits), "writing"
        await self._save(job)
        return await write_habits(ctx, user, habits, category)

    async def _report(self, job: ImportJobRecord) -> None:
        """Write the job's progress about once a second, and at least every few seconds."""
        seen = (job.state, job.rows_read, job.habits)
        quiet = 0.0
        while True:
            await asyncio.sleep(REPORT_EVERY_S)
            quiet += REPORT_EVERY_S
            now = (job.state, job.rows_read, job.habits)
            if now != seen or quiet >= HEARTBEAT_S:
                seen, quiet = now, 0.0
                await self._save(job)

    async def _save(self, job: ImportJobRecord) -> None:
        job.updated_at = self._ctx.clock()
        async with self._ctx.write() as q:
            await q.imports.save(job)
