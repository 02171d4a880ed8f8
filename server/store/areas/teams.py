"""Teams, memberships, invites and team goals."""

from __future__ import annotations

from datetime import datetime

from server.store.areas.base import Area
from server.store.areas.changes import ChangeLog
from server.store.database import Connection
from server.store.records import InviteRecord, MemberRecord, TeamRecord
from server.store.rows import Query, iso, prefixed, record, records

TEAM_COLUMNS = "id, name, timezone, created_at, member_count, goal_category, goal_target"
MEMBER_COLUMNS = "team_id, user_id, role, hidden, alias, joined_at, joined_id"
INVITE_COLUMNS = "id, team_id, code_hash, created_by, created_at, expires_at, revoked_at"


class Teams(Area):
    def __init__(self, conn: Connection, changes: ChangeLog) -> None:
        super().__init__(conn, changes)
        # user id -> teams and memberships, for the rest of the transaction.
        self._teams_cache: dict[str, list[tuple[TeamRecord, MemberRecord]]] = {}

    async def lock(self, team_id: str) -> None:
        """Hold this team's row until the transaction ends, so two managers' changes
        checked against the same team cap run one after another. SQLite's single writer
        already runs every write alone (the PostgreSQL back end overrides this)."""

    async def insert(self, team: TeamRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO teams ({TEAM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            team.id, team.name, team.timezone, iso(team.created_at), team.member_count,
            team.goal_category, team.goal_target,
        )  # fmt: skip

    async def get(self, team_id: str) -> TeamRecord | None:
        row = await self.conn.fetch_one(f"SELECT {TEAM_COLUMNS} FROM teams WHERE id = ?", team_id)
        return None if row is None else record(TeamRecord, TEAM_COLUMNS, row)

    async def update(self, team: TeamRecord) -> None:
        await self.conn.execute(
            "UPDATE teams SET name = ?, timezone = ?, goal_category = ?, goal_target = ?"
            " WHERE id = ?",
            team.name, team.timezone, team.goal_category, team.goal_target, team.id,
        )  # fmt: skip
        self._forget()

    async def delete(self, team_id: str) -> None:
        await self.conn.execute("DELETE FROM board_scores WHERE board = ?", f"team:{team_id}")
        await self.conn.execute("DELETE FROM teams WHERE id = ?", team_id)
        self._forget()

    async def teams_of(self, user_id: str) -> list[tuple[TeamRecord, MemberRecord]]:
        """The user's teams and memberships; asked several times per check-in, so kept for
        the rest of this transaction (membership changes forget it)."""
        if user_id not in self._teams_cache:
            self._teams_cache[user_id] = await self._load_teams_of(user_id)
        return self._teams_cache[user_id]

    def _forget(self, user_id: str | None = None) -> None:
        if user_id is None:
            self._teams_cache.clear()
        else:
            self._teams_cache.pop(user_id, None)

    async def _load_teams_of(self, user_id: str) -> list[tuple[TeamRecord, MemberRecord]]:
        rows = await self.conn.fetch_all(
            f"SELECT {prefixed('t', TEAM_COLUMNS)}, {prefixed('m', MEMBER_COLUMNS)}"
            " FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.user_id = ?"
            " ORDER BY t.created_at, t.id",
            user_id,
        )
        n = len(TEAM_COLUMNS.split(","))
        pairs = []
        for row in rows:
            values = tuple(row)
            pairs.append(
                (
                    record(TeamRecord, TEAM_COLUMNS, values[:n]),
                    record(MemberRecord, MEMBER_COLUMNS, values[n:]),
                )
            )
        return pairs

    async def membership(self, team_id: str, user_id: str) -> MemberRecord | None:
        row = await self.conn.fetch_one(
            f"SELECT {MEMBER_COLUMNS} FROM team_members WHERE team_id = ? AND user_id = ?",
            team_id, user_id,
        )  # fmt: skip
        return None if row is None else record(MemberRecord, MEMBER_COLUMNS, row)

    async def member_by_alias(self, team_id: str, alias: str) -> str | None:
        value = await self.conn.fetch_value(
            "SELECT user_id FROM team_members WHERE team_id = ? AND alias = ?", team_id, alias
        )
        return None if value is None else str(value)

    async def ban(self, team_id: str, user_id: str, since: datetime) -> None:
        """Invites made before ``since`` no longer let ``user_id`` join ``team_id``."""
        await self.conn.execute(
            "INSERT INTO team_bans (team_id, user_id, since) VALUES (?, ?, ?)"
            " ON CONFLICT (team_id, user_id) DO UPDATE SET since = excluded.since",
            team_id, user_id, iso(since),
        )  # fmt: skip

    async def banned_since(self, team_id: str, user_id: str) -> datetime | None:
        value = await self.conn.fetch_value(
            "SELECT since FROM team_bans WHERE team_id = ? AND user_id = ?", team_id, user_id
        )
        return None if value is None else datetime.fromisoformat(str(value))

    async def lift_ban(self, team_id: str, user_id: str) -> None:
        await self.conn.execute(
            "DELETE FROM team_bans WHERE team_id = ? AND user_id = ?", team_id, user_id
        )

    async def share_a_team(self, a: str, b: str) -> bool:
        found = await self.conn.fetch_value(
            "SELECT 1 FROM team_members x JOIN team_members y ON x.team_id = y.team_id"
            " WHERE x.user_id = ? AND y.user_id = ? LIMIT 1",
            a, b,
        )  # fmt: skip
        return bool(found)

    async def members(
        self, team_id: str, *, after: str | None = None, limit: int = 200
    ) -> list[MemberRecord]:
        query = (
            Query(
                f"SELECT {prefixed('m', MEMBER_COLUMNS)}, u.handle, u.display_name"
                " FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = ?",
                team_id,
            )
            .where("m.user_id > ?", after)
            .then(" ORDER BY m.user_id")
            .limit(limit)
        )
        cols = MEMBER_COLUMNS + ", handle, display_name"
        return records(MemberRecord, cols, await self.conn.fetch_all(query.sql, *query.args))

    async def add_member(self, member: MemberRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO team_members ({MEMBER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            member.team_id, member.user_id, member.role, member.hidden, member.alias,
            iso(member.joined_at), member.joined_id,
        )  # fmt: skip
        await self.conn.execute(
            "UPDATE teams SET member_count = member_count + 1 WHERE id = ?", member.team_id
        )
        await self.changes.touched(member.user_id, "team", member.team_id)
        self._forget(member.user_id)

    async def remove_member(self, team_id: str, user_id: str) -> None:
        await self.conn.execute(
            "DELETE FROM team_members WHERE team_id = ? AND user_id = ?", team_id, user_id
        )
        await self.conn.execute(
            "DELETE FROM board_scores WHERE board = ? AND user_id = ?", f"team:{team_id}", user_id
        )
        await self.conn.execute(
            "UPDATE teams SET member_count = member_count - 1 WHERE id = ?", team_id
        )
        await self.changes.touched(user_id, "team", team_id)
        self._forget(user_id)

    async def set_member(self, team_id: str, user_id: str, *, role: str, hidden: bool) -> None:
        await self.conn.execute(
            "UPDATE team_members SET role = ?, hidden = ? WHERE team_id = ? AND user_id = ?",
            role, hidden, team_id, user_id,
        )  # fmt: skip
        await self.changes.touched(user_id, "team", team_id)
        self._forget(user_id)

    async def insert_invite(self, invite: InviteRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO team_invites ({INVITE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            invite.id, invite.team_id, invite.code_hash, invite.created_by,
            iso(invite.created_at), iso(invite.expires_at), iso(invite.revoked_at),
        )  # fmt: skip

    async def invite_by_code(self, code_hash: str) -> InviteRecord | None:
        row = await self.conn.fetch_one(
            f"SELECT {INVITE_COLUMNS} FROM team_invites WHERE code_hash = ?", code_hash
        )
        return None if row is None else record(InviteRecord, INVITE_COLUMNS, row)

    async def invites(self, team_id: str, now: datetime) -> list[InviteRecord]:
        rows = await self.conn.fetch_all(
            f"SELECT {INVITE_COLUMNS} FROM team_invites WHERE team_id = ? AND revoked_at IS NULL"
            " AND expires_at > ? ORDER BY created_at",
            team_id, iso(now),
        )  # fmt: skip
        return records(InviteRecord, INVITE_COLUMNS, rows)

    async def revoke_invite(self, team_id: str, invite_id: str, now: datetime) -> bool:
        changed = await self.conn.execute(
            "UPDATE team_invites SET revoked_at = ? WHERE id = ? AND team_id = ?"
            " AND revoked_at IS NULL",
            iso(now), invite_id, team_id,
        )  # fmt: skip
        return changed > 0

    async def add_goal_progress(self, team_id: str, week: str, user_id: str, delta: int) -> None:
        """Move ``user_id``'s share of the team's progress for ``week`` (a row of their own:
        teammates checking in at once never wait for each other)."""
        await self.conn.execute(
            "INSERT INTO team_goal_progress (team_id, week, user_id, done) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (team_id, week, user_id) DO UPDATE"
            " SET done = team_goal_progress.done + excluded.done",
            team_id, week, user_id, delta,
        )  # fmt: skip

    async def goal_progress(self, team_id: str, week: str) -> int:
        value = await self.conn.fetch_value(
            "SELECT SUM(done) FROM team_goal_progress WHERE team_id = ? AND week = ?",
            team_id, week,
        )  # fmt: skip
        return int(value or 0)
