"""One transaction's gateway: an object per area of the schema over the same connection.

Services receive a ``Transaction`` from ``Context.read()`` or ``Context.write()`` and reach
the SQL through its areas (``tx.habits.get(...)``, ``tx.boards.add(...)``). A back end whose
dialect differs for an area passes its own class for that area in ``Areas``; the rest keep
the portable SQL.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.store.areas.boards import Boards
from server.store.areas.breaks import Breaks
from server.store.areas.challenges import Challenges
from server.store.areas.changes import ChangeLog, OnChange
from server.store.areas.checkins import Checkins
from server.store.areas.confirmations import Confirmations
from server.store.areas.habits import Habits
from server.store.areas.imports import ImportJobs
from server.store.areas.ledger import Ledger
from server.store.areas.notifications import Notifications
from server.store.areas.rates import RateLogs
from server.store.areas.teams import Teams
from server.store.areas.users import Users
from server.store.database import Connection


@dataclass(frozen=True)
class Areas:
    """The class each area is built from; a back end overrides the ones it must."""

    users: type[Users] = Users
    habits: type[Habits] = Habits
    checkins: type[Checkins] = Checkins
    ledger: type[Ledger] = Ledger
    teams: type[Teams] = Teams
    boards: type[Boards] = Boards
    challenges: type[Challenges] = Challenges
    confirmations: type[Confirmations] = Confirmations
    changes: type[ChangeLog] = ChangeLog
    rates: type[RateLogs] = RateLogs
    imports: type[ImportJobs] = ImportJobs
    breaks: type[Breaks] = Breaks
    notifications: type[Notifications] = Notifications


PORTABLE = Areas()


class Transaction:
    def __init__(
        self, conn: Connection, on_change: OnChange | None = None, areas: Areas = PORTABLE
    ) -> None:
        self.conn = conn
        self.changes = areas.changes(conn, on_change)
        self.users = areas.users(conn, self.changes)
        self.habits = areas.habits(conn, self.changes)
        self.checkins = areas.checkins(conn, self.changes)
        self.ledger = areas.ledger(conn, self.changes)
        self.teams = areas.teams(conn, self.changes)
        self.boards = areas.boards(conn, self.changes)
        self.challenges = areas.challenges(conn, self.changes, self.boards)
        self.confirmations = areas.confirmations(conn, self.changes)
        self.rates = areas.rates(conn, self.changes)
        self.imports = areas.imports(conn, self.changes)
        self.breaks = areas.breaks(conn, self.changes)
        self.notifications = areas.notifications(conn, self.changes)
