"""Benchmark the real Rapport server: ``python bench/run.py [--quick] [--asgi granian]``.

1. Seed a fresh SQLite file through the project's own store and use cases (dataset.py).
2. Start ``rapport-server --port P --database FILE`` as a user would (default settings,
   127.0.0.1), in a process of its own (``--server granian`` with ``--asgi granian``).
3. Drive each scenario from another process (wrk, or the httpx fallback), always on
   127.0.0.1 and for a bounded time, and sample the server's RSS during the sustained
   mixed load.
4. Take the TUI's cold start from ``bench/tui_cold_start.py`` (run it, or its last result).
5. Write ``bench/results/<timestamp>.json`` and ``bench/results/latest.md``.

The server is stopped however the run ends.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import importlib.util
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

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
    Mode,
    Request,
    Wrk,
    base_url,
    combine,
)
from bench.report import Goal, Row, SyncCost, TuiCase, markdown
from bench.scratch import copy_to_postgres, drop
from server.settings import Settings
from server.store.postgres import is_postgres_url

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
TUI_SCRIPT = HERE / "tui_cold_start.py"
TUI_RESULT = RESULTS / "tui_cold_start.json"
# The goals.
RSS_GOAL_MIB = 150  # after five minutes of mixed load...
RSS_GROWTH_GOAL = 0.10  # ...having grown at most this much over the last four
TUI_GOAL_SECONDS = 1.0  # as in tui_cold_start.py
SYNC_HISTORY_LIMIT = 1.5  # 5 changes behind: long history vs short, server CPU per request

Asgi = Literal["uvicorn", "granian"]


@dataclass(frozen=True)
class Plan:
    scale: Scale
    seconds: int  # each measured scenario
    rounds: int  # scenarios compared with each other alternate in this many rounds
    mixed_seconds: int  # the sustained mixed load, RSS sampled during it
    rss_every: int  # seconds between RSS samples during the mixed load
    rss_early: int  # the early sample growth is measured from ("after 1 minute")
    warmup_seconds: int
    tui_runs: int  # launches per case when the TUI cold start is run
    connections: int = 16


PLANS = {
    "quick": Plan(
        QUICK, seconds=3, rounds=3, mixed_seconds=10, rss_every=2, rss_early=2,
        warmup_seconds=1, tui_runs=3,
    ),
    "full": Plan(
        FULL, seconds=10, rounds=5, mixed_seconds=300, rss_every=10, rss_early=60,
        warmup_seconds=3, tui_runs=5,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    requests: list[Request]
    seconds: int
    mode: Mode = "cycle"  # once: every request at most once (check-ins)
    group: str = ""  # consecutive scenarios of one group run in alternating rounds
    sample_rss: bool = False  # read the server's RSS every plan.rss_every seconds


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


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants (granian serves from a worker process; uvicorn
    has none)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        children.setdefault(parent, []).append(int(entry))
    found = [pid]
    for p in found:  # grows while it is walked: breadth first
        found += children.get(p, [])
    return found


def memory_of(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) in MiB, summed over the process and its descendants (pages
    two processes share count twice), and Pss, which splits shared pages among them."""
    found = {"VmRSS": 0.0, "VmHWM": 0.0, "Pss": 0.0}
    for p in process_tree(pid):
        for source in (f"/proc/{p}/status", f"/proc/{p}/smaps_rollup"):
            try:
                with open(source, encoding="utf-8") as status:
                    for line in status:
                        name, _, rest = line.partition(":")
                        if name in found:
                            found[name] += int(rest.split()[0]) / 1024
            except OSError:
                continue
    return {k: round(v, 1) for k, v in found.items()}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process and its descendants, all their threads
    (aiosqlite's and granian's too)."""
    ticks = 0
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/stat", encoding="utf-8") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


class RssSampler:
    """Reads the server's RSS every ``every`` seconds in a thread while a block runs, and
    once more when it ends: ``samples`` is ``[[seconds since start, MiB], ...]``."""

    def __init__(self, pid: int, every: float) -> None:
        self.pid, self.every = pid, every
        self.samples: list[list[float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _read(self) -> None:
        rss = memory_of(self.pid)["VmRSS"]
        self.samples.append([round(time.monotonic() - self._started, 1), rss])

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self._read()

    def __enter__(self) -> RssSampler:
        self._started = time.monotonic()
        self._read()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read()


# -- the server ---------------------------------------------------------------------------


def default_settings() -> str:
    d = Settings.from_env({})
    return (
        f"defaults (no RAPPORT_* variables): synchronous={d.synchronous}, "
        f"{d.read_connections} read connections, log level {d.log_level} (access log on)"
    )


def asgi_version(asgi: Asgi) -> str:
    try:
        version = importlib.metadata.version(asgi)
    except importlib.metadata.PackageNotFoundError:
        return f"{asgi} (not installed)"
    extras = [x for x in ("uvloop", "httptools") if importlib.util.find_spec(x)]
    if asgi == "granian":
        extras = ["1 worker process", *(["uvloop"] if "uvloop" in extras else [])]
    return f"{asgi} {version}" + (f" ({', '.join(extras)})" if extras else "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        port: int = s.getsockname()[1]
        return port


def server_command(database: Path | str, port: int, asgi: Asgi = "uvicorn") -> list[str]:
    beside = Path(sys.executable).with_name("rapport-server")
    executable = str(beside) if beside.exists() else shutil.which("rapport-server")
    if executable is None:
        raise SystemExit("rapport-server is not installed: pip install -e . first")
    chosen = [] if asgi == "uvicorn" else ["--server", asgi]  # uvicorn: the plain default
    return [executable, "--port", str(port), "--database", str(database), *chosen]


def command_text(asgi: Asgi, store: str = "sqlite") -> str:
    chosen = "" if asgi == "uvicorn" else f" --server {asgi}"
    where = "<fresh temp file>" if store == "sqlite" else "postgresql://<scratch database>"
    return f"rapport-server --port <free port> --database {where}{chosen}"


@contextmanager
def running_server(
    database: Path | str, port: int, log: Path, asgi: Asgi = "uvicorn"
) -> Iterator[subprocess.Popen[bytes]]:
    """The server, started with default settings (RAPPORT_* variables removed), ready to
    answer; stopped (then killed if need be) when the block ends, however it ends."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    with open(log, "wb") as out:
        server = subprocess.Popen(
            server_command(database, port, asgi), stdout=out, stderr=subprocess.STDOUT, env=env
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
    found += sync_scenarios(data, many, s)
    pairs = data.fresh_pairs
    found += [
        Scenario(
            "checkin", "POST check-in, each a new habit-day of one of many users",
            [checkin(t[n], h) for n, h in pairs], s, mode="once",
        ),
        Scenario(
            "mixed", "mixed load (3 today : 2 check-in : 2 board : 1 habits : 1 points : 1 "
            "challenge board)", mixed(data, plan, rng, pairs), plan.mixed_seconds,
            mode="writes-once", sample_rss=True,
        ),
        Scenario("health_end", "GET /health, again at the end", found[0].requests, s),
    ]  # fmt: skip
    return found


SYNC = "/api/v1/sync"
SYNC_PAGE = 200  # the largest page (MAX_LIMIT); the default is 50


def sync_scenarios(data: Dataset, many: list[int], seconds: int) -> list[Scenario]:
    """GET /api/v1/sync few vs many changes behind, run in alternating rounds. They run
    before any check-in, so each cursor is still exactly as far behind as seeded.

    The one-week account and the long histories did the same six habits on the same days
    lately, so their last 5 changes are of the same kinds (check-ins, ledger entries, the
    profile): only the history differs. The ordinary accounts' last 5 are mostly the
    habits created for the check-in load."""
    t = data.tokens
    behind5, behind200 = data.sync_cursors[5], data.sync_cursors[200]
    short = [n for n in many if n in behind5]
    long = [n for n in data.long_users if n in behind200]
    first = statistics.median(data.sync_entities[n] for n in long)
    week = data.week_user
    who = f"the {len(long)} accounts with 1-2 years of history"
    return [
        Scenario(
            "sync_5", f"GET /api/v1/sync, 5 changes behind, {len(short):,} different users "
            "(90-day-old accounts in teams)",
            [Request("GET", f"{SYNC}?since={behind5[n]}", t[n]) for n in short],
            seconds, group="sync",
        ),
        Scenario(
            "sync_5_week", "GET /api/v1/sync, 5 changes behind, the one-week account (6 habits)",
            [Request("GET", f"{SYNC}?since={behind5[week]}", t[week])], seconds, group="sync",
        ),
        Scenario(
            "sync_5_long", f"GET /api/v1/sync, 5 changes behind, {who} (same 6 habits)",
            [Request("GET", f"{SYNC}?since={behind5[n]}", t[n]) for n in long],
            seconds, group="sync",
        ),
        Scenario(
            "sync_200", f"GET /api/v1/sync, 200 changes behind (one page of {SYNC_PAGE}), "
            "same accounts",
            [Request("GET", f"{SYNC}?since={behind200[n]}&limit={SYNC_PAGE}", t[n])
             for n in long],
            seconds, group="sync",
        ),
        Scenario(
            "sync_first", f"GET /api/v1/sync, first sync (~{first:,.0f} changes behind), first "
            f"page of {SYNC_PAGE}, same accounts",
            [Request("GET", f"{SYNC}?limit={SYNC_PAGE}", t[n]) for n in long],
            seconds, group="sync",
        ),
    ]  # fmt: skip


def probe_sync(port: int, all_scenarios: list[Scenario]) -> dict[str, dict[str, Any]]:
    """What each sync scenario's answers hold, from a sample of its requests sent once
    before the load: entities per answer (``changes``), bytes, how many had more."""
    out: dict[str, dict[str, Any]] = {}
    with httpx.Client(base_url=base_url(port), timeout=30.0) as client:
        for sc in all_scenarios:
            if not sc.key.startswith("sync_"):
                continue
            sample = sc.requests[:: max(1, len(sc.requests) // 20)][:20]
            entities, sizes, more = [], [], 0
            kinds: Counter[str] = Counter()
            for r in sample:
                answer = client.get(r.path, headers={"Authorization": f"Bearer {r.token}"})
                if answer.status_code != 200:
                    raise RuntimeError(f"{sc.key}: {r.path} -> {answer.status_code} {answer.text}")
                body = answer.json()
                entities.append(len(body["changes"]))
                kinds.update(change["kind"] for change in body["changes"])
                sizes.append(len(answer.content))
                more += bool(body["has_more"])
            out[sc.key] = {
                "entities": statistics.mean(entities),
                "bytes": statistics.mean(sizes),
                "has_more": more / len(sample),
                "sampled": len(sample),
                "kinds": {k: round(v / len(sample), 1) for k, v in kinds.most_common()},
            }
    return out


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


def mixed(
    data: Dataset, plan: Plan, rng: random.Random, pairs: list[tuple[int, str]]
) -> list[Request]:
    """Of every ten requests: three /today, two check-ins (of ``pairs``, each once), two
    team boards, one habit list, one points ledger, one challenge board; users drawn at
    random."""
    t = data.tokens
    ordinary = range(plan.scale.users)
    teams = list(data.teams.values())
    participants = ordinary[:: plan.scale.challenge_every]
    slots = ["today", "checkin", "board", "today", "habits", "checkin", "board", "points"]
    slots += ["today", "challenge"]
    fresh = iter(pairs)
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
    samples: dict[str, list[list[float]]] = {}
    profiles: dict[str, dict[str, object]] = {}
    for round_number in range(rounds):
        for sc in batch:
            seconds = max(1, sc.seconds // rounds)
            time.sleep(0.3)  # let the previous phase's last writes settle
            sampler = None
            if sc.key in profile_keys and round_number == 0:
                sampler = profile.start(pid, seconds, workdir / f"profile-{sc.key}.txt")
            before = cpu_seconds(pid)
            with RssSampler(pid, plan.rss_every) if sc.sample_rss else nullcontext() as rss:
                parts[sc.key].append(
                    generator.run(
                        port,
                        sc.requests,
                        seconds=seconds,
                        connections=plan.connections,
                        mode=sc.mode,
                    )
                )
            cpu[sc.key] += cpu_seconds(pid) - before
            if rss is not None:
                samples[sc.key] = rss.samples
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
            "mode": sc.mode,
            **asdict(m),
            "server_cpu_ms_per_request": round(per_request, 3),
        }
        if sc.key in samples:
            out[sc.key]["rss_samples"] = samples[sc.key]
        if sc.key in profiles:
            out[sc.key]["profile"] = profiles[sc.key]
        print(
            f"  {sc.key:16} {m.ok_per_second:8.1f} ok/s  p50 {m.p50_ms:7.2f} ms  p99 "
            f"{m.p99_ms:7.2f} ms  cpu {per_request:6.2f} ms/req  {m.statuses}",
            flush=True,
        )
    return out


def checkins_used(found: dict[str, Any], connections: int) -> int:
    """How many of a one-shot list a phase may have used: the answered ones, the ones that
    failed on the socket, one in flight per connection when the time was up, and the
    first, which wrk takes (unsent) to check the script's request()."""
    return int(found["answered"] + sum(found["socket_errors"].values()) + connections + 1)


def run(
    plan: Plan, choice: str, profile_keys: set[str], asgi: Asgi, postgres: str | None = None
) -> dict[str, Any]:
    """The scenarios against a server on SQLite, or with ``postgres`` (an admin URL) on a
    scratch PostgreSQL database holding the same data set."""
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

        served: Path | str = database
        if postgres is not None:
            print("copying into a scratch PostgreSQL database ...", flush=True)
            served = asyncio.run(copy_to_postgres(database, postgres))
        try:
            generator = pick_generator(choice, workdir)
            plan_scenarios = scenarios(data, plan, rng)
            port = free_port()
            command = server_command(served, port, asgi)
            results: dict[str, dict[str, Any]] = {}
            memory: dict[str, Any] = {}
            with running_server(served, port, workdir / "server.log", asgi) as server:
                memory["after_start"] = memory_of(server.pid)
                sync_answers = probe_sync(port, plan_scenarios)
                generator.run(
                    port, warmup_requests(plan_scenarios), seconds=plan.warmup_seconds,
                    connections=plan.connections, mode="cycle",
                )  # fmt: skip
                used = 0
                for batch in batches(plan_scenarios):
                    if batch[0].key == "mixed":  # the fresh habits the check-in phase left
                        left = data.fresh_pairs[used:]
                        batch = [replace(batch[0], requests=mixed(data, plan, rng, left))]
                    results |= measure(
                        generator, port, server.pid, batch, plan,
                        profile_keys=profile_keys, workdir=workdir,
                    )  # fmt: skip
                    if batch[0].key == "checkin":
                        used = checkins_used(results["checkin"], plan.connections)
                    if batch[0].key == "mixed":
                        memory["after_mixed"] = memory_of(server.pid)
                memory["at_end"] = memory_of(server.pid)
        finally:
            if postgres is not None:
                asyncio.run(drop(postgres, str(served)))
    for key, answers in sync_answers.items():
        results[key]["returned"] = answers
    memory["mixed_samples"] = results["mixed"].pop("rss_samples", [])
    return {
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": plan.scale.name,
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "server": {
            "command": command_text(asgi, "sqlite" if postgres is None else "postgresql"),
            "store": "sqlite" if postgres is None else "postgresql",
            "ran": " ".join(command),
            "asgi": asgi,
            "asgi_version": asgi_version(asgi),
            "settings": default_settings(),
        },
        "generator": {
            "name": generator.name,
            "version": generator.version(),
            "connections": plan.connections,
            "seconds_per_scenario": plan.seconds,
            "rounds": plan.rounds,
            "mixed_seconds": plan.mixed_seconds,
            "rss_every_seconds": plan.rss_every,
            "rss_early_seconds": plan.rss_early,
        },
        "dataset": {
            "scale": asdict(plan.scale),
            "counts": data.counts,
            "seed_seconds": seed_seconds,
            "seed_phases": data.seconds,
            "first_sync_entities": data.sync_entities,
        },
        "scenarios": results,
        "memory_mib": memory,
    }


# -- the TUI's cold start -------------------------------------------------------------


def run_tui_cold_start(runs: int) -> str:
    """Run bench/tui_cold_start.py (it writes results/tui_cold_start.json); "" when it
    worked, else why not (the last result is used then)."""
    print(f"TUI cold start: {TUI_SCRIPT.name} --runs {runs} ...", flush=True)
    try:
        done = subprocess.run(
            [sys.executable, str(TUI_SCRIPT), "--runs", str(runs)],
            capture_output=True, text=True, timeout=600, cwd=HERE.parent,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return "it did not finish within 600 s"
    print(done.stdout, end="", flush=True)
    if done.returncode != 0:
        return f"it failed ({done.returncode}): {done.stderr.strip()[-500:]}"
    return ""


def tui_cold_start(ran: bool, failure: str) -> dict[str, Any]:
    """The latest results/tui_cold_start.json, read defensively (its script is being
    changed by others): every case with a median, and where the numbers came from."""
    if not TUI_RESULT.exists():
        return {"source": "no results/tui_cold_start.json yet", "cases": []}
    written = datetime.fromtimestamp(TUI_RESULT.stat().st_mtime, UTC)
    age = "this run" if ran and not failure else "an earlier run"
    source = f"bench/tui_cold_start.py, {age} ({written:%Y-%m-%d %H:%M} UTC)"
    if failure:
        source += f"; running it now failed: {failure}"
    cases: list[dict[str, Any]] = []
    try:
        raw = json.loads(TUI_RESULT.read_text("utf-8"))
        for name, r in raw.items():
            if isinstance(r, dict) and isinstance(r.get("median_s"), int | float):
                screens = r.get("screens", [])
                cases.append(
                    {
                        "case": str(name),
                        "median_s": float(r["median_s"]),
                        "max_s": float(r.get("max_s") or r["median_s"]),
                        "screens": [str(x) for x in screens] if isinstance(screens, list) else [],
                    }
                )
    except (ValueError, TypeError, AttributeError) as exc:
        source += f"; unreadable: {exc}"
    return {"source": source, "written": written.isoformat(timespec="seconds"), "cases": cases}


# -- judging ------------------------------------------------------------------------------


def _span(seconds: float) -> str:
    return f"{seconds / 60:g} min" if seconds >= 60 else f"{seconds:g} s"


def sync_costs(runs: dict[str, dict[str, Any]]) -> list[SyncCost]:
    out = []
    for key, r in runs.items():
        if "returned" in r:
            n = r["returned"]["entities"]
            cpu = r["server_cpu_ms_per_request"]
            out.append(
                SyncCost(
                    key=key,
                    entities=n,
                    bytes=r["returned"]["bytes"],
                    cpu_ms=cpu,
                    cpu_ms_per_entity=cpu / n if n else 0.0,
                    p50_ms_per_entity=r["p50_ms"] / n if n else 0.0,
                    kinds=", ".join(f"{k} {v:g}" for k, v in r["returned"]["kinds"].items()),
                )
            )
    return out


def sync_goal(runs: dict[str, dict[str, Any]]) -> Goal:
    """Sync's cost follows the changes sent, not the history: 5 behind costs the same
    after two years as after one week (same habits, same kinds of change), and a page
    costs a fixed part plus a part per entity."""
    cpu = {k: r["server_cpu_ms_per_request"] for k, r in runs.items() if k.startswith("sync_")}
    n = {k: r["returned"]["entities"] for k, r in runs.items() if k.startswith("sync_")}
    week, long = runs["sync_5_week"], runs["sync_5_long"]
    history = cpu["sync_5_long"] / cpu["sync_5_week"] if cpu["sync_5_week"] else float("inf")
    p50 = long["p50_ms"] / week["p50_ms"] if week["p50_ms"] else float("inf")
    extra = n["sync_200"] - n["sync_5_long"]
    per_entity = (cpu["sync_200"] - cpu["sync_5_long"]) / extra if extra else 0.0
    fixed = cpu["sync_5_long"] - per_entity * n["sync_5_long"]
    first = cpu["sync_first"] / cpu["sync_200"] if cpu["sync_200"] else 0.0
    measured = (
        f"5 behind, 1-2 years vs one week of history: {history:.2f} x server CPU per request "
        f"({cpu['sync_5_long']:.2f} vs {cpu['sync_5_week']:.2f} ms), p50 {p50:.2f} x; "
        f"cost ~ {fixed:.2f} ms + {per_entity:.3f} ms per entity sent (fit through "
        f"{n['sync_5_long']:.0f} and {n['sync_200']:.0f} sent); the first page of a first "
        f"sync ({n['sync_first']:.0f} sent) costs {first:.2f} x a page of "
        f"{n['sync_200']:.0f} that is 200 behind"
    )
    return Goal(
        f"/sync cost follows the changes sent, not the history (5 behind: two years <= "
        f"{SYNC_HISTORY_LIMIT:g} x one week, server CPU per request)",
        measured,
        history <= SYNC_HISTORY_LIMIT,
    )


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
            mode=r["mode"],
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
    goals = [
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
        *memory_goals(result),
        sync_goal(runs),
        *tui_goals(result["tui_cold_start"]),
    ]
    return rows, goals


def memory_goals(result: dict[str, Any]) -> list[Goal]:
    """RSS at the end of the sustained mixed load, and its growth since the early sample
    (after 1 of the 5 minutes in a full run)."""
    g = result["generator"]
    samples: list[list[float]] = result["memory_mib"]["mixed_samples"]
    total, early_at = g["mixed_seconds"], g["rss_early_seconds"]
    note = "" if total == 300 else f" (quick run: {_span(total)}, not the goal's 5 min)"
    mixed = result["scenarios"]["mixed"]
    if mixed["exhausted"]:  # writes-once: the reads went on alone
        written = sum(n for status, n in mixed["statuses"].items() if status == "201")
        note += f" (its {written:,} check-ins ran out before the end: then reads only)"
    if not samples:
        return [Goal(f"Server RSS after 5 min of mixed load <= {RSS_GOAL_MIB} MiB", "", None)]
    early = min(samples, key=lambda s: abs(s[0] - early_at))
    end = samples[-1]
    growth = end[1] / early[1] - 1 if early[1] else 0.0
    peak = max(s[1] for s in samples)
    return [
        Goal(
            f"Server RSS after 5 min of mixed load <= {RSS_GOAL_MIB} MiB{note}",
            f"{end[1]:.1f} MiB at {end[0]:.0f} s (peak sample {peak:.1f})",
            end[1] <= RSS_GOAL_MIB,
        ),
        Goal(
            f"RSS growth over the last 4 min of it <= {RSS_GROWTH_GOAL:.0%}{note}",
            f"{growth:+.1%} ({early[1]:.1f} MiB at {early[0]:.0f} s -> {end[1]:.1f} MiB at "
            f"{end[0]:.0f} s)",
            growth <= RSS_GROWTH_GOAL,
        ),
    ]


def tui_goals(tui: dict[str, Any]) -> list[Goal]:
    if not tui["cases"]:
        return [Goal(f"TUI cold start <= {TUI_GOAL_SECONDS:g} s", tui["source"], None)]
    return [
        Goal(
            f"TUI cold start <= {TUI_GOAL_SECONDS:g} s: {c['case']}",
            f"median {c['median_s']:.3f} s (max {c['max_s']:.3f}); {tui['source']}",
            c["median_s"] <= TUI_GOAL_SECONDS,
        )
        for c in tui["cases"]
    ]


def tui_rows(tui: dict[str, Any]) -> list[TuiCase]:
    return [
        TuiCase(c["case"], c["median_s"], c["max_s"], ", ".join(c["screens"]), tui["source"])
        for c in tui["cases"]
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, shorter phases")
    parser.add_argument(
        "--generator", choices=["auto", "wrk", "httpx"], default="auto",
        help="load generator (auto: wrk when installed, else httpx)",
    )  # fmt: skip
    parser.add_argument(
        "--asgi", choices=["uvicorn", "granian"], default="uvicorn",
        help="the ASGI server rapport-server runs (granian: pip install granian)",
    )  # fmt: skip
    parser.add_argument(
        "--tui", choices=["auto", "run", "latest"], default="auto",
        help="TUI cold start: run bench/tui_cold_start.py, or take its latest result "
        "(auto: run in a full run, latest with --quick)",
    )  # fmt: skip
    parser.add_argument(
        "--database", default=None, metavar="URL",
        help="run on PostgreSQL: an admin URL (postgresql://...) of a server where a scratch "
        "database is made and dropped; results go to results/postgresql-*",
    )  # fmt: skip
    parser.add_argument(
        "--profile", default="", metavar="KEYS",
        help="comma-separated scenario keys (e.g. checkin,today_many) to sample with py-spy",
    )  # fmt: skip
    args = parser.parse_args(argv)
    plan = PLANS["quick" if args.quick else "full"]
    profile_keys = {k for k in args.profile.split(",") if k}
    if profile_keys and profile.available() is None:
        parser.error("--profile needs py-spy: .venv/bin/pip install py-spy")
    if args.asgi == "granian" and importlib.util.find_spec("granian") is None:
        parser.error("--asgi granian needs granian: .venv/bin/pip install granian")
    t0 = time.perf_counter()
    if args.database is not None and not is_postgres_url(args.database):
        parser.error("--database takes a postgresql:// URL (SQLite is the default)")
    result = run(plan, args.generator, profile_keys, args.asgi, args.database)
    run_tui = args.tui == "run" or (args.tui == "auto" and not args.quick)
    failure = run_tui_cold_start(plan.tui_runs) if run_tui else ""
    result["tui_cold_start"] = tui_cold_start(run_tui, failure)
    rows, goals = evaluate(result)
    result["goals"] = [asdict(g) for g in goals]
    result["wall_seconds"] = round(time.perf_counter() - t0, 1)
    RESULTS.mkdir(exist_ok=True)
    stamp = str(result["started"]).replace("-", "").replace(":", "").replace("+0000", "Z")
    prefix = "" if args.database is None else "postgresql-"
    stamp = prefix + stamp
    (RESULTS / f"{stamp}.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    text = markdown(
        result,
        rows,
        goals,
        sync=sync_costs(result["scenarios"]),
        tui=tui_rows(result["tui_cold_start"]),
    )
    for key, found in result["scenarios"].items():
        if "profile" in found:
            text += "\n" + profile.markdown(key, found["profile"])
    (RESULTS / f"{prefix}latest.md").write_text(text, "utf-8")
    print(text)
    print(f"wrote {RESULTS / (stamp + '.json')} and {RESULTS / (prefix + 'latest.md')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
