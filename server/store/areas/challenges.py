"""Challenges and who takes part in them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from server.store.areas.base import Area
from server.store.areas.boards import Boards
from server.store.areas.changes import ChangeLog
from server.store.database import Connection
from server.store.records import ChallengeRecord
from server.store.rows import Query, iso, prefixed, record, records

CHALLENGE_COLUMNS = (
    "id, title, description, team_id, starts_on, ends_on, goal_category, goal_template, "
    "target, reward_points, template, created_by, created_at, participants"
)


class Challenges(Area):
    def __init__(self, conn: Connection, changes: ChangeLog, boards: Boards) -> None:
        super().__init__(conn, changes)
        self.boards = boards

    async def insert(self, c: ChallengeRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO challenges ({CHALLENGE_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            c.id, c.title, c.description, c.team_id, iso(c.starts_on), iso(c.ends_on),
            c.goal_category, c.goal_template, c.target, c.reward_points, c.template,
            c.created_by, iso(c.created_at), c.participants,
        )  # fmt: skip

    async def get(self, challenge_id: str) -> ChallengeRecord | None:
        row = await self.conn.fetch_one(
            f"SELECT {CHALLENGE_COLUMNS} FROM challenges WHERE id = ?", challenge_id
        )
        return None if row is None else record(ChallengeRecord, CHALLENGE_COLUMNS, row)

    async def visible(
        self, user_id: str, *, team_id: str | None, after: tuple[str, str] | None, limit: int
    ) -> list[ChallengeRecord]:
        """Public challenges and those of the user's teams, by (starts_on, id)."""
        query = (
            Query(
                f"SELECT {CHALLENGE_COLUMNS} FROM challenges c WHERE (c.team_id IS NULL OR"
                " c.team_id IN (SELECT team_id FROM team_members WHERE user_id = ?))",
                user_id,
            )
            .where("c.team_id = ?", team_id)
            .where("(c.starts_on, c.id) > (?, ?)", after)
            .then(" ORDER BY c.starts_on, c.id")
            .limit(limit)
        )
        rows = await self.conn.fetch_all(query.sql, *query.args)
        return records(ChallengeRecord, CHALLENGE_COLUMNS, rows)

    async def participation(self, challenge_id: str, user_id: str) -> tuple[int, bool] | None:
        """(progress, completed) of a participant, or None."""
        row = await self.conn.fetch_one(
            "SELECT COALESCE(b.points, 0), p.completed_at FROM challenge_participants p"
            " LEFT JOIN board_scores b ON b.board = ? AND b.period = 'all'"
            " AND b.user_id = p.user_id WHERE p.challenge_id = ? AND p.user_id = ?",
            f"challenge:{challenge_id}", challenge_id, user_id,
        )  # fmt: skip
        return None if row is None else (int(row[0]), row[1] is not None)

    async def join(
        self, challenge_id: str, user_id: str, now: datetime, alias: str | None = None
    ) -> None:
        """Take part; ``alias`` (a random UUID unless given) stands in for the participant
        on the challenge's board while they hide from boards."""
        await self.conn.execute(
            "INSERT INTO challenge_participants (challenge_id, user_id, joined_at, alias)"
            " VALUES (?, ?, ?, ?)",
            challenge_id, user_id, iso(now), alias or str(uuid.uuid4()),
        )  # fmt: skip
        await self.boards.add(f"challenge:{challenge_id}", "all", user_id, 0)
        await self.conn.execute(
            "UPDATE challenges SET participants = participants + 1 WHERE id = ?", challenge_id
        )

    async def leave(self, challenge_id: str, user_id: str) -> None:
        await self.conn.execute(
            "DELETE FROM challenge_participants WHERE challenge_id = ? AND user_id = ?",
            challenge_id, user_id,
        )  # fmt: skip
        await self.conn.execute(
            "DELETE FROM board_scores WHERE board = ? AND user_id = ?",
            f"challenge:{challenge_id}", user_id,
        )  # fmt: skip
        await self.conn.execute(
            "UPDATE challenges SET participants = participants - 1 WHERE id = ?", challenge_id
        )
        await self.changes.touched(user_id, "challenge", challenge_id)

    async def participations(self, user_id: str) -> list[str]:
        rows = await self.conn.fetch_all(
            "SELECT challenge_id FROM challenge_participants WHERE user_id = ?", user_id
        )
        return [str(r[0]) for r in rows]

    async def overlapping_participation(self, c: ChallengeRecord, user_id: str) -> bool:
        """Does the user take part in another paying challenge of ``c``'s template whose
        dates overlap ``c``'s?"""
        row = await self.conn.fetch_one(
            "SELECT 1 FROM challenge_participants p JOIN challenges c ON c.id = p.challenge_id"
            " WHERE p.user_id = ? AND c.template = ? AND c.id != ? AND c.reward_points > 0"
            " AND c.starts_on <= ? AND c.ends_on >= ?",
            user_id, c.template, c.id, iso(c.ends_on), iso(c.starts_on),
        )  # fmt: skip
        return row is not None

    async def started_since(self, user_id: str, since: datetime) -> int:
        value = await self.conn.fetch_value(
            "SELECT COUNT(*) FROM challenges WHERE created_by = ? AND created_at >= ?",
            user_id, iso(since),
        )  # fmt: skip
        return int(value or 0)

    async def active_participations(
        self, user_id: str, day: date, *, joined_by: datetime | None = None
    ) -> list[ChallengeRecord]:
        """Challenges the user takes part in whose dates include ``day`` (and, with
        ``joined_by``, that they had joined by then: the ones a day counted towards)."""
        rows = await self.conn.fetch_all(
            f"SELECT {prefixed('c', CHALLENGE_COLUMNS)} FROM challenge_participants p"
            " JOIN challenges c ON c.id = p.challenge_id"
            " WHERE p.user_id = ? AND c.starts_on <= ? AND c.ends_on >= ? AND p.joined_at <= ?",
            user_id, iso(day), iso(day), iso(joined_by or datetime.max.replace(tzinfo=UTC)),
        )  # fmt: skip
        return records(ChallengeRecord, CHALLENGE_COLUMNS, rows)

    async def set_completed(self, challenge_id: str, user_id: str, at: datetime | None) -> None:
        await self.conn.execute(
            "UPDATE challenge_participants SET completed_at = ?"
            " WHERE challenge_id = ? AND user_id = ?",
            iso(at), challenge_id, user_id,
        )  # fmt: skip

    async def participant_by_alias(self, challenge_id: str, alias: str) -> str | None:
        value = await self.conn.fetch_value(
            "SELECT user_id FROM challenge_participants WHERE challenge_id = ? AND alias = ?",
            challenge_id, alias,
        )  # fmt: skip
        return None if value is None else str(value)
