"""Does a large import stall everyone else? ``python bench/import_stall.py [--days N]``.

Starts ``rapport-server`` on a fresh SQLite file (or ``--database postgresql://...``),
uploads a Loop export of 100 habits with ``--days`` days of history each (the largest the
importer takes is 200,000 rows), and meanwhile asks ``GET /health`` every 20 ms from
another connection. Prints how long the import took and the slowest ``/health`` answer
during it: what every other user of the server waited at worst.
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
            waits: list[float] = []
            done = threading.Event()

            def probe() -> None:
                with httpx.Client(base_url=base, timeout=120) as client:
                    while not done.is_set():
                        t0 = time.perf_counter()
                        client.get("/health")
                        waits.append(time.perf_counter() - t0)
                        time.sleep(0.02)

            def while_probing(path: str, body: bytes, content_type: str, auth: str) -> None:
                waits.clear()
                done.clear()
                prober = threading.Thread(target=probe)
                prober.start()
                time.sleep(0.5)
                t0 = time.perf_counter()
                answer = httpx.post(
                    f"{base}{path}", content=body, timeout=600,
                    headers={"Authorization": f"Bearer {auth}", "Content-Type": content_type},
                )  # fmt: skip
                took = time.perf_counter() - t0
                done.set()
                prober.join()
                print(f"{path}: {len(body) / 1024:.0f} KiB")
                print(f"  {answer.status_code} {answer.text[:120]} in {took:.2f} s")
                print(
                    f"  /health meanwhile: {len(waits)} answers, slowest"
                    f" {max(waits) * 1000:.0f} ms, median"
                    f" {sorted(waits)[len(waits) // 2] * 1000:.1f} ms"
                )

            print(f"Loop export of {HABITS} habits x {args.days} days")
            while_probing("/api/v1/me/import/loop", data, "application/zip", token)
            # The same history as Rapport's own JSON export, into a fresh account.
            exported = httpx.get(
                f"{base}/api/v1/me/export", timeout=600,
                headers={"Authorization": f"Bearer {token}"},
            ).content  # fmt: skip
            other = httpx.post(
                f"{base}/api/v1/auth/register",
                json={"handle": f"json{os.getpid()}", "password": "long enough password"},
            ).json()["token"]
            while_probing("/api/v1/me/import", exported, "application/json", other)
        finally:
            server.terminate()
            server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
