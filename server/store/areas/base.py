"""What every area of the gateway holds: the transaction's connection and its change log."""

from __future__ import annotations

from server.store.areas.changes import ChangeLog
from server.store.database import Connection


class Area:
    def __init__(self, conn: Connection, changes: ChangeLog) -> None:
        self.conn = conn
        self.changes = changes
