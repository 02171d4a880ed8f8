"""Thousands of reminders in one minute: ``python bench/reminder_storm.py [--users 2000]``.

Seeds a fresh SQLite file (or ``--database postgresql://...``) with ``--users`` people, each
with one daily habit reminding at the same minute (two minutes ahead) and a webhook to a
local receiver, then starts ``rapport-server`` as operators run it (the worker on its
default 15-second interval). The accounts are clones of one registered through the API
(SQL copies of its rows, since hashing thousands of passwords measures nothing here).
Meanwhile one connection asks ``GET /health`` every 20 ms. Prints how late the reminders
arrived (from their moment to the receiver), whether each arrived exactly once, and the
slowest ``/health`` answer: what the worker cost everyone else.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reminder_live import start, wait_ready
from bench.run import free_port
from server.ids import new_id
from server.settings import Settings
from server.store.backends import database_for
from tests.notify import Receiver


async def clone(database: str, user_id: str, habit_id: str, users: int, url: str) -> None:
    """``users`` copies of the template user and habit, each with a webhook to ``url``."""
    db = database_for(Settings(database=database))
    await db.open()
    try:
        async with db.write() as conn:
            columns = {}
            for table in ("users", "habits"):
                rows = await conn.fetch_all(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ?"
                    " ORDER BY ordinal_position", table,
                ) if "postgresql" in database else await conn.fetch_all(
                    f"SELECT name FROM pragma_table_info('{table}')"
                )  # fmt: skip
                columns[table] = [r[0] for r in rows]
            for n in range(users):
                uid, hid = new_id(), new_id()
                fresh = {
                    "users": ({"id": uid, "handle": f"storm{n}"}, user_id),
                    "habits": ({"id": hid, "user_id": uid}, habit_id),
                }
                for table, (changed, template) in fresh.items():
                    cols = columns[table]
                    picked = ", ".join("?" if c in changed else c for c in cols)
                    await conn.execute(
                        f"INSERT INTO {table} ({', '.join(cols)}) SELECT {picked} FROM {table}"
                        " WHERE id = ?",
                        *[changed[c] for c in cols if c in changed], template,
                    )  # fmt: skip
                await conn.execute(
                    "INSERT INTO webhooks (id, user_id, team_id, url, events, secret, created_by,"
                    " created_at) VALUES (?, ?, NULL, ?, '[\"habit.reminder\"]', ?, ?, ?)",
                    new_id(), uid, url, "whsec_" + "A" * 32, uid,
                    datetime.now(UTC).isoformat(),
                )  # fmt: skip
    finally:
        await db.close()


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/reminder_storm.py")
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--database", default=None, help="a postgresql:// URL (default SQLite)")
    args = parser.parse_args()
    receiver = Receiver().start()
    with tempfile.TemporaryDirectory() as tmp:
        database = args.database or str(Path(tmp) / "storm.db")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start(port, database)
        wait_ready(base)
        token = httpx.post(
            f"{base}/api/v1/auth/register",
            json={"handle": "template", "password": "long enough password"},
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        me = httpx.get(f"{base}/api/v1/me", headers=auth).json()["id"]
        moment = (datetime.now(UTC) + timedelta(minutes=3)).replace(second=0, microsecond=0)
        habit = httpx.post(
            f"{base}/api/v1/habits", headers=auth,
            json={"title": "Ask for feedback", "category": "relationships",
                  "schedule": {"type": "daily"}, "reminders": [f"{moment:%H:%M}"]},
        ).json()["id"]  # fmt: skip
        server.terminate()
        server.wait()
        started = time.perf_counter()
        asyncio.run(clone(database, me, habit, args.users, f"{receiver.url}/hook"))
        print(f"seeded {args.users} users in {time.perf_counter() - started:.1f} s;"
              f" reminders at {moment:%H:%M} UTC", flush=True)  # fmt: skip
        if datetime.now(UTC) > moment - timedelta(seconds=30):
            raise SystemExit("seeding took too long for the minute chosen; try fewer users")

        server = start(port, database)
        try:
            wait_ready(base)
            waits: list[float] = []
            done = threading.Event()

            def poll() -> None:
                with httpx.Client() as client:
                    while not done.is_set():
                        t0 = time.perf_counter()
                        client.get(f"{base}/health")
                        waits.append(time.perf_counter() - t0)
                        time.sleep(0.02)

            poller = threading.Thread(target=poll)
            poller.start()
            until = moment + timedelta(minutes=2)
            while datetime.now(UTC) < until and len(receiver.got) < args.users:
                time.sleep(0.5)
            time.sleep(2)  # anything more that would come (a duplicate) comes now
            done.set()
            poller.join()
        finally:
            server.terminate()
            server.wait()
            receiver.stop()
    late = sorted((r.at - moment).total_seconds() for r in receiver.got)
    ids = [r.headers["webhook-id"] for r in receiver.got]
    print(f"webhooks received: {len(ids)} (expected {args.users}), distinct: {len(set(ids))}")
    if late:
        middle = statistics.median(late)
        print(f"late after the moment: first {late[0]:.1f} s, median {middle:.1f} s,"
              f" last {late[-1]:.1f} s")  # fmt: skip
    print(f"/health answers: {len(waits)}, median {statistics.median(waits) * 1000:.1f} ms,"
          f" slowest {max(waits) * 1000:.0f} ms")  # fmt: skip
    return 0 if len(ids) == len(set(ids)) == args.users else 1


if __name__ == "__main__":
    raise SystemExit(main())
