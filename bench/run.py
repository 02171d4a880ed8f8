"""Benchmark the real Rapport server: ``python bench/run.py [--quick]``.

1. Seed a fresh SQLite file through the project's own store and use cases (dataset.py).
2. Start ``rapport-server --port P --database FILE`` as a user would (default settings,
   127.0.0.1), in a process of its own.
3. Drive each scenario from another process (wrk, or the httpx fallback), always on
   127.0.0.1 and for a bounded time, and read the server's RSS after the mixed load.
4. Write ``bench/results/<timestamp>.json`` and ``bench/results/latest.md``.

The server is stopped however the run ends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench import profile
from bench.dataset import FULL, QUICK, Dataset, Scale, build
from bench.loadgen import (
    LOOPBACK,
    HttpxLoad,
    LoadGenerator,
    Measurement,
    Request,
    Wrk,
    base_url,
    combine,
)
from bench.report import Goal, Row, markdown
from server.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
RSS_GOAL_MIB = 150


@dataclass(frozen=True)
class Plan:
    scale: Scale
    seconds: int  # each measured scenario
    rounds: int  # scenarios compared with each other alternate in this many rounds
    mixed_seconds: int  # the sustained mixed load before RSS is read
    warmup_seconds: int
    connections: int = 16


PLANS = {
    "quick": Plan(QUICK, seconds=3, rounds=3, mixed_seconds=5, warmup_seconds=1),
    "full": Plan(FULL, seconds=10, rounds=5, mixed_seconds=30, warmup_seconds=3),
}


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    requests: list[Request]
    seconds: int
    once: bool = False  # every request at most once (check-ins)
    group: str = ""  # consecutive scenarios of one group run in alternating rounds


# -- the machine --------------------------------------------------------------------------


def machine() -> dict[str, object]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with open("/proc/meminfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": round(mem_kib / 2**20, 1),
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
    }


def memory_of(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of a process, in MiB."""
    found: dict[str, float] = {}
    with open(f"/proc/{pid}/status", encoding="utf-8") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = round(int(rest.split()[0]) / 1024, 1)
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (aiosqlite's too)."""
    with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the server ---------------------------------------------------------------------------


def default_settings() -> str:
    d = Settings.from_env({})
    return (
        f"defaults (no RAPPORT_* variables): synchronous={d.synchronous}, "
        f"{d.read_connections} read connections, log level {d.log_level}"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        port: int = s.getsockname()[1]
        return port


def server_command(database: Path, port: int) -> list[str]:
    beside = Path(sys.executable).with_name("rapport-server")
    executable = str(beside) if beside.exists() else shutil.which("rapport-server")
    if executable is None:
        raise SystemExit("rapport-server is not installed: pip install -e . first")
    return [executable, "--port", str(port), "--database", str(database)]


@contextmanager
def running_server(database: Path, port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The server, started with default settings (RAPPORT_* variables removed), ready to
    answer; stopped (then killed if need be) when the block ends, however it ends."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    with open(log, "wb") as out:
        server = subprocess.Popen(
            server_command(database, port), stdout=out, stderr=subprocess.STDOUT, env=env
        )
    try:
        wait_ready(server, port, log)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


def wait_ready(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    with httpx.Client(base_url=base_url(port), timeout=2.0) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{log.read_text()[-3000:]}")
            try:
                if client.get("/health/ready").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
    raise RuntimeError(f"the server was not ready within 60 s:\n{log.read_text()[-3000:]}")


# -- what is sent -------------------------------------------------------------------------


def scenarios(data: Dataset, plan: Plan, rng: random.Random) -> list[Scenario]:
    """Every scenario, in the order they run."""
    t = data.tokens
    s = plan.seconds
    ordinary = range(plan.scale.users)
    many = rng.sample(ordinary, min(2_000, len(ordinary)))
    today = "/api/v1/today"
    found = [
        Scenario("health", "GET /health", [Request("GET", "/health")], s),
        Scenario(
            "me", "GET /api/v1/me (token check + one read: any authenticated call's floor)",
            [Request("GET", "/api/v1/me", t[n]) for n in many], s,
        ),
        Scenario(
            "today_week", "GET /api/v1/today, 6 habits, one week of history",
            [Request("GET", today, t[data.week_user])], s, group="today",
        ),
        Scenario(
            "today_two_years", "GET /api/v1/today, 6 habits, two years of history",
            [Request("GET", today, t[data.two_year_user])], s, group="today",
        ),
        Scenario(
            "today_many", f"GET /api/v1/today, {len(many):,} different users",
            [Request("GET", today, t[n]) for n in many], s,
        ),
    ]  # fmt: skip
    for size, team in sorted(data.teams.items()):
        callers = rng.sample(team.members, min(200, size))
        path = f"/api/v1/teams/{team.id}/leaderboard"
        found.append(
            Scenario(
                f"board_{size}",
                f"GET team leaderboard (week), {size:,} members",
                [Request("GET", path, t[n]) for n in callers],
                s,
                group="board",
            )
        )
    pairs = data.checkin_pairs
    found += [
        Scenario(
            "checkin", "POST check-in, each a new habit-day of one of many users",
            [checkin(t[n], h) for n, h in pairs], s, once=True,
        ),
        Scenario(
            "mixed", "mixed load (3 today : 2 check-in : 2 board : 1 habits : 1 points : 1 "
            "challenge board)", mixed(data, plan, rng), plan.mixed_seconds, once=True,
        ),
        Scenario("health_end", "GET /health, again at the end", found[0].requests, s),
    ]  # fmt: skip
    return found


def batches(all_scenarios: list[Scenario]) -> list[list[Scenario]]:
    """Consecutive scenarios of one group together; every other scenario alone."""
    out: list[list[Scenario]] = []
    for sc in all_scenarios:
        if sc.group and out and out[-1][0].group == sc.group:
            out[-1].append(sc)
        else:
            out.append([sc])
    return out


def checkin(token: str, habit_id: str) -> Request:
    return Request("POST", f"/api/v1/habits/{habit_id}/checkins", token, "{}")


def mixed(data: Dataset, plan: Plan, rng: random.Random) -> list[Request]:
    """Of every ten requests: three /today, two check-ins, two team boards, one habit
    list, one points ledger, one challenge board; users drawn at random."""
    t = data.tokens
    ordinary = range(plan.scale.users)
    teams = list(data.teams.values())
    participants = ordinary[:: plan.scale.challenge_every]
    slots = ["today", "checkin", "board", "today", "habits", "checkin", "board", "points"]
    slots += ["today", "challenge"]
    fresh = iter(data.mixed_pairs)
    out: list[Request] = []
    while True:
        for slot in slots:
            if slot == "checkin":
                pair = next(fresh, None)
                if pair is None:
                    return out
                out.append(checkin(t[pair[0]], pair[1]))
            elif slot == "board":
                team = rng.choice(teams)
                caller = t[rng.choice(team.members)]
                out.append(Request("GET", f"/api/v1/teams/{team.id}/leaderboard", caller))
            elif slot == "challenge":
                caller = t[rng.choice(participants)]
                path = f"/api/v1/challenges/{data.challenge_id}/leaderboard"
                out.append(Request("GET", path, caller))
            else:
                path = {"today": "/api/v1/today", "habits": "/api/v1/habits"}.get(
                    slot, "/api/v1/me/points"
                )
                out.append(Request("GET", path, t[rng.choice(ordinary)]))


def warmup_requests(all_scenarios: list[Scenario]) -> list[Request]:
    """A few of every read, so no measured phase pays for first-time costs."""
    return [r for sc in all_scenarios for r in sc.requests[:50] if r.method == "GET"]


# -- the run ------------------------------------------------------------------------------


def pick_generator(choice: str, workdir: Path) -> LoadGenerator:
    if choice == "httpx" or (choice == "auto" and shutil.which("wrk") is None):
        return HttpxLoad(processes=2)
    return Wrk(workdir)


def measure(
    generator: LoadGenerator,
    port: int,
    pid: int,
    batch: list[Scenario],
    plan: Plan,
    *,
    profile_keys: set[str],
    workdir: Path,
) -> dict[str, dict[str, Any]]:
    """Run a batch (alternating rounds when it compares scenarios); per scenario, the
    measurement, the server's CPU time per answered request and, when asked for, a
    profile of its first round."""
    rounds = plan.rounds if len(batch) > 1 else 1
    parts: dict[str, list[Measurement]] = {sc.key: [] for sc in batch}
    cpu = dict.fromkeys(parts, 0.0)
    profiles: dict[str, dict[str, object]] = {}
    for round_number in range(rounds):
        for sc in batch:
            seconds = max(1, sc.seconds // rounds)
            time.sleep(0.3)  # let the previous phase's last writes settle
            sampler = None
            if sc.key in profile_keys and round_number == 0:
                sampler = profile.start(pid, seconds, workdir / f"profile-{sc.key}.txt")
            before = cpu_seconds(pid)
            parts[sc.key].append(
                generator.run(
                    port,
                    sc.requests,
                    seconds=seconds,
                    connections=plan.connections,
                    once=sc.once,
                )
            )
            cpu[sc.key] += cpu_seconds(pid) - before
            if sampler is not None:
                sampler.wait(timeout=seconds + 30)
                profiles[sc.key] = profile.summarize(workdir / f"profile-{sc.key}.txt")
    out = {}
    for sc in batch:
        m = combine(parts[sc.key])
        per_request = 1000 * cpu[sc.key] / m.answered if m.answered else 0.0
        out[sc.key] = {
            "label": sc.label,
            "rounds": rounds,
            **asdict(m),
            "server_cpu_ms_per_request": round(per_request, 3),
        }
        if sc.key in profiles:
            out[sc.key]["profile"] = profiles[sc.key]
        print(
            f"  {sc.key:16} {m.ok_per_second:8.1f} ok/s  p50 {m.p50_ms:7.2f} ms  p99 "
            f"{m.p99_ms:7.2f} ms  cpu {per_request:6.2f} ms/req  {m.statuses}",
            flush=True,
        )
    return out


def run(plan: Plan, choice: str, profile_keys: set[str]) -> dict[str, Any]:
    rng = random.Random(11)
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
        workdir = Path(tmp)
        database = workdir / "bench.db"
        print(f"seeding {database} ({plan.scale.name}) ...", flush=True)
        t0 = time.perf_counter()
        data = asyncio.run(build(database, plan.scale))
        seed_seconds = round(time.perf_counter() - t0, 1)
        print(f"  {data.counts}\n  in {seed_seconds} s: {data.seconds}", flush=True)

        generator = pick_generator(choice, workdir)
        plan_scenarios = scenarios(data, plan, rng)
        port = free_port()
        command = server_command(database, port)
        results: dict[str, dict[str, Any]] = {}
        memory: dict[str, dict[str, float]] = {}
        with running_server(database, port, workdir / "server.log") as server:
            memory["after_start"] = memory_of(server.pid)
            generator.run(
                port, warmup_requests(plan_scenarios), seconds=plan.warmup_seconds,
                connections=plan.connections, once=False,
            )  # fmt: skip
            for batch in batches(plan_scenarios):
                results |= measure(
                    generator, port, server.pid, batch, plan,
                    profile_keys=profile_keys, workdir=workdir,
                )  # fmt: skip
                if batch[0].key == "mixed":
                    memory["after_mixed"] = memory_of(server.pid)
            memory["at_end"] = memory_of(server.pid)
    return {
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": plan.scale.name,
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "server": {
            "command": "rapport-server --port <free port> --database <fresh temp file>",
            "ran": " ".join(command),
            "settings": default_settings(),
        },
        "generator": {
            "name": generator.name,
            "version": generator.version(),
            "connections": plan.connections,
            "seconds_per_scenario": plan.seconds,
            "rounds": plan.rounds,
            "mixed_seconds": plan.mixed_seconds,
        },
        "dataset": {
            "scale": asdict(plan.scale),
            "counts": data.counts,
            "seed_seconds": seed_seconds,
            "seed_phases": data.seconds,
        },
        "scenarios": results,
        "memory_mib": memory,
    }


def evaluate(result: dict[str, Any]) -> tuple[list[Row], list[Goal]]:
    """The table rows, and each goal of the issue judged on this run's numbers."""
    runs: dict[str, dict[str, Any]] = result["scenarios"]

    def rps(key: str) -> float:
        r = runs[key]
        return float(r["ok"] / r["seconds"]) if r["seconds"] else 0.0

    health = rps("health")
    rows = [
        Row(
            label=r["label"],
            ok_per_second=rps(key),
            ratio=rps(key) / health if health else 0.0,
            p50_ms=r["p50_ms"],
            p99_ms=r["p99_ms"],
            cpu_ms=r["server_cpu_ms_per_request"],
            answered=r["answered"],
            failed=r["answered"] - r["ok"] + sum(r["socket_errors"].values()),
            exhausted=r["exhausted"],
        )
        for key, r in runs.items()
    ]

    def latency_goal(goal: str, slow: str, fast: str, limit: float) -> Goal:
        a, b = runs[slow], runs[fast]
        ratio = a["p50_ms"] / b["p50_ms"] if b["p50_ms"] else float("inf")
        cpu = b["server_cpu_ms_per_request"]
        cpu_ratio = a["server_cpu_ms_per_request"] / cpu if cpu else float("inf")
        measured = (
            f"{ratio:.2f} x ({a['p50_ms']:.2f} vs {b['p50_ms']:.2f} ms); "
            f"server CPU per request {cpu_ratio:.2f} x"
        )
        return Goal(goal, measured, ratio <= limit)

    sizes = sorted(int(k.removeprefix("board_")) for k in runs if k.startswith("board_"))
    small, large = sizes[0], sizes[-1]
    board_note = "" if large == 10_000 else f" (quick run: {large:,} members)"
    checkin_ratio = rps("checkin") / health if health else 0.0
    after_mixed = result["memory_mib"]["after_mixed"]
    return rows, [
        Goal(
            "Check-in throughput >= 0.8 x GET /health",
            f"{checkin_ratio:.3f} x ({rps('checkin'):,.0f} vs {health:,.0f} req/s)",
            checkin_ratio >= 0.8,
        ),
        latency_goal(
            f"Board p50 at 10,000 members <= 2 x at 100{board_note}",
            f"board_{large}",
            f"board_{small}",
            2,
        ),
        latency_goal(
            "/today p50 with two years <= 1.5 x with one week", "today_two_years", "today_week", 1.5
        ),
        Goal(
            f"Server RSS after the sustained mixed load <= {RSS_GOAL_MIB} MiB",
            f"{after_mixed['VmRSS']:.1f} MiB (peak {after_mixed['VmHWM']:.1f})",
            after_mixed["VmRSS"] <= RSS_GOAL_MIB,
        ),
        Goal("/sync throughput", "not measured yet (next benchmark step)", None),
        Goal("TUI cold start", "not measured yet (next benchmark step)", None),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, shorter phases")
    parser.add_argument(
        "--generator", choices=["auto", "wrk", "httpx"], default="auto",
        help="load generator (auto: wrk when installed, else httpx)",
    )  # fmt: skip
    parser.add_argument(
        "--profile", default="", metavar="KEYS",
        help="comma-separated scenario keys (e.g. checkin,today_many) to sample with py-spy",
    )  # fmt: skip
    args = parser.parse_args(argv)
    plan = PLANS["quick" if args.quick else "full"]
    profile_keys = {k for k in args.profile.split(",") if k}
    if profile_keys and profile.available() is None:
        parser.error("--profile needs py-spy: /work/venv/bin/pip install py-spy")
    t0 = time.perf_counter()
    result = run(plan, args.generator, profile_keys)
    rows, goals = evaluate(result)
    result["goals"] = [asdict(g) for g in goals]
    result["wall_seconds"] = round(time.perf_counter() - t0, 1)
    RESULTS.mkdir(exist_ok=True)
    stamp = str(result["started"]).replace("-", "").replace(":", "").replace("+0000", "Z")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    text = markdown(result, rows, goals)
    for key, found in result["scenarios"].items():
        if "profile" in found:
            text += "\n" + profile.markdown(key, found["profile"])
    (RESULTS / "latest.md").write_text(text, "utf-8")
    print(text)
    print(f"wrote {RESULTS / (stamp + '.json')} and {RESULTS / 'latest.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
