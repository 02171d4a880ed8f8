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
    mode: str = "cycle"  # how its requests were replayed (loadgen.Mode)


@dataclass(frozen=True)
class SyncCost:
    key: str
    entities: float  # changes per answer (from the probe before the load)
    bytes: float  # per answer
    cpu_ms: float  # server CPU per request
    cpu_ms_per_entity: float
    p50_ms_per_entity: float
    kinds: str = ""  # e.g. "ledger 3, checkin 1, profile 1" (mean per answer)


@dataclass(frozen=True)
class TuiCase:
    case: str
    median_s: float
    max_s: float
    screens: str
    source: str


@dataclass(frozen=True)
class Goal:
    goal: str
    measured: str
    met: bool | None  # None: not measured


def _verdict(met: bool | None) -> str:
    return "not measured yet" if met is None else ("**met**" if met else "**not met**")


def _exhausted(row: Row) -> str:
    if not row.exhausted:
        return ""
    if row.mode == "writes-once":
        return " (ran out of fresh check-ins: the rest of the phase was reads only)"
    return " (ran out of fresh check-ins: rate understated)"


def markdown(
    result: dict[str, Any],
    rows: list[Row],
    goals: list[Goal],
    *,
    sync: list[SyncCost] | None = None,
    tui: list[TuiCase] | None = None,
) -> str:
    m = result["machine"]
    g = result["generator"]
    d = result["dataset"]
    c = d["counts"]
    server = result["server"]
    lines = [
        f"# Rapport benchmark, {result['started']} ({result['mode']} run)",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB, {m['os']}, "
        f"Python {m['python']}; load average before/after "
        f"{result['load_average_before'][0]} / {result['load_average_after'][0]}.",
        f"Server: `{server['command']}` ({server.get('asgi_version', 'uvicorn')}), "
        f"{server['settings']}.",
        f"Load: {g['version']}, {g['connections']} connections, closed loop, 127.0.0.1, "
        f"{g['seconds_per_scenario']} s per scenario ({g['mixed_seconds']} s mixed); "
        f"compared scenarios alternate in {g['rounds']} rounds (p50/p99: median of rounds).",
        f"Data: {c['users']:,} users, {c['habits']:,} habits, {c['checkins']:,} check-ins, "
        f"{c['ledger']:,} ledger entries, {c['board_scores']:,} board rows, "
        f"{c.get('changes', 0):,} change-log rows, teams of "
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
        lines.append(
            f"| {r.label}{_exhausted(r)} | {r.ok_per_second:,.0f} | {r.ratio:.3f} | "
            f"{r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.cpu_ms:.2f} | {r.answered:,} | {r.failed:,} |"
        )
    if tui:
        for t in tui:
            lines.append(
                f"| TUI cold start, {t.case}: median {t.median_s:.3f} s, max {t.max_s:.3f} s "
                f"({t.screens}) | | | | | | | |"
            )
    else:
        lines.append("| TUI cold start | not measured yet | | | | | | |")
    if sync:
        lines += [
            "",
            "Sync cost per entity sent (entities and bytes per answer from a sample of each "
            "scenario's requests sent once before the load):",
            "",
            "| scenario | entities per answer | of which | KiB per answer | server CPU ms/req "
            "| CPU ms per entity | p50 ms per entity |",
            "|---|---:|---|---:|---:|---:|---:|",
        ]
        lines += [
            f"| `{x.key}` | {x.entities:,.0f} | {x.kinds} | {x.bytes / 1024:,.1f} | "
            f"{x.cpu_ms:.2f} | {x.cpu_ms_per_entity:.3f} | {x.p50_ms_per_entity:.3f} |"
            for x in sync
        ]
    memory = result["memory_mib"]
    samples = memory.get("mixed_samples", [])
    trace = ", ".join(f"{t:.0f} s: {v:.1f}" for t, v in samples)
    lines += [
        "",
        f"Server memory (VmRSS, the server process and any children): "
        f"{memory['after_start']['VmRSS']} MiB after start, "
        f"{memory['after_mixed']['VmRSS']} MiB after the mixed load (PSS "
        f"{memory['after_mixed'].get('Pss', '?')}), peak (VmHWM) {memory['at_end']['VmHWM']} MiB.",
        f"During the mixed load, every {g.get('rss_every_seconds', '?')} s (MiB): {trace}.",
        "",
        "| goal | measured | verdict |",
        "|---|---|---|",
    ]
    lines += [f"| {x.goal} | {x.measured} | {_verdict(x.met)} |" for x in goals]
    return "\n".join(lines) + "\n"
