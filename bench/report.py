"""The results as a markdown page (``bench/results/latest.md``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Row:
    label: str
    ok_per_second: float
    ratio: float  # to GET /health's throughput in the same run
    p50_ms: float
    p99_ms: float
    cpu_ms: float  # server CPU time per answered request
    answered: int
    failed: int  # answers other than 2xx, and socket errors
    exhausted: bool


@dataclass(frozen=True)
class Goal:
    goal: str
    measured: str
    met: bool | None  # None: not measured


def _verdict(met: bool | None) -> str:
    return "not measured yet" if met is None else ("**met**" if met else "**not met**")


def markdown(result: dict[str, Any], rows: list[Row], goals: list[Goal]) -> str:
    m = result["machine"]
    g = result["generator"]
    d = result["dataset"]
    c = d["counts"]
    lines = [
        f"# Rapport benchmark, {result['started']} ({result['mode']} run)",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB, {m['os']}, "
        f"Python {m['python']}; load average before/after "
        f"{result['load_average_before'][0]} / {result['load_average_after'][0]}.",
        f"Server: `{result['server']['command']}`, {result['server']['settings']}.",
        f"Load: {g['version']}, {g['connections']} connections, closed loop, 127.0.0.1, "
        f"{g['seconds_per_scenario']} s per scenario ({g['mixed_seconds']} s mixed); "
        f"compared scenarios alternate in {g['rounds']} rounds (p50/p99: median of rounds).",
        f"Data: {c['users']:,} users, {c['habits']:,} habits, {c['checkins']:,} check-ins, "
        f"{c['ledger']:,} ledger entries, {c['board_scores']:,} board rows, teams of "
        + ", ".join(f"{s:,}" for s in sorted(d["scale"]["team_sizes"]))
        + f", one active challenge ({c['challenge_participants']:,} taking part); "
        f"{c['database_bytes'] / 2**20:.0f} MiB, seeded in {d['seed_seconds']} s.",
        "",
    ]
    if g["name"] == "httpx":
        lines += [
            "**httpx fallback:** the Python client, not the server, limits `GET /health`, so "
            "every ratio to /health is overstated here; install wrk for real ratios.",
            "",
        ]
    lines += [
        "| scenario | ok req/s | x /health | p50 ms | p99 ms | server CPU ms/req | answered "
        "| failed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        note = " (ran out of fresh check-ins: rate understated)" if r.exhausted else ""
        lines.append(
            f"| {r.label}{note} | {r.ok_per_second:,.0f} | {r.ratio:.3f} | {r.p50_ms:.2f} | "
            f"{r.p99_ms:.2f} | {r.cpu_ms:.2f} | {r.answered:,} | {r.failed:,} |"
        )
    lines.append("| /sync | not measured yet | | | | | | |")
    lines.append("| TUI cold start | not measured yet | | | | | | |")
    memory = result["memory_mib"]
    lines += [
        "",
        f"Server memory (VmRSS): {memory['after_start']['VmRSS']} MiB after start, "
        f"{memory['after_mixed']['VmRSS']} MiB after the mixed load, peak (VmHWM) "
        f"{memory['at_end']['VmHWM']} MiB.",
        "",
        "| goal | measured | verdict |",
        "|---|---|---|",
    ]
    lines += [f"| {x.goal} | {x.measured} | {_verdict(x.met)} |" for x in goals]
    return "\n".join(lines) + "\n"
