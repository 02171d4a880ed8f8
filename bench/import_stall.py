"""Does a large import stall everyone else? ``python bench/import_stall.py [--days N]``.

Starts ``rapport-server`` on a fresh SQLite file (or ``--database postgresql://...``),
uploads (``POST /me/imports``, a background job) a Loop export of 100 habits with
``--days`` days of history each (the largest the importer takes is 200,000 rows), then the
same history as Rapport's JSON export into a fresh account. Meanwhile one connection asks
``GET /health`` every 20 ms and another user checks in every 200 ms. Prints how long the
upload took to answer, how long the job ran, and the slowest ``/health`` and check-in
answers during it: what every other user of the server waited at worst.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import httpx

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import free_port

HABITS = 100


def loop_export(days: int) -> bytes:
    today = date.today()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        header = "Position,Name,Question,Description,NumRepetitions,Interval,Color\n"
        rows = "".join(f"{n:03d},Habit {n},Q,,1,1,#FF8F00\n" for n in range(1, HABITS + 1))
        archive.writestr("Habits.csv", header + rows)
        for n in range(1, HABITS + 1):
            lines = "".join(f"{today - timedelta(days=d)},2\n" for d in range(1, days + 1) if d % 7)
            archive.writestr(f"{n:03d} Habit {n}/Checkmarks.csv", "Date,Value\n" + lines)
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/import_stall.py")
    parser.add_argument("--days", type=int, default=2_000)
    parser.add_argument("--database", default=None, help="a postgresql:// URL (default SQLite)")
    args = parser.parse_args()
    data = loop_export(args.days)
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        database = args.database or str(Path(tmp) / "stall.db")
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
        server = subprocess.Popen(
            [sys.executable, "-m", "server", "--port", str(port), "--database", database,
             "--log-level", "warning"],
            env=env,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/health/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            token = httpx.post(
                f"{base}/api/v1/auth/register",
                json={"handle": f"stall{os.getpid()}", "password": "long enough password"},
            ).json()["token"]
            # A third user checks in on a count habit while the imports run: a write that
            # on SQLite queues behind the import's one transaction.
            writer = httpx.post(
                f"{base}/api/v1/auth/register",
                json={"handle": f"writer{os.getpid()}", "password": "long enough password"},
            ).json()["token"]
            habit = httpx.post(
                f"{base}/api/v1/habits", headers={"Authorization": f"Bearer {writer}"},
                json={"title": "Glasses of water", "category": "results",
                      "schedule": {"type": "daily"}, "kind": "count", "target": 8},
            ).json()["id"]  # fmt: skip
            waits: list[float] = []
            writes: list[float] = []
            done = threading.Event()

            def probe() -> None:
                with httpx.Client(base_url=base, timeout=120) as client:
                    while not done.is_set():
                        t0 = time.perf_counter()
                        client.get("/health")
                        waits.append(time.perf_counter() - t0)
                        time.sleep(0.02)

            def check_in() -> None:
                auth = {"Authorization": f"Bearer {writer}"}
                with httpx.Client(base_url=base, timeout=120, headers=auth) as client:
                    while not done.is_set():
                        t0 = time.perf_counter()
                        client.post(f"/api/v1/habits/{habit}/checkins", json={"value": 1})
                        writes.append(time.perf_counter() - t0)
                        time.sleep(0.2)

            def while_probing(body: bytes, content_type: str, auth: str) -> None:
                waits.clear()
                writes.clear()
                done.clear()
                probers = [threading.Thread(target=probe), threading.Thread(target=check_in)]
                for thread in probers:
                    thread.start()
                time.sleep(0.5)
                t0 = time.perf_counter()
                headers = {"Authorization": f"Bearer {auth}"}
                answer = httpx.post(
                    f"{base}/api/v1/me/imports", content=body, timeout=600,
                    headers={**headers, "Content-Type": content_type},
                )  # fmt: skip
                answered = time.perf_counter() - t0
                job = answer.json()
                while job.get("state") not in ("done", "failed", None):
                    time.sleep(0.2)
                    job = httpx.get(f"{base}/api/v1/me/imports/{job['id']}", headers=headers).json()
                took = time.perf_counter() - t0
                done.set()
                for thread in probers:
                    thread.join()
                print(f"{job.get('format')}: {len(body) / 1024:.0f} KiB")
                print(f"  {answer.status_code} in {answered * 1000:.0f} ms; job {job.get('state')}"
                      f" in {took:.2f} s: {str(job.get('report') or job)[:160]}")  # fmt: skip
                for name, times in (("/health", waits), ("check-in", writes)):
                    print(
                        f"  {name} meanwhile: {len(times)} answers, slowest"
                        f" {max(times) * 1000:.0f} ms, median"
                        f" {sorted(times)[len(times) // 2] * 1000:.1f} ms"
                    )

            def beside_health(label: str, call: Callable[[], httpx.Response]) -> httpx.Response:
                waits.clear()
                done.clear()
                prober = threading.Thread(target=probe)
                prober.start()
                time.sleep(0.3)
                t0 = time.perf_counter()
                answer = call()
                took = time.perf_counter() - t0
                done.set()
                prober.join()
                print(f"{label}: {answer.status_code}, {len(answer.content) / 1024:.0f} KiB"
                      f" in {took:.2f} s")  # fmt: skip
                print(
                    f"  /health meanwhile: {len(waits)} answers, slowest"
                    f" {max(waits) * 1000:.0f} ms, median"
                    f" {sorted(waits)[len(waits) // 2] * 1000:.1f} ms"
                )
                return answer

            print(f"Loop export of {HABITS} habits x {args.days} days")
            while_probing(data, "application/zip", token)
            # The same history as Rapport's own JSON export, into a fresh account. The export
            # itself is as large, and so is deleting the account: neither may stall anyone.
            auth = {"Authorization": f"Bearer {token}"}
            exported = beside_health(
                "export", lambda: httpx.get(f"{base}/api/v1/me/export", timeout=600, headers=auth)
            ).content
            other = httpx.post(
                f"{base}/api/v1/auth/register",
                json={"handle": f"json{os.getpid()}", "password": "long enough password"},
            ).json()["token"]
            while_probing(exported, "application/json", other)
            beside_health(
                "DELETE /me", lambda: httpx.delete(f"{base}/api/v1/me", timeout=600, headers=auth)
            )
        finally:
            server.terminate()
            server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
