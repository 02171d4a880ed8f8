"""TUI cold start: from launching the process to the first screen painted.

Runs `rapport` (the real entry point's app, connector and in-process server) headless in
a fresh process, N times, and reports the median wall time from process launch until
the first real screen has been composed and rendered with its content: the welcome form,
or the Today screen with its habit rows (the app then exits; shutting down is not
counted). Three cases:

- first run: an empty data directory (the welcome screen);
- daily use: a local profile with 90 days of history, made beforehand exactly as
  `rapport --demo` makes one, opened as the person's own profile, which was opened once
  before (an untimed launch), so the Today screen it saved is on disk;
- daily use with nothing saved: the same, with the saved Today screen deleted before
  each launch, so Today waits for the in-process server.

For Today it also records when the live answer replaced the saved one ("live_s").

    .venv/bin/python bench/tui_cold_start.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_SECONDS = 1.0

CHILD = """
import asyncio, sys, time
from tui.app import RapportApp, build_connector, parse_args

args = parse_args(sys.argv[1:])
app = RapportApp(build_connector(args))
painted = {}

def shown(screen):
    name = type(screen).__name__
    if name in ("LoadingScreen", "Screen"):
        return False
    return name != "TodayScreen" or bool(screen.query("HabitRow"))

# The moment a frame of a real screen with its content is composed for the terminal
# (headless, the frame is then dropped). Not pilot.pause(): it waits for an idle CPU.
display = app._display
def timed_display(screen, renderable):
    if renderable is not None and not painted and shown(screen):
        painted["at"] = time.time()
        painted["saved"] = getattr(screen, "saved_at", None) is not None
        painted["screen"] = screen
    display(screen, renderable)
app._display = timed_display

async def first_paint(pilot):
    while not painted:
        await asyncio.sleep(0.005)
    screen = painted["screen"]
    while getattr(screen, "saved_at", None) is not None:  # until the live answer is shown
        await asyncio.sleep(0.005)
    live = time.time()
    rows = len(screen.query("HabitRow"))
    source = "saved" if painted["saved"] else "live"
    print("screen:", type(screen).__name__, rows, source, painted["at"], live, flush=True)
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


def launch(args: list[str], config_home: Path) -> tuple[float, float, str]:
    """Seconds from launch to the first paint and to live data, and what was painted."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(config_home)}
    started = time.time()  # the child reports wall-clock times
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args], capture_output=True, text=True, timeout=120, env=env
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    line = next((line for line in done.stdout.splitlines() if line.startswith("screen:")), "")
    _, name, rows, source, painted, live = line.split()
    what = f"{name}, {rows} habits {'from disk' if source == 'saved' else 'live'}"
    return float(painted) - started, float(live) - started, name if name != "TodayScreen" else what


async def _daily_profile(data_dir: Path, config_home: Path) -> None:
    """A local profile with 90 days of history ending now, and its config.toml."""
    from datetime import UTC, datetime

    from shared.client import RapportClient
    from tui.config import Config, ConfigStore, LocalProfile
    from tui.demo import DEMO_HANDLE, DEMO_PASSWORD, DemoClock, build_demo
    from tui.launch import LocalServer

    clock = DemoClock(datetime.now(UTC))
    server = LocalServer(data_dir / "rapport.db", clock=clock, log_file=data_dir / "server.log")
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
        launch(["--data-dir", str(daily)], daily_config)  # yesterday's use: saves Today

        def forget_today(n: int) -> tuple[list[str], Path]:
            shutil.rmtree(daily / "cache", ignore_errors=True)
            return ["--data-dir", str(daily)], daily_config

        cases = {
            "first run (welcome screen)": lambda n: (
                ["--data-dir", str(root / f"new{n}")], root / f"new-config{n}",
            ),
            "daily use (Today screen, 90 days of history)": lambda n: (
                ["--data-dir", str(daily)], daily_config,
            ),
            "daily use, no saved Today (first start after an upgrade)": forget_today,
        }  # fmt: skip
        for name, make in cases.items():
            times, lives, screens = [], [], set()
            for n in range(options.runs):
                args, config_home = make(n)
                seconds, live, screen = launch(args, config_home)
                times.append(seconds)
                lives.append(live)
                screens.add(screen)
            results[name] = {
                "median_s": round(statistics.median(times), 3),
                "max_s": round(max(times), 3),
                "live_median_s": round(statistics.median(lives), 3),
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
