"""Imports as background jobs: ``POST /me/imports`` answers 202 with a job at once; the job
shows its progress and ends done with a report or failed with nothing stored."""

from __future__ import annotations

import asyncio
import io
import threading
import time
import zipfile
from datetime import date, timedelta

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.services.errors import RapportError
from server.services.imports import jobs as import_jobs
from server.services.imports.model import ImportedHabit, Reader
from server.store.records import ImportJobRecord
from shared import schemas
from shared.client import ApiError, RapportClient
from tests.api.test_loop_import import loop_zip
from tests.conftest import Databases, FakeClock, MakeUser, live_server, on_app_loop

ZIP = "application/zip"


@pytest.fixture
def release(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Loop files are parsed only once the event returned is set (at most 10 s)."""
    event = threading.Event()
    real = import_jobs.PARSERS["loop_csv"]

    def held(data: bytes, reader: Reader) -> list[ImportedHabit]:
        event.wait(10)
        return real(data, reader)

    monkeypatch.setitem(import_jobs.PARSERS, "loop_csv", held)
    return event


def stall_export(habits: int, days: int) -> bytes:
    """A Loop export (old layout) of ``habits`` daily habits, each done every day but
    one in seven for ``days`` days up to 2026-03-10."""
    last = date(2026, 3, 10)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        header = "Position,Name,Question,Description,NumRepetitions,Interval,Color\n"
        rows = "".join(f"{n:03d},Habit {n},Q,,1,1,#FF8F00\n" for n in range(1, habits + 1))
        archive.writestr("Habits.csv", header + rows)
        lines = "".join(f"{last - timedelta(days=d)},2\n" for d in range(days) if d % 7)
        for n in range(1, habits + 1):
            archive.writestr(f"{n:03d} Habit {n}/Checkmarks.csv", "Date,Value\n" + lines)
    return buffer.getvalue()


async def test_an_upload_is_answered_at_once_and_the_job_ends_with_its_report(
    ana: RapportClient,
) -> None:
    response = await ana.request(
        "POST", "/api/v1/me/imports", upload=(loop_zip(), "application/octet-stream")
    )
    assert response.status_code == 202
    job = msgspec.json.decode(response.content, type=schemas.ImportJob)
    assert response.headers["location"] == f"/api/v1/me/imports/{job.id}"
    assert (job.format, job.state) == ("loop_csv", "queued")
    while job.state not in ("done", "failed"):
        await asyncio.sleep(0.05)
        job = await ana.import_job(job.id)
    assert job.state == "done", job.error
    assert job.report is not None
    assert (job.report.habits, job.report.checkins, job.report.points) == (3, 12, 0)
    assert (job.habits, job.rows_read) == (3, 12)
    assert job.finished_at is not None
    assert job.error is None
    assert {h.title for h in (await ana.habits()).items} == {"Meditate", "Run", "Read pages"}
    assert [j.id for j in await ana.import_jobs()] == [job.id]


async def test_a_rapport_export_is_told_from_other_files_by_its_content(
    make_user: MakeUser,
) -> None:
    ana, ben = await make_user("ana"), await make_user("ben")
    habit = await ana.create_habit(
        schemas.HabitCreate(
            title="Call a mentor", category="relationships", schedule=schemas.Daily()
        )
    )
    await ana.check_in(habit.id, schemas.CheckInCreate())
    data = msgspec.json.encode(await ana.export())
    job = await ben.import_file(data, "application/json")
    assert (job.format, job.state) == ("rapport", "done"), job.error
    assert [h.title for h in (await ben.habits()).items] == ["Call a mentor"]


@pytest.mark.parametrize(
    ("data", "media"),
    [
        (b"just some words", "application/octet-stream"),
        (b'{"format": "something else", "items": []}', "application/json"),
        (b"[1, 2, 3]", "application/json"),
        (b"{" * 100_000, "application/json"),
    ],
    ids=["words", "other json", "a list", "deep nesting"],
)
async def test_a_file_of_no_known_format_is_refused_at_once(
    ana: RapportClient, data: bytes, media: str
) -> None:
    with pytest.raises(ApiError) as err:
        await ana.start_import(data, media)
    assert err.value.status == 422
    assert err.value.problem is not None
    assert "Loop" in err.value.problem.detail
    assert await ana.import_jobs() == []


async def test_an_upload_sent_as_a_form_or_text_is_415(ana: RapportClient) -> None:
    for media in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        with pytest.raises(ApiError) as err:
            await ana.start_import(loop_zip(), media)
        assert err.value.status == 415
    assert await ana.import_jobs() == []


async def test_a_job_that_fails_stores_nothing_and_says_why(ana: RapportClient) -> None:
    broken = loop_zip(
        skip="001 Meditate/Checkmarks.csv",
        extra={"001 Meditate/Checkmarks.csv": "Date,Value\n1999-12-31,2\n"},
    )
    job = await ana.import_file(broken, ZIP)
    assert job.state == "failed"
    assert job.error is not None
    assert job.error.status == 422
    assert "1999-12-31" in job.error.detail
    assert job.report is None
    assert (await ana.habits()).items == []
    assert (await ana.habits(archived=True)).items == []  # nor archived


async def test_one_import_at_a_time_per_user_and_nobody_sees_anothers_jobs(
    make_user: MakeUser, release: threading.Event
) -> None:
    ana, ben = await make_user("ana"), await make_user("ben")
    first = await ana.start_import(loop_zip(), ZIP)
    for _ in range(100):
        if (await ana.import_job(first.id)).state == "reading":
            break
        await asyncio.sleep(0.02)
    with pytest.raises(ApiError) as err:
        await ana.start_import(loop_zip(), ZIP)
    assert err.value.status == 409
    # Another user's job is nobody else's business: 404, as for an id that never was.
    with pytest.raises(ApiError) as err:
        await ben.import_job(first.id)
    assert err.value.status == 404
    assert await ben.import_jobs() == []
    # Ben's own import does not wait for Ana's to be allowed (it queues behind it).
    second = await ben.start_import(loop_zip(), ZIP)
    release.set()
    for client, job in ((ana, first), (ben, second)):
        while job.state not in ("done", "failed"):
            await asyncio.sleep(0.05)
            job = await client.import_job(job.id)
        assert job.state == "done"


def test_a_job_whose_server_stopped_reads_as_failed(clock: FakeClock) -> None:
    """An unfinished job whose heartbeat stopped (the process was killed) has failed, and
    nothing of it was stored: its one transaction never committed."""
    now = clock()
    job = ImportJobRecord(
        id="j", user_id="u", format="loop_csv", state="writing", rows_read=10, habits=2,
        report=None, error=None, created_at=now, updated_at=now, finished_at=None,
    )  # fmt: skip
    late = import_jobs.view(job, now + import_jobs.STALE_AFTER + timedelta(seconds=1))
    assert late.state == "failed"
    assert late.error is not None
    assert "stopped" in late.error.detail
    assert late.finished_at == now
    assert import_jobs.view(job, now + import_jobs.STALE_AFTER).state == "writing"


def test_a_large_import_runs_in_the_background_while_health_answers_at_once(
    databases: Databases,
) -> None:
    """Over a real socket: 30 habits x 1,500 days (38,550 rows) imported as a job while
    another connection asks /health every 20 ms; /health is never held up by it."""
    data = stall_export(habits=30, days=1_500)
    with live_server(databases.new()) as base:
        token = httpx.post(
            f"{base}/api/v1/auth/register",
            json={"handle": "mover", "password": "a long enough password"},
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        waits: list[float] = []
        stop = threading.Event()

        def probe() -> None:
            with httpx.Client(base_url=base, timeout=30) as client:
                while not stop.is_set():
                    started = time.perf_counter()
                    assert client.get("/health").status_code == 200
                    waits.append(time.perf_counter() - started)
                    time.sleep(0.02)

        prober = threading.Thread(target=probe)
        prober.start()
        try:
            answer = httpx.post(
                f"{base}/api/v1/me/imports", content=data, timeout=30,
                headers={**auth, "Content-Type": "application/zip"},
            )  # fmt: skip
            assert answer.status_code == 202
            job = answer.json()
            seen = {job["state"]}
            while job["state"] not in ("done", "failed"):
                time.sleep(0.05)
                job = httpx.get(f"{base}{answer.headers['location']}", headers=auth).json()
                seen.add(job["state"])
        finally:
            stop.set()
            prober.join()
        assert job["state"] == "done", job
        assert job["report"]["checkins"] == 30 * (1_500 - 215)  # one day in seven not done
        assert "writing" in seen or "reading" in seen  # it was seen under way
        assert len(waits) > 10
        # /health kept answering all along. The goal (100 ms at worst) is measured by
        # bench/import_stall.py on a quiet machine; here other tests share two CPUs with
        # this server, which a starved process can wait on for a good part of a second,
        # so the bound is the one that tells a stall (the import parsed on the loop held
        # it for 9 s) from a busy machine. tests/conftest.LoopWatch bounds the loop's own
        # CPU per request in every in-process test.
        assert max(waits) < 1.0, f"/health waited {max(waits) * 1000:.0f} ms"


async def test_uploads_past_the_queue_are_503_even_when_they_arrive_together(
    http: AsyncTestClient[Litestar],
    make_user: MakeUser,
    monkeypatch: pytest.MonkeyPatch,
    release: threading.Event,
) -> None:
    """Room is taken the moment an upload is admitted, before its body is read: uploads
    arriving together cannot all pass the check and overrun the queue."""
    jobs: import_jobs.ImportJobs = http.app.state.imports
    monkeypatch.setattr(jobs, "_room", 2)
    users = [await make_user(f"mover{n}") for n in range(6)]
    answers = await asyncio.gather(
        *(u.start_import(loop_zip(), ZIP) for u in users), return_exceptions=True
    )
    accepted = [a for a in answers if isinstance(a, schemas.ImportJob)]
    refused = [a for a in answers if isinstance(a, ApiError)]
    assert len(accepted) == 2
    assert [e.status for e in refused] == [503] * 4
    assert all(e.retry_after == 30 for e in refused)
    assert refused[0].problem is not None
    assert refused[0].problem.title == "Service busy"
    release.set()
    for user, job in zip(users, answers, strict=True):
        if isinstance(job, schemas.ImportJob):
            while job.state not in ("done", "failed"):
                await asyncio.sleep(0.05)
                job = await user.import_job(job.id)
            assert job.state == "done"


async def test_an_account_deleted_during_its_import_ends_the_job_cleanly(
    http: AsyncTestClient[Litestar], ana: RapportClient, release: threading.Event
) -> None:
    job = await ana.start_import(loop_zip(), ZIP)
    await ana.delete_me()
    release.set()
    jobs: import_jobs.ImportJobs = http.app.state.imports

    async def outcome() -> str:
        try:
            await jobs.outcome(job.id)
        except RapportError as error:
            return f"{error.status} {error.detail}"
        return "imported"

    assert await on_app_loop(http, outcome) == "404 the account was deleted during the import"
