"""SQL for the social layer: teams, invites, boards, team goals, challenges, confirmations.

Mixed into ``queries.Queries``; the same portable-SQL rules apply.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from server.store.database import Connection
from server.store.records import (
    BoardRow,
    ChallengeRecord,
    ConfirmationRecord,
    InviteRecord,
    MemberRecord,
    TeamRecord,
)
from server.store.rows import iso, record, records

TEAM_COLUMNS = "id, name, timezone, created_at, member_count, goal_category, goal_target"
MEMBER_COLUMNS = "team_id, user_id, role, hidden, alias, joined_at, joined_id"
INVITE_COLUMNS = "id, team_id, code_hash, created_by, created_at, expires_at, revoked_at"
CHALLENGE_COLUMNS = (
    "id, title, description, team_id, starts_on, ends_on, goal_category, goal_template, "
    "target, reward_points, template, created_by, created_at, participants"
)
CONFIRMATION_COLUMNS = (
    "id, checkin_id, from_user, to_user, habit_title, day, created_at, expires_at, status, "
    "decided_at"
)


def _prefixed(prefix: str, columns: str) -> str:
    return ", ".join(f"{prefix}.{c.strip()}" for c in columns.split(","))


class SocialQueries:
    conn: Connection
    _teams_cache: dict[str, list[tuple[TeamRecord, MemberRecord]]]

    async def touched(self, user_id: str, kind: str, entity_id: str) -> None:
        raise NotImplementedError  # provided by Queries

    def announce(self, channel: str, event: str, entity_id: str, version: int = 0) -> None:
        raise NotImplementedError  # provided by Queries

    # -- teams -------------------------------------------------------------------------

    async def insert_team(self, team: TeamRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO teams ({TEAM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            team.id, team.name, team.timezone, iso(team.created_at), team.member_count,
            team.goal_category, team.goal_target,
        )  # fmt: skip

    async def team(self, team_id: str) -> TeamRecord | None:
        row = await self.conn.fetch_one(f"SELECT {TEAM_COLUMNS} FROM teams WHERE id = ?", team_id)
        return None if row is None else record(TeamRecord, TEAM_COLUMNS, row)

    async def update_team(self, team: TeamRecord) -> None:
        await self.conn.execute(
            "UPDATE teams SET name = ?, timezone = ?, goal_category = ?, goal_target = ?"
            " WHERE id = ?",
            team.name, team.timezone, team.goal_category, team.goal_target, team.id,
        )  # fmt: skip
        self._forget_teams()

    async def delete_team(self, team_id: str) -> None:
        await self.conn.execute("DELETE FROM board_scores WHERE board = ?", f"team:{team_id}")
        await self.conn.execute("DELETE FROM teams WHERE id = ?", team_id)
        self._forget_teams()

    async def teams_of(self, user_id: str) -> list[tuple[TeamRecord, MemberRecord]]:
        """The user's teams and memberships; asked several times per check-in, so kept for
        the rest of this transaction (membership changes forget it)."""
        if user_id not in self._teams_cache:
            self._teams_cache[user_id] = await self._load_teams_of(user_id)
        return self._teams_cache[user_id]

    def _forget_teams(self, user_id: str | None = None) -> None:
        if user_id is None:
            self._teams_cache.clear()
        else:
            self._teams_cache.pop(user_id, None)

    async def _load_teams_of(self, user_id: str) -> list[tuple[TeamRecord, MemberRecord]]:
        rows = await self.conn.fetch_all(
            f"SELECT {_prefixed('t', TEAM_COLUMNS)}, {_prefixed('m', MEMBER_COLUMNS)}"
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

    async def participant_by_alias(self, challenge_id: str, alias: str) -> str | None:
        value = await self.conn.fetch_value(
            "SELECT user_id FROM challenge_participants WHERE challenge_id = ? AND alias = ?",
            challenge_id, alias,
        )  # fmt: skip
        return None if value is None else str(value)

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
        sql = (
            f"SELECT {_prefixed('m', MEMBER_COLUMNS)}, u.handle, u.display_name"
            " FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = ?"
        )
        args: list[Any] = [team_id]
        if after is not None:
            sql += " AND m.user_id > ?"
            args.append(after)
        sql += " ORDER BY m.user_id LIMIT ?"
        args.append(limit)
        cols = MEMBER_COLUMNS + ", handle, display_name"
        return records(MemberRecord, cols, await self.conn.fetch_all(sql, *args))

    async def add_member(self, member: MemberRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO team_members ({MEMBER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            member.team_id, member.user_id, member.role, int(member.hidden), member.alias,
            iso(member.joined_at), member.joined_id,
        )  # fmt: skip
        await self.conn.execute(
            "UPDATE teams SET member_count = member_count + 1 WHERE id = ?", member.team_id
        )
        await self.touched(member.user_id, "team", member.team_id)
        self._forget_teams(member.user_id)

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
        await self.touched(user_id, "team", team_id)
        self._forget_teams(user_id)

    async def set_member(self, team_id: str, user_id: str, *, role: str, hidden: bool) -> None:
        await self.conn.execute(
            "UPDATE team_members SET role = ?, hidden = ? WHERE team_id = ? AND user_id = ?",
            role, int(hidden), team_id, user_id,
        )  # fmt: skip
        await self.touched(user_id, "team", team_id)
        self._forget_teams(user_id)

    # -- invites -----------------------------------------------------------------------

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

    # -- boards ------------------------------------------------------------------------

    async def add_to_board(self, board: str, period: str, user_id: str, delta: int) -> int:
        """Move a member's score; the score afterwards."""
        if board.startswith("challenge:"):
            await self.touched(user_id, "challenge", board.removeprefix("challenge:"))
        self.announce(board, "leaderboard", board.split(":", 1)[1])
        score = await self.conn.fetch_value(
            "INSERT INTO board_scores (board, period, user_id, points) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (board, period, user_id) DO UPDATE"
            " SET points = board_scores.points + excluded.points RETURNING points",
            board, period, user_id, delta,
        )  # fmt: skip
        return int(score)

    async def add_to_boards(self, board: str, user_id: str, deltas: dict[str, int]) -> None:
        """Move a member's score on several periods of one board in one statement."""
        moved = [(period, delta) for period, delta in deltas.items() if delta]
        if not moved:
            return
        self.announce(board, "leaderboard", board.split(":", 1)[1])
        rows = ", ".join(["(?, ?, ?, ?)"] * len(moved))
        args = [value for period, delta in moved for value in (board, period, user_id, delta)]
        await self.conn.execute(
            f"INSERT INTO board_scores (board, period, user_id, points) VALUES {rows}"
            " ON CONFLICT (board, period, user_id) DO UPDATE"
            " SET points = board_scores.points + excluded.points",
            *args,
        )

    async def board_score(self, board: str, period: str, user_id: str) -> int | None:
        value = await self.conn.fetch_value(
            "SELECT points FROM board_scores WHERE board = ? AND period = ? AND user_id = ?",
            board, period, user_id,
        )  # fmt: skip
        return None if value is None else int(value)

    async def board_page(
        self,
        board: str,
        period: str,
        *,
        below: tuple[int, str] | None,
        limit: int,
        hidden_team: str | None = None,
        challenge: str | None = None,
        ascending: bool = False,
    ) -> list[BoardRow]:
        """Entries ordered by points then user id, high to low (or low to high), after
        the (points, user id) key. An entry is hidden when its user hides from every board
        or, with ``hidden_team``, from that team's; its stand-in alias is the team
        membership's, or with ``challenge`` the participation's in that challenge."""
        cmp, order = ("<", "DESC") if not ascending else (">", "ASC")
        hidden = "u.hidden_on_boards"
        alias = "NULL"
        join = ""
        args: list[Any] = []
        if hidden_team is not None:
            join += " LEFT JOIN team_members m ON m.team_id = ? AND m.user_id = b.user_id"
            hidden = "CASE WHEN u.hidden_on_boards = 1 OR m.hidden = 1 THEN 1 ELSE 0 END"
            alias = "m.alias"
            args.append(hidden_team)
        if challenge is not None:
            join += (
                " LEFT JOIN challenge_participants p"
                " ON p.challenge_id = ? AND p.user_id = b.user_id"
            )
            alias = "p.alias"
            args.append(challenge)
        sql = (
            f"SELECT b.user_id, b.points, u.handle, u.display_name, {hidden}, {alias}"
            " FROM board_scores b"
            f" JOIN users u ON u.id = b.user_id{join} WHERE b.board = ? AND b.period = ?"
        )
        args += [board, period]
        if below is not None:
            # A row-value comparison, so the index seeks straight to the key.
            sql += f" AND (b.points, b.user_id) {cmp} (?, ?)"
            args += [below[0], below[1]]
        sql += f" ORDER BY b.points {order}, b.user_id {order} LIMIT ?"
        args.append(limit)
        rows = await self.conn.fetch_all(sql, *args)
        return [
            BoardRow(
                user_id=r[0],
                points=int(r[1]),
                handle=r[2],
                display_name=r[3],
                hidden=bool(r[4]),
                alias=r[5],
            )
            for r in rows
        ]

    async def board_count_above(
        self, board: str, period: str, points: int, user_id: str | None = None
    ) -> int:
        """Entries with more points; with ``user_id``, also those tied with a higher id
        (the entries that come before that one on the board)."""
        sql = "SELECT COUNT(*) FROM board_scores WHERE board = ? AND period = ?"
        if user_id is None:
            sql += " AND points > ?"
            args: list[Any] = [board, period, points]
        else:
            sql += " AND (points, user_id) > (?, ?)"
            args = [board, period, points, user_id]
        return int(await self.conn.fetch_value(sql, *args) or 0)

    # -- team goals --------------------------------------------------------------------

    async def add_goal_progress(self, team_id: str, week: str, delta: int) -> None:
        await self.conn.execute(
            "INSERT INTO team_goal_progress (team_id, week, done) VALUES (?, ?, ?)"
            " ON CONFLICT (team_id, week) DO UPDATE"
            " SET done = team_goal_progress.done + excluded.done",
            team_id, week, delta,
        )  # fmt: skip

    async def goal_progress(self, team_id: str, week: str) -> int:
        value = await self.conn.fetch_value(
            "SELECT done FROM team_goal_progress WHERE team_id = ? AND week = ?", team_id, week
        )
        return int(value or 0)

    # -- challenges --------------------------------------------------------------------

    async def insert_challenge(self, c: ChallengeRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO challenges ({CHALLENGE_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            c.id, c.title, c.description, c.team_id, iso(c.starts_on), iso(c.ends_on),
            c.goal_category, c.goal_template, c.target, c.reward_points, c.template,
            c.created_by, iso(c.created_at), c.participants,
        )  # fmt: skip

    async def challenge(self, challenge_id: str) -> ChallengeRecord | None:
        row = await self.conn.fetch_one(
            f"SELECT {CHALLENGE_COLUMNS} FROM challenges WHERE id = ?", challenge_id
        )
        return None if row is None else record(ChallengeRecord, CHALLENGE_COLUMNS, row)

    async def visible_challenges(
        self, user_id: str, *, team_id: str | None, after: tuple[str, str] | None, limit: int
    ) -> list[ChallengeRecord]:
        """Public challenges and those of the user's teams, by (starts_on, id)."""
        sql = (
            f"SELECT {CHALLENGE_COLUMNS} FROM challenges c WHERE (c.team_id IS NULL OR"
            " c.team_id IN (SELECT team_id FROM team_members WHERE user_id = ?))"
        )
        args: list[Any] = [user_id]
        if team_id is not None:
            sql += " AND c.team_id = ?"
            args.append(team_id)
        if after is not None:
            sql += " AND (c.starts_on, c.id) > (?, ?)"
            args += [after[0], after[1]]
        sql += " ORDER BY c.starts_on, c.id LIMIT ?"
        args.append(limit)
        return records(ChallengeRecord, CHALLENGE_COLUMNS, await self.conn.fetch_all(sql, *args))

    async def participation(self, challenge_id: str, user_id: str) -> tuple[int, bool] | None:
        """(progress, completed) of a participant, or None."""
        row = await self.conn.fetch_one(
            "SELECT COALESCE(b.points, 0), p.completed_at FROM challenge_participants p"
            " LEFT JOIN board_scores b ON b.board = ? AND b.period = 'all'"
            " AND b.user_id = p.user_id WHERE p.challenge_id = ? AND p.user_id = ?",
            f"challenge:{challenge_id}", challenge_id, user_id,
        )  # fmt: skip
        return None if row is None else (int(row[0]), row[1] is not None)

    async def join_challenge(
        self, challenge_id: str, user_id: str, now: datetime, alias: str | None = None
    ) -> None:
        """Take part; ``alias`` (a random UUID unless given) stands in for the participant
        on the challenge's board while they hide from boards."""
        await self.conn.execute(
            "INSERT INTO challenge_participants (challenge_id, user_id, joined_at, alias)"
            " VALUES (?, ?, ?, ?)",
            challenge_id, user_id, iso(now), alias or str(uuid.uuid4()),
        )  # fmt: skip
        await self.add_to_board(f"challenge:{challenge_id}", "all", user_id, 0)
        await self.conn.execute(
            "UPDATE challenges SET participants = participants + 1 WHERE id = ?", challenge_id
        )

    async def leave_challenge(self, challenge_id: str, user_id: str) -> None:
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
        await self.touched(user_id, "challenge", challenge_id)

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

    async def challenges_started_since(self, user_id: str, since: datetime) -> int:
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
            f"SELECT {_prefixed('c', CHALLENGE_COLUMNS)} FROM challenge_participants p"
            " JOIN challenges c ON c.id = p.challenge_id"
            " WHERE p.user_id = ? AND c.starts_on <= ? AND c.ends_on >= ? AND p.joined_at <= ?",
            user_id, iso(day), iso(day), iso(joined_by) if joined_by else "9999",
        )  # fmt: skip
        return records(ChallengeRecord, CHALLENGE_COLUMNS, rows)

    async def set_completed(self, challenge_id: str, user_id: str, at: datetime | None) -> None:
        await self.conn.execute(
            "UPDATE challenge_participants SET completed_at = ?"
            " WHERE challenge_id = ? AND user_id = ?",
            iso(at), challenge_id, user_id,
        )  # fmt: skip

    # -- confirmations -----------------------------------------------------------------

    async def insert_confirmation(self, c: ConfirmationRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO confirmations ({CONFIRMATION_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            c.id, c.checkin_id, c.from_user, c.to_user, c.habit_title, iso(c.day),
            iso(c.created_at), iso(c.expires_at), c.status, iso(c.decided_at),
        )  # fmt: skip

    async def confirmation(self, confirmation_id: str) -> ConfirmationRecord | None:
        row = await self.conn.fetch_one(
            f"SELECT {CONFIRMATION_COLUMNS} FROM confirmations WHERE id = ?", confirmation_id
        )
        return None if row is None else record(ConfirmationRecord, CONFIRMATION_COLUMNS, row)

    async def confirmations_for_checkin(self, checkin_id: str) -> list[ConfirmationRecord]:
        rows = await self.conn.fetch_all(
            f"SELECT {CONFIRMATION_COLUMNS} FROM confirmations WHERE checkin_id = ?", checkin_id
        )
        return records(ConfirmationRecord, CONFIRMATION_COLUMNS, rows)

    async def pending_confirmations(
        self, to_user: str, now: datetime
    ) -> list[tuple[ConfirmationRecord, str, str]]:
        """Pending, unexpired confirmations for ``to_user`` with the requester's handle and
        display name."""
        rows = await self.conn.fetch_all(
            f"SELECT {_prefixed('c', CONFIRMATION_COLUMNS)}, u.handle, u.display_name"
            " FROM confirmations c JOIN users u ON u.id = c.from_user"
            " WHERE c.to_user = ? AND c.status = 'pending' AND c.expires_at > ?"
            " ORDER BY c.created_at LIMIT 200",
            to_user, iso(now),
        )  # fmt: skip
        n = len(CONFIRMATION_COLUMNS.split(","))
        found = []
        for row in rows:
            values = tuple(row)
            confirmation = record(ConfirmationRecord, CONFIRMATION_COLUMNS, values[:n])
            found.append((confirmation, str(values[n]), str(values[n + 1])))
        return found

    async def set_confirmation_status(
        self, confirmation_id: str, status: str, at: datetime | None
    ) -> None:
        await self.conn.execute(
            "UPDATE confirmations SET status = ?, decided_at = ? WHERE id = ?",
            status, iso(at), confirmation_id,
        )  # fmt: skip

    async def confirmations_count(
        self, *, column: str, user_id: str, status: Sequence[str], since: datetime
    ) -> int:
        assert column in ("from_user", "to_user")
        marks = ", ".join("?" for _ in status)
        when = "created_at" if column == "from_user" else "decided_at"
        value = await self.conn.fetch_value(
            f"SELECT COUNT(*) FROM confirmations WHERE {column} = ? AND status IN ({marks})"
            f" AND {when} >= ?",
            user_id, *status, iso(since),
        )  # fmt: skip
        return int(value or 0)

    async def bump_user_counter(self, user_id: str, column: str, delta: int) -> None:
        assert column in ("challenges_completed", "peer_confirmed")
        await self.conn.execute(
            f"UPDATE users SET {column} = {column} + ? WHERE id = ?", delta, user_id
        )
