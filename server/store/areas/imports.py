"""Import jobs: the state of each upload being imported, readable from any instance."""

from __future__ import annotations

from datetime import datetime

from server.store.areas.base import Area
from server.store.records import ImportJobRecord
from server.store.rows import iso, record, records

JOB_COLUMNS = (
    "id, user_id, format, state, rows_read, habits, report, error, created_at, updated_at,"
    " finished_at"
)
UNFINISHED = ("queued", "reading", "writing")


class ImportJobs(Area):
    async def insert(self, job: ImportJobRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO import_jobs ({JOB_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            job.id, job.user_id, job.format, job.state, job.rows_read, job.habits,
            job.report, job.error, iso(job.created_at), iso(job.updated_at),
            iso(job.finished_at),
        )  # fmt: skip

    async def save(self, job: ImportJobRecord) -> None:
        """Store the job's progress or its end (and beat its heartbeat)."""
        await self.conn.execute(
            "UPDATE import_jobs SET format = ?, state = ?, rows_read = ?, habits = ?,"
            " report = ?, error = ?, updated_at = ?, finished_at = ? WHERE id = ?",
            job.format, job.state, job.rows_read, job.habits, job.report, job.error,
            iso(job.updated_at), iso(job.finished_at), job.id,
        )  # fmt: skip

    async def get(self, user_id: str, job_id: str) -> ImportJobRecord | None:
        row = await self.conn.fetch_one(
            f"SELECT {JOB_COLUMNS} FROM import_jobs WHERE id = ? AND user_id = ?",
            job_id, user_id,
        )  # fmt: skip
        return None if row is None else record(ImportJobRecord, JOB_COLUMNS, row)

    async def recent(self, user_id: str, limit: int) -> list[ImportJobRecord]:
        rows = await self.conn.fetch_all(
            f"SELECT {JOB_COLUMNS} FROM import_jobs WHERE user_id = ?"
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            user_id, limit,
        )  # fmt: skip
        return records(ImportJobRecord, JOB_COLUMNS, rows)

    async def unfinished_since(self, user_id: str, since: datetime) -> int:
        """The user's jobs still going (heartbeat after ``since``)."""
        found = await self.conn.fetch_value(
            "SELECT count(*) FROM import_jobs WHERE user_id = ? AND state IN (?, ?, ?)"
            " AND updated_at >= ?",
            user_id, *UNFINISHED, iso(since),
        )  # fmt: skip
        return int(found or 0)

    async def forget_before(self, user_id: str, keep: int) -> None:
        """Keep the user's ``keep`` newest jobs."""
        await self.conn.execute(
            "DELETE FROM import_jobs WHERE user_id = ? AND id NOT IN"
            " (SELECT id FROM import_jobs WHERE user_id = ? ORDER BY created_at DESC, id DESC"
            " LIMIT ?)",
            user_id, user_id, keep,
        )  # fmt: skip
