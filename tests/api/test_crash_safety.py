"""Kill the server with SIGKILL in the middle of a stream of check-ins: every check-in that
got a 2xx is there after a restart, and derived state still equals a recomputation."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

import httpx

from tests.conftest import Databases, stored_checkin_ids

CLIENTS = 4
PASSWORD = "a long enough password"


def start(database: str, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "RAPPORT_DATABASE": str(database),
        "RAPPORT_SYNCHRONOUS": "FULL",
        "RAPPORT_WRITES_PER_MINUTE": "1000000",  # a stream far faster than a person
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def test_acknowledged_check_ins_survive_sigkill(databases: Databases) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    database = databases.new("crash")
    server = start(database, port)
    users = []
    for i in range(CLIENTS):
        token = httpx.post(
            f"{base}/api/v1/auth/register", json={"handle": f"runner{i}", "password": PASSWORD}
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        habit = httpx.post(
            f"{base}/api/v1/habits",
            json={"title": "Reps", "category": "results", "schedule": {"type": "daily"},
                  "kind": "count", "target": 10_000},
            headers=auth,
        ).json()  # fmt: skip
        users.append((auth, habit["id"]))

    acknowledged: list[list[str]] = [[] for _ in range(CLIENTS)]
    stop = threading.Event()

    def stream(i: int) -> None:
        auth, habit_id = users[i]
        with httpx.Client(base_url=base, headers=auth, timeout=5) as http:
            while not stop.is_set():
                checkin_id = str(uuid.uuid4())
                try:
                    reply = http.post(
                        f"/api/v1/habits/{habit_id}/checkins", json={"id": checkin_id}
                    )
                except httpx.TransportError:
                    return  # the server is gone
                if reply.status_code in (200, 201):
                    acknowledged[i].append(checkin_id)

    threads = [threading.Thread(target=stream, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=10)
    total = sum(len(a) for a in acknowledged)
    print(f"acknowledged before SIGKILL: {total}")
    assert total > 20  # the stream was really flowing when the server died

    server = start(database, port)
    try:
        for i, (auth, habit_id) in enumerate(users):
            stored = stored_checkin_ids(base, auth, habit_id)
            assert set(acknowledged[i]) <= stored
    finally:
        server.terminate()
        server.wait(timeout=10)
    audit = subprocess.run(
        [sys.executable, "-m", "server", "check", "--database", str(database)],
        capture_output=True,
        text=True,
    )
    assert audit.returncode == 0, audit.stdout
    assert f"checked {CLIENTS} users" in audit.stdout
