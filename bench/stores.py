"""SQLite vs PostgreSQL, one instance vs two: ``python bench/stores.py [--quick]``.

1. Seed the benchmark's data set into a SQLite file (``dataset.py``), then copy it into a
   fresh PostgreSQL database with the store's own ``transfer.copy_all`` (the database is
   created under ``--postgres`` and dropped at the end).
2. For each configuration (SQLite, one instance; PostgreSQL, one instance; PostgreSQL, two
   instances), start ``rapport-server`` process(es) with default settings, warm up, then
   drive two scenarios from wrk: check-ins (each of a fresh (account, habit) pair once;
   the configurations get disjoint pairs) and ``GET /api/v1/today`` (random accounts).
   Two instances get half the connections each, at the same time.
3. Per scenario: answers a second, latency, and CPU time per answered request of the app
   processes and of PostgreSQL's processes (``/proc``, before and after).
4. Write ``bench/results/stores-<timestamp>.json`` and ``bench/results/stores-latest.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench import profile
from bench.dataset import QUICK, Dataset, Scale, build
from bench.loadgen import Measurement, Request, Wrk, combine
from bench.run import checkin, cpu_seconds, free_port, machine, process_tree
from bench.scratch import ADMIN_URL, copy_to_postgres, drop

RESULTS = Path(__file__).parent / "results"
SMALL = Scale(
    name="small", users=1_200, team_sizes=(50, 200), recent_days=3, two_year_users=1,
    one_year_users=1, load_users=1_200, fresh_pool=33_600,
)  # fmt: skip


def postgres_cpu() -> float:
    """CPU seconds used so far by every PostgreSQL process on this machine."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() not in ("postgres", "postmaster"):
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


@contextmanager
def servers(database: str, count: int, workdir: Path) -> Iterator[list[tuple[int, int]]]:
    """``count`` server processes on ``database``: (port, pid) each."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    procs = []
    for n in range(count):
        port = free_port()
        log = (workdir / f"server-{n}.log").open("wb")
        command = [sys.executable, "-m", "server", "--port", str(port), "--database", database]
        procs.append((port, subprocess.Popen(command, env=env, stdout=log, stderr=log)))
    try:
        for port, _proc in procs:
            for _ in range(300):
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            else:
                raise RuntimeError(f"server on {port} did not start")
        yield [(port, proc.pid) for port, proc in procs]
    finally:
        for _, proc in procs:
            proc.terminate()
            proc.wait(timeout=20)


def drive(
    wrk: Wrk,
    ports: list[tuple[int, int]],
    shares: list[list[Request]],
    *,
    seconds: int,
    connections: int,
    mode: str,
    profile_to: Path | None = None,
) -> dict[str, Any]:
    """Every instance loaded at once with its share; the combined measurement and the CPU
    of the app and of PostgreSQL per answered request."""
    pids = [p for _, pid in ports for p in process_tree(pid)]
    app_before, pg_before = sum(cpu_seconds(p) for p in pids), postgres_cpu()
    found: list[Measurement] = []
    lock = threading.Lock()

    def one(port: int, share: list[Request]) -> None:
        m = wrk.run(port, share, seconds=seconds, connections=connections // len(ports), mode=mode)  # type: ignore[arg-type]
        with lock:
            found.append(m)

    sampler = profile.start(ports[0][1], seconds, profile_to) if profile_to else None
    threads = [
        threading.Thread(target=one, args=(port, share))
        for (port, _), share in zip(ports, shares, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    app_cpu = sum(cpu_seconds(p) for p in pids) - app_before
    pg_cpu = postgres_cpu() - pg_before
    if sampler is not None:
        sampler.wait()
    total = combine(found)
    wall = max(m.seconds for m in found)  # they ran side by side, not one after another
    return {
        "ok_per_second": round(total.ok / wall, 1),
        "answered": total.answered,
        "statuses": total.statuses,
        "p50_ms": round(total.p50_ms, 2),
        "p99_ms": round(total.p99_ms, 2),
        "app_cpu_ms_per_request": round(1000 * app_cpu / max(total.answered, 1), 3),
        "postgres_cpu_ms_per_request": round(1000 * pg_cpu / max(total.answered, 1), 3),
        "exhausted": total.exhausted,
    }


def run(
    scale: Scale, admin_url: str, seconds: int, connections: int, profiled: bool = False
) -> dict[str, Any]:
    rng = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="rapport-stores-") as tmp:
        workdir = Path(tmp)
        source = workdir / "bench.db"
        print(f"seeding ({scale.name}) ...", flush=True)
        data: Dataset = asyncio.run(build(source, scale))
        print(f"  {data.counts}", flush=True)
        print("copying to PostgreSQL ...", flush=True)
        t0 = time.perf_counter()
        pg_url = asyncio.run(copy_to_postgres(source, admin_url))
        copy_seconds = round(time.perf_counter() - t0, 1)
        wrk = Wrk(workdir)
        configs = [("sqlite", str(source), 1), ("postgresql", pg_url, 1)]
        configs.append(("postgresql", pg_url, 2))
        # Disjoint fresh pairs per run: the two PostgreSQL runs share one database.
        pairs = list(data.fresh_pairs)
        per_run = len(pairs) // len(configs)
        results: list[dict[str, Any]] = []
        profile_path = workdir / "profile-postgresql-checkin.txt"
        try:
            for i, (store, database, count) in enumerate(configs):
                mine = pairs[i * per_run : (i + 1) * per_run]
                checkins = [checkin(data.tokens[a], h) for a, h in mine]
                today = [
                    Request("GET", "/api/v1/today", data.tokens[rng.randrange(scale.users)])
                    for _ in range(5_000)
                ]
                print(f"{store}, {count} instance(s)", flush=True)
                with servers(database, count, workdir) as ports:
                    warm = [[r for r in today[:200]] for _ in ports]
                    drive(wrk, ports, warm, seconds=2, connections=connections, mode="cycle")
                    row: dict[str, Any] = {"store": store, "instances": count}
                    row["checkin"] = drive(
                        wrk, ports, [checkins[n::count] for n in range(count)],
                        seconds=seconds, connections=connections, mode="once",
                        profile_to=profile_path if profiled and i == 1 else None,
                    )  # fmt: skip
                    row["today"] = drive(
                        wrk, ports, [today[n::count] for n in range(count)],
                        seconds=seconds, connections=connections, mode="cycle",
                    )  # fmt: skip
                print(f"  check-in {row['checkin']}\n  today    {row['today']}", flush=True)
                results.append(row)
            if profiled:
                print(
                    profile.markdown(
                        "postgresql, 1 instance, checkin", profile.summarize(profile_path)
                    )
                )
        finally:
            asyncio.run(drop(admin_url, pg_url))
    return {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "scale": scale.name,
        "counts": data.counts,
        "copy_to_postgres_seconds": copy_seconds,
        "seconds_per_scenario": seconds,
        "connections": connections,
        "generator": wrk.version(),
        "runs": results,
    }


def markdown(result: dict[str, Any]) -> str:
    sqlite = result["runs"][0]
    one_pg, two_pg = result["runs"][1], result["runs"][2]
    lines = [
        f"# Stores: SQLite vs PostgreSQL ({result['started']}, {result['scale']})",
        "",
        f"{result['counts'].get('users', '?')} accounts; wrk, {result['connections']} "
        f"connections, {result['seconds_per_scenario']} s per scenario; both on this machine "
        f"({result['machine'].get('nproc', '?')} CPUs).",
        "",
        "| store | instances | scenario | answers/s | p50 ms | p99 ms | app CPU ms/req "
        "| PostgreSQL CPU ms/req |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in result["runs"]:
        for scenario in ("checkin", "today"):
            m = run[scenario]
            ran_out = " (ran out of fresh pairs: understated)" if m["exhausted"] else ""
            rate = f"{m['ok_per_second']}{ran_out}"
            lines.append(
                f"| {run['store']} | {run['instances']} | {scenario} | {rate} "
                f"| {m['p50_ms']} | {m['p99_ms']} | {m['app_cpu_ms_per_request']} "
                f"| {m['postgres_cpu_ms_per_request']} |"
            )
    ratio = one_pg["checkin"]["ok_per_second"] / max(sqlite["checkin"]["ok_per_second"], 1)
    gain = two_pg["checkin"]["ok_per_second"] / max(one_pg["checkin"]["ok_per_second"], 1)
    lines += [
        "",
        f"- PostgreSQL, one instance, check-ins: {ratio:.2f} x SQLite (goal: at least 0.7).",
        f"- PostgreSQL, two instances, check-ins: {gain:.2f} x one instance (goal: above 1).",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/stores.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the smaller data set, 10 s phases")
    parser.add_argument(
        "--postgres",
        default=ADMIN_URL,
        help="a PostgreSQL server's admin URL (a scratch database is made and dropped there)",
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--profile", action="store_true",
        help="sample PostgreSQL's one-instance check-ins with py-spy (pip install py-spy)",
    )  # fmt: skip
    args = parser.parse_args()
    scale = SMALL if args.quick else QUICK
    result = run(scale, args.postgres, 10 if args.quick else 20, args.connections, args.profile)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"stores-{stamp}.json").write_text(json.dumps(result, indent=2), "utf-8")
    (RESULTS / "stores-latest.md").write_text(markdown(result), "utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
