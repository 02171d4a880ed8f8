"""A reminder for real, on the wall clock: ``python bench/reminder_live.py [--ahead 2]``.

Starts ``rapport-server`` on a fresh SQLite file (or ``--database postgresql://...``; with
``--instances 2`` two servers share it), as a user would run it: the notification worker on
its default 15-second interval, no fake clock. One user (in the machine's own time zone
named with ``--timezone``, default UTC) makes two habits with a reminder ``--ahead``
minutes from now, checks one of them in, and listens on every channel: a webhook receiver,
a local "push service" that decrypts each message with the subscription's private key and
verifies the VAPID token, and the live event stream. Waits until two minutes after the
reminder, then prints what came on each channel and how long after its moment. Expected:
exactly one reminder per channel, for the habit not done.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import http_ece  # type: ignore[import-untyped]
import httpx
from py_vapid import Vapid02  # type: ignore[import-untyped]
from standardwebhooks import Webhook

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import free_port
from tests.notify import Browser, Receiver


def start(port: int, database: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    env["RAPPORT_WEBHOOKS_ALLOW_PRIVATE"] = "true"  # the receivers listen on 127.0.0.1
    return subprocess.Popen(
        [sys.executable, "-m", "server", "--port", str(port), "--database", database,
         "--log-level", "warning"],
        env=env,
    )  # fmt: skip


def wait_ready(base: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(f"{base}/health/ready").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{base} did not start")


def listen(base: str, token: str, seen: list[tuple[datetime, dict[str, object]]]) -> None:
    headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
    with httpx.stream("GET", f"{base}/api/v1/events", headers=headers, timeout=None) as r:
        event = ""
        for line in r.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "reminder":
                seen.append((datetime.now(UTC), json.loads(line.split(":", 1)[1])))


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/reminder_live.py")
    parser.add_argument("--ahead", type=int, default=2, help="minutes until the reminder")
    parser.add_argument("--timezone", default="UTC")
    parser.add_argument("--database", default=None, help="a postgresql:// URL (default SQLite)")
    parser.add_argument("--instances", type=int, default=1)
    args = parser.parse_args()
    hooks, pushes = Receiver().start(), Receiver().start()
    browser = Browser.new()
    with tempfile.TemporaryDirectory() as tmp:
        database = args.database or str(Path(tmp) / "live.db")
        ports = [free_port() for _ in range(args.instances)]
        servers = []
        for port in ports:  # one at a time: the first migrates the database
            servers.append(start(port, database))
            wait_ready(f"http://127.0.0.1:{port}")
        base = f"http://127.0.0.1:{ports[0]}"
        try:
            token = httpx.post(
                f"{base}/api/v1/auth/register",
                json={"handle": f"live{os.getpid()}", "password": "long enough password",
                      "timezone": args.timezone},
            ).json()["token"]  # fmt: skip
            auth = {"Authorization": f"Bearer {token}"}
            secret = httpx.post(
                f"{base}/api/v1/me/webhooks", headers=auth,
                json={"url": f"{hooks.url}/hook", "events": ["habit.reminder"]},
            ).json()["secret"]  # fmt: skip
            httpx.post(
                f"{base}/api/v1/me/push-subscriptions", headers=auth,
                json=browser.subscription(f"{pushes.url}/push/device-1"),
            ).raise_for_status()  # fmt: skip
            key = httpx.get(f"{base}/api/v1/push/vapid-public-key").json()["key"]
            live: list[tuple[datetime, dict[str, object]]] = []
            threading.Thread(target=listen, args=(base, token, live), daemon=True).start()

            now = datetime.now(ZoneInfo(args.timezone))
            moment = (now + timedelta(minutes=args.ahead)).replace(second=0, microsecond=0)
            local = moment.strftime("%H:%M")
            made = {}
            for title in ("Ask for feedback", "Keep a promise"):
                made[title] = httpx.post(
                    f"{base}/api/v1/habits", headers=auth,
                    json={"title": title, "category": "relationships",
                          "schedule": {"type": "daily"}, "reminders": [local]},
                ).json()["id"]  # fmt: skip
            httpx.post(
                f"{base}/api/v1/habits/{made['Keep a promise']}/checkins", headers=auth, json={}
            ).raise_for_status()
            print(f"reminder at {local} ({args.timezone}) for two habits, one already done;"
                  f" {args.instances} instance(s); waiting...", flush=True)  # fmt: skip
            until = moment.astimezone(UTC) + timedelta(minutes=2)
            while datetime.now(UTC) < until:
                time.sleep(1)

            at = moment.astimezone(UTC)
            print(f"the moment: {at:%H:%M:%S} UTC")
            for got in hooks.got:
                body = Webhook(secret).verify(got.body, got.headers)
                late = (got.at - at).total_seconds()
                print(f"webhook: {body['data']['title']!r} {got.headers['webhook-id']}"
                      f" (signature verified) {late:.1f} s after")  # fmt: skip
            for got in pushes.got:
                shown = json.loads(
                    http_ece.decrypt(got.body, private_key=browser.private_key,
                                     auth_secret=browser.auth, version="aes128gcm")
                )  # fmt: skip
                signed = Vapid02.verify(got.headers["authorization"])
                ours = f"k={key}" in got.headers["authorization"]
                late = (got.at - at).total_seconds()
                print(f"push: {shown['title']!r} decrypted; VAPID verified={signed},"
                      f" server key={ours}; {late:.1f} s after")  # fmt: skip
            for when, event in live:
                print(f"live event: {event['title']!r} {(when - at).total_seconds():.1f} s after")
            counts = (len(hooks.got), len(pushes.got), len(live))
            print(f"webhook {counts[0]}, push {counts[1]}, live {counts[2]} (expected 1 each)")
            return 0 if counts == (1, 1, 1) else 1
        finally:
            for server in servers:
                server.terminate()
                server.wait()
            hooks.stop()
            pushes.stop()


if __name__ == "__main__":
    raise SystemExit(main())
