"""Leaderboard scores: one row per (board, period, user), kept in step with the ledger."""

from __future__ import annotations

from typing import Any

from server.store.areas.base import Area
from server.store.records import BoardRow


class Boards(Area):
    async def add(self, board: str, period: str, user_id: str, delta: int) -> int:
        """Move a member's score; the score afterwards."""
        if board.startswith("challenge:"):
            await self.changes.touched(user_id, "challenge", board.removeprefix("challenge:"))
        self.changes.announce(board, "leaderboard", board.split(":", 1)[1])
        score = await self.conn.fetch_value(
            "INSERT INTO board_scores (board, period, user_id, points) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (board, period, user_id) DO UPDATE"
            " SET points = board_scores.points + excluded.points RETURNING points",
            board, period, user_id, delta,
        )  # fmt: skip
        return int(score)

    async def add_many(self, board: str, user_id: str, deltas: dict[str, int]) -> None:
        """Move a member's score on several periods of one board in one statement."""
        moved = [(period, delta) for period, delta in deltas.items() if delta]
        if not moved:
            return
        self.changes.announce(board, "leaderboard", board.split(":", 1)[1])
        rows = ", ".join(["(?, ?, ?, ?)"] * len(moved))
        args = [value for period, delta in moved for value in (board, period, user_id, delta)]
        await self.conn.execute(
            f"INSERT INTO board_scores (board, period, user_id, points) VALUES {rows}"
            " ON CONFLICT (board, period, user_id) DO UPDATE"
            " SET points = board_scores.points + excluded.points",
            *args,
        )

    async def score(self, board: str, period: str, user_id: str) -> int | None:
        value = await self.conn.fetch_value(
            "SELECT points FROM board_scores WHERE board = ? AND period = ? AND user_id = ?",
            board, period, user_id,
        )  # fmt: skip
        return None if value is None else int(value)

    async def page(
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
            hidden = "(u.hidden_on_boards = TRUE OR COALESCE(m.hidden, FALSE) = TRUE)"
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

    async def count_above(
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

    async def set_score(self, board: str, period: str, user_id: str, points: int) -> None:
        await self.conn.execute(
            "INSERT INTO board_scores (board, period, user_id, points) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (board, period, user_id) DO UPDATE SET points = excluded.points",
            board, period, user_id, points,
        )  # fmt: skip
