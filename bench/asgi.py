"""uvicorn vs granian under the same app, data and load: ``python bench/asgi.py [--quick]``.

Seeds one data set (dataset.py), copies the file once per server, and starts both
``rapport-server --database <its copy>`` (uvicorn, the default) and ``rapport-server
--server granian``, side by side, default settings. Then, in alternating rounds (the order
of the two servers flips every round, so drift and outside load hit both alike), each
scenario runs against one server and then the other: ``GET /health``, ``GET /api/v1/me``
and ``GET /api/v1/today`` over 2,000 users, and first check-ins of fresh habits (each
round sends the same slice of them to both: the copies are identical). Only one server is
under load at a time; the other idles.

Writes ``bench/results/asgi-<timestamp>.json`` and ``bench/results/asgi-latest.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.dataset import FULL, QUICK, build
from bench.loadgen import Measurement, Mode, Request, combine
from bench.run import (
    RESULTS,
    Asgi,
    asgi_version,
    checkin,
    checkins_used,
    cpu_seconds,
    default_settings,
    free_port,
    machine,
    memory_of,
    pick_generator,
    running_server,
)

SERVERS: tuple[Asgi, Asgi] = ("uvicorn", "granian")
CONNECTIONS = 16


def compare(quick: bool, rounds: int, seconds: int, choice: str) -> dict[str, Any]:
    scale = QUICK if quick else FULL
    rng = random.Random(11)
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="rapport-asgi-") as tmp, ExitStack() as stack:
        workdir = Path(tmp)
        seeded = workdir / "seeded.db"
        print(f"seeding {seeded} ({scale.name}) ...", flush=True)
        t0 = time.perf_counter()
        data = asyncio.run(build(seeded, scale))
        seed_seconds = round(time.perf_counter() - t0, 1)
        t = data.tokens
        many = rng.sample(range(scale.users), min(2_000, scale.users))
        chunk = len(data.fresh_pairs) // rounds
        scenarios: dict[str, tuple[str, Mode]] = {
            "health": ("GET /health", "cycle"),
            "me": (f"GET /api/v1/me, {len(many):,} users", "cycle"),
            "today": (f"GET /api/v1/today, {len(many):,} users", "cycle"),
            "checkin": ("POST check-in, a new habit-day each (same ones on both)", "once"),
        }
        reads = {
            "health": [Request("GET", "/health")],
            "me": [Request("GET", "/api/v1/me", t[n]) for n in many],
            "today": [Request("GET", "/api/v1/today", t[n]) for n in many],
        }

        generator = pick_generator(choice, workdir)
        servers: dict[Asgi, tuple[int, int]] = {}  # name -> (port, pid)
        memory: dict[str, dict[str, dict[str, float]]] = {}
        for name in SERVERS:
            database = workdir / f"{name}.db"
            shutil.copyfile(seeded, database)
            port = free_port()
            log = workdir / f"{name}.log"
            process = stack.enter_context(running_server(database, port, log, name))
            servers[name] = (port, process.pid)
            memory[name] = {"after_start": memory_of(process.pid)}
        warm = [r for rs in reads.values() for r in rs[:50]]
        for port, _ in servers.values():
            generator.run(port, warm, seconds=2, connections=CONNECTIONS, mode="cycle")

        parts: dict[tuple[str, str], list[Measurement]] = {}
        cpu: dict[tuple[str, str], float] = {}
        for r in range(rounds):
            order = SERVERS if r % 2 == 0 else SERVERS[::-1]
            for key, (_, mode) in scenarios.items():
                if key == "checkin":
                    pairs = data.fresh_pairs[r * chunk : (r + 1) * chunk]
                    requests = [checkin(t[n], h) for n, h in pairs]
                else:
                    requests = reads[key]
                for name in order:
                    port, pid = servers[name]
                    time.sleep(0.3)
                    before = cpu_seconds(pid)
                    m = generator.run(
                        port, requests, seconds=seconds, connections=CONNECTIONS, mode=mode
                    )
                    cpu[key, name] = cpu.get((key, name), 0.0) + cpu_seconds(pid) - before
                    parts.setdefault((key, name), []).append(m)
                    print(
                        f"  round {r + 1} {key:8} {name:8} {m.ok_per_second:8.1f} ok/s  "
                        f"p50 {m.p50_ms:7.2f} ms  p99 {m.p99_ms:7.2f} ms  {m.statuses}",
                        flush=True,
                    )
                    if key == "checkin" and checkins_used(asdict(m), CONNECTIONS) > chunk:
                        print("  (this round's check-ins ran out: rate understated)")
        for name, (_, pid) in servers.items():
            memory[name]["at_end"] = memory_of(pid)

    results: dict[str, dict[str, Any]] = {}
    for key, (label, _) in scenarios.items():
        results[key] = {"label": label}
        for name in SERVERS:
            m = combine(parts[key, name])
            results[key][name] = {
                **asdict(m),
                "ok_per_second": m.ok_per_second,
                "round_ok_per_second": [p.ok_per_second for p in parts[key, name]],
                "server_cpu_ms_per_request": 1000 * cpu[key, name] / m.answered
                if m.answered
                else 0.0,
                # Below ~0.9 with one Python thread doing the work, the server was short of
                # CPU (other processes), not saturated: a server with more threads (granian's
                # Rust I/O) then gets a larger share of a busy machine.
                "server_cores_busy": cpu[key, name] / m.seconds if m.seconds else 0.0,
            }
    return {
        "started": started.isoformat(timespec="seconds"),
        "mode": scale.name,
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "servers": {name: asgi_version(name) for name in SERVERS},
        "settings": default_settings(),
        "generator": {"name": generator.name, "version": generator.version()},
        "rounds": rounds,
        "seconds_per_round": seconds,
        "connections": CONNECTIONS,
        "dataset": {"counts": data.counts, "seed_seconds": seed_seconds},
        "scenarios": results,
        "memory_mib": memory,
    }


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    u, g = SERVERS
    lines = [
        f"# uvicorn vs granian, {result['started']} ({result['mode']} data)",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), Python {m['python']}; load average "
        f"before/after {result['load_average_before'][0]} / "
        f"{result['load_average_after'][0]}.",
        f"Servers: {result['servers'][u]}; {result['servers'][g]}; both {result['settings']}.",
        f"Load: {result['generator']['version']}, {result['connections']} connections, "
        f"{result['rounds']} alternating rounds of {result['seconds_per_round']} s per server "
        f"and scenario (p50/p99: median of rounds).",
        "",
        f"| scenario | {u} req/s | {g} req/s | {g} / {u} | p50 ms {u} / {g} | p99 ms {u} / {g} "
        f"| server CPU ms/req {u} / {g} | server cores busy {u} / {g} | failed {u} / {g} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["scenarios"].values():
        a, b = r[u], r[g]
        ratio = b["ok_per_second"] / a["ok_per_second"] if a["ok_per_second"] else 0.0

        def failed(x: dict[str, Any]) -> int:
            return int(x["answered"] - x["ok"] + sum(x["socket_errors"].values()))

        lines.append(
            f"| {r['label']} | {a['ok_per_second']:,.0f} | {b['ok_per_second']:,.0f} | "
            f"{ratio:.2f} | {a['p50_ms']:.2f} / {b['p50_ms']:.2f} | "
            f"{a['p99_ms']:.2f} / {b['p99_ms']:.2f} | {a['server_cpu_ms_per_request']:.2f} / "
            f"{b['server_cpu_ms_per_request']:.2f} | {a['server_cores_busy']:.2f} / "
            f"{b['server_cores_busy']:.2f} | {failed(a)} / {failed(b)} |"
        )
    mem = result["memory_mib"]
    lines += [
        "",
        "Spread of the rounds (req/s, min-max): "
        + "; ".join(
            f"{key} {name} {min(x):,.0f}-{max(x):,.0f}"
            for key, r in result["scenarios"].items()
            for name in SERVERS
            for x in [r[name]["round_ok_per_second"]]
        )
        + ".",
        "",
        "Server memory (VmRSS, all its processes; granian runs a supervisor and one worker): "
        + "; ".join(
            f"{name} {mem[name]['after_start']['VmRSS']} MiB after start, "
            f"{mem[name]['at_end']['VmRSS']} MiB at the end (PSS "
            f"{mem[name]['at_end'].get('Pss', 0)})"
            for name in SERVERS
        )
        + ".",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/asgi.py", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the quick data set, short rounds")
    parser.add_argument("--rounds", type=int, help="alternating rounds (default 5, quick 3)")
    parser.add_argument("--seconds", type=int, help="per round, server and scenario (4; 2)")
    parser.add_argument("--generator", choices=["auto", "wrk", "httpx"], default="auto")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("granian") is None:
        parser.error("granian is not installed: .venv/bin/pip install granian")
    rounds = args.rounds or (3 if args.quick else 5)
    seconds = args.seconds or (2 if args.quick else 4)
    result = compare(args.quick, rounds, seconds, args.generator)
    RESULTS.mkdir(exist_ok=True)
    stamp = str(result["started"]).replace("-", "").replace(":", "").replace("+0000", "Z")
    (RESULTS / f"asgi-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    text = markdown(result)
    (RESULTS / "asgi-latest.md").write_text(text, "utf-8")
    print(text)
    print(f"wrote {RESULTS / f'asgi-{stamp}.json'} and {RESULTS / 'asgi-latest.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
