"""Load generators: wrk (preferred) and a multi-process httpx client (the fallback).

Both replay a prepared list of requests for a bounded time over a fixed number of
keep-alive connections, each sending its next request when the previous answer has
arrived (a closed loop), and both only ever talk to 127.0.0.1. They run in processes of
their own, apart from the server's.
"""

from __future__ import annotations

import asyncio
import json
import math
import shutil
import statistics
import subprocess
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Literal, Protocol

import httpx

LOOPBACK = "127.0.0.1"  # the only address any load is sent to
LUA_SCRIPT = Path(__file__).parent / "lua" / "replay.lua"


def base_url(port: int) -> str:
    return f"http://{LOOPBACK}:{port}"


# How a request list is replayed. cycle: start over at the end. once: every request at most
# once, then that connection stops (check-ins: never sent twice). writes-once: every
# non-GET at most once; after the first pass only the GETs cycle on (the mixed load keeps
# its length when the prepared check-ins run out, and says so).
Mode = Literal["cycle", "once", "writes-once"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    token: str = ""
    body: str = ""


@dataclass
class Measurement:
    generator: str
    seconds: float
    answered: int  # responses of any status
    ok: int  # 2xx responses
    mean_ms: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int] = field(default_factory=dict)
    socket_errors: dict[str, int] = field(default_factory=dict)
    # The one-shot requests ran out before the time was up (once: the rate is understated;
    # writes-once: the rest of the time was reads only).
    exhausted: bool = False

    @property
    def ok_per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


class LoadGenerator(Protocol):
    name: str

    def version(self) -> str: ...

    def run(
        self, port: int, requests: list[Request], *, seconds: float, connections: int, mode: Mode
    ) -> Measurement: ...


def combine(rounds: list[Measurement]) -> Measurement:
    """One measurement from alternating rounds of the same scenario: counts add up, and
    the latency percentiles are the medians of the rounds' (robust to one noisy round)."""
    if len(rounds) == 1:
        return rounds[0]
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for r in rounds:
        statuses.update(r.statuses)
        errors.update(r.socket_errors)
    answered = sum(r.answered for r in rounds)
    return Measurement(
        generator=rounds[0].generator,
        seconds=sum(r.seconds for r in rounds),
        answered=answered,
        ok=sum(r.ok for r in rounds),
        mean_ms=sum(r.mean_ms * r.answered for r in rounds) / answered if answered else 0.0,
        p50_ms=statistics.median(r.p50_ms for r in rounds),
        p90_ms=statistics.median(r.p90_ms for r in rounds),
        p99_ms=statistics.median(r.p99_ms for r in rounds),
        max_ms=max(r.max_ms for r in rounds),
        statuses=dict(sorted(statuses.items())),
        socket_errors=dict(errors),
        exhausted=any(r.exhausted for r in rounds),
    )


# -- wrk --------------------------------------------------------------------------------


class Wrk:
    """``wrk`` with ``lua/replay.lua``; latencies are wrk's own (microsecond histogram)."""

    name = "wrk"

    def __init__(self, workdir: Path, threads: int = 1) -> None:
        executable = shutil.which("wrk")
        if executable is None:
            raise RuntimeError("wrk is not installed (apt-get install wrk)")
        self.executable = executable
        self.workdir = workdir
        self.threads = threads
        self._runs = 0

    def version(self) -> str:
        out = subprocess.run([self.executable, "--version"], capture_output=True, text=True)
        words = (out.stdout or out.stderr).split()  # "wrk 4.2.0 [epoll] Copyright ..."
        return " ".join(words[:2]) + f", {self.threads} thread"

    def run(
        self, port: int, requests: list[Request], *, seconds: float, connections: int, mode: Mode
    ) -> Measurement:
        self._runs += 1
        listing = self.workdir / f"requests-{self._runs}.tsv"
        listing.write_text(
            "".join(f"{r.method}\t{r.path}\t{r.token}\t{r.body}\n" for r in requests),
            encoding="utf-8",
        )
        command = [
            self.executable, f"-t{self.threads}", f"-c{max(connections, self.threads)}",
            f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(LUA_SCRIPT),
            base_url(port), "--", str(listing), mode, str(self.threads),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
        line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
        if done.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
        raw = json.loads(line.removeprefix("BENCH_RESULT "))
        statuses: Counter[str] = Counter()
        for status, count in raw["statuses"]:
            statuses[str(status)] += count
        latency = raw["latency_us"]
        errors = {k: v for k, v in raw["errors"].items() if v and k != "status"}
        return Measurement(
            generator=self.name,
            seconds=raw["duration_us"] / 1e6,
            answered=raw["requests"],
            ok=sum(n for s, n in statuses.items() if s.startswith("2")),
            mean_ms=latency["mean"] / 1000,
            p50_ms=latency["p50"] / 1000,
            p90_ms=latency["p90"] / 1000,
            p99_ms=latency["p99"] / 1000,
            max_ms=latency["max"] / 1000,
            statuses=dict(sorted(statuses.items())),
            socket_errors=errors,
            exhausted=raw["threads_exhausted"] > 0,
        )


# -- httpx, when wrk is missing ---------------------------------------------------------


@dataclass
class _Part:
    latencies: list[float]
    statuses: Counter[str]
    errors: Counter[str]
    seconds: float
    exhausted: bool


async def _httpx_loop(
    url: str, requests: list[Request], seconds: float, connections: int, mode: Mode
) -> _Part:
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    position = 0
    exhausted = False
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=10.0) as client:
        started = time.perf_counter()
        deadline = started + seconds

        async def connection() -> None:
            nonlocal position, exhausted, requests
            while time.perf_counter() < deadline:
                if position >= len(requests):
                    if mode == "once":
                        exhausted = True
                        return
                    if mode == "writes-once" and not exhausted:
                        exhausted = True
                        requests = [r for r in requests if r.method == "GET"]
                        if not requests:
                            return
                    position = 0
                r = requests[position]
                position += 1
                headers = {"Authorization": f"Bearer {r.token}"} if r.token else {}
                if r.body:
                    headers["Content-Type"] = "application/json"
                sent = time.perf_counter()
                try:
                    answer = await client.request(
                        r.method, r.path, headers=headers, content=r.body or None
                    )
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                statuses[str(answer.status_code)] += 1

        await asyncio.gather(*(connection() for _ in range(connections)))
        elapsed = time.perf_counter() - started
    return _Part(latencies, statuses, errors, elapsed, exhausted)


def _httpx_worker(job: tuple[str, list[Request], float, int, Mode]) -> _Part:
    return asyncio.run(_httpx_loop(*job))


def _percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


class HttpxLoad:
    """Several processes, each an asyncio httpx client with its share of connections."""

    name = "httpx"

    def __init__(self, processes: int = 2) -> None:
        self.processes = processes

    def version(self) -> str:
        return f"httpx {httpx.__version__}, {self.processes} processes"

    def run(
        self, port: int, requests: list[Request], *, seconds: float, connections: int, mode: Mode
    ) -> Measurement:
        n = max(1, min(self.processes, connections))
        if len(requests) >= n:
            shares = [requests[i::n] for i in range(n)]  # one-shot lines stay one-shot
        elif mode != "cycle":
            shares = [[r] for r in requests]
        else:
            shares = [requests] * n  # a single repeated request: every process sends it
        jobs = [
            (base_url(port), share, seconds, max(1, connections // len(shares)), mode)
            for share in shares
        ]
        with ProcessPoolExecutor(len(jobs), mp_context=get_context("spawn")) as pool:
            parts = list(pool.map(_httpx_worker, jobs))
        ordered = sorted(x for p in parts for x in p.latencies)
        statuses = sum((p.statuses for p in parts), Counter[str]())
        errors = sum((p.errors for p in parts), Counter[str]())
        elapsed = max(p.seconds for p in parts)
        return Measurement(
            generator=self.name,
            seconds=elapsed,
            answered=len(ordered),
            ok=sum(c for s, c in statuses.items() if s.startswith("2")),
            mean_ms=1000 * sum(ordered) / len(ordered) if ordered else 0.0,
            p50_ms=1000 * _percentile(ordered, 0.50),
            p90_ms=1000 * _percentile(ordered, 0.90),
            p99_ms=1000 * _percentile(ordered, 0.99),
            max_ms=1000 * (ordered[-1] if ordered else 0.0),
            statuses=dict(sorted(statuses.items())),
            socket_errors=dict(errors),
            exhausted=any(p.exhausted for p in parts),
        )
