"""TUI cold start: from launching the process to the first screen painted.

Runs `rapport` (the real entry point's app, connector and in-process server) headless in
a fresh process, N times, and reports the median wall time from process launch until
the first screen has been composed and rendered (the app then exits). Two cases:

- first run: an empty data directory (the welcome screen);
- daily use: a local profile with 90 days of history, made beforehand exactly as
  `rapport --demo` makes one, opened as the person's own profile (the Today screen, which
  loads its habits through the in-process server).

    /work/venv/bin/python bench/tui_cold_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 1.0

CHILD = """
import asyncio, sys
from tui.app import RapportApp, build_connector, parse_args

args = parse_args(sys.argv[1:])
app = RapportApp(build_connector(args))

async def first_paint(pilot):
    for _ in range(200):  # until a real screen (not the loading one) is showing
        await pilot.pause()
        if type(pilot.app.screen).__name__ not in ("LoadingScreen", "Screen"):
            break
        await asyncio.sleep(0.005)
    print("screen:", type(pilot.app.screen).__name__, flush=True)
    pilot.app.exit()

async def main():
    try:
        await app.run_async(headless=True, size=(80, 24), auto_pilot=first_paint)
    finally:
        if app.session is not None:
            await app.session.close()
        await app.connector.close()

asyncio.run(main())
"""


def launch(args: list[str], config_home: Path) -> tuple[float, str]:
    env = {**os.environ, "XDG_CONFIG_HOME": str(config_home)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args], capture_output=True, text=True, timeout=120, env=env
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    screen = next((line for line in done.stdout.splitlines() if line.startswith("screen:")), "")
    return elapsed, screen.removeprefix("screen: ")


async def _daily_profile(data_dir: Path, config_home: Path) -> None:
    """A local profile with 90 days of history ending now, and its config.toml."""
    from datetime import UTC, datetime

    from shared.client import RapportClient
    from tui.config import Config, ConfigStore, LocalProfile
    from tui.demo import DEMO_HANDLE, DEMO_PASSWORD, DemoClock, build_demo
    from tui.launch import LocalServer

    clock = DemoClock(datetime.now(UTC))
    server = LocalServer(data_dir / "rapport.db", clock=clock)
    http = await server.start()
    try:
        auth = await build_demo(RapportClient(http=http), clock, end=datetime.now(UTC))
    finally:
        await server.stop()
    ConfigStore(config_home / "rapport" / "config.toml").save(
        Config(local=LocalProfile(handle=DEMO_HANDLE, password=DEMO_PASSWORD, token=auth.token))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        daily, daily_config = root / "daily", root / "daily-config"
        daily.mkdir(parents=True)
        asyncio.run(_daily_profile(daily, daily_config))
        cases = {
            "first run (welcome screen)": lambda n: (
                ["--data-dir", str(root / f"new{n}")], root / f"new-config{n}",
            ),
            "daily use (Today screen, 90 days of history)": lambda n: (
                ["--data-dir", str(daily)], daily_config,
            ),
        }  # fmt: skip
        for name, make in cases.items():
            times, screens = [], set()
            for n in range(options.runs):
                args, config_home = make(n)
                seconds, screen = launch(args, config_home)
                times.append(seconds)
                screens.add(screen)
            results[name] = {
                "median_s": round(statistics.median(times), 3),
                "max_s": round(max(times), 3),
                "screens": sorted(screens),
            }
    print("| case | median s | max s | screen | goal <= 1.0 s |")
    print("|---|---:|---:|---|---|")
    for name, r in results.items():
        verdict = "met" if float(str(r["median_s"])) <= GOAL_SECONDS else "not met"
        print(
            f"| {name} | {r['median_s']} | {r['max_s']} | {', '.join(r['screens'])} | {verdict} |"
        )  # type: ignore[arg-type]
    out = Path(__file__).parent / "results" / "tui_cold_start.json"
    out.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
