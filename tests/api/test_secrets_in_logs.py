"""No token or password ever reaches the server's logs, even at debug level."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

from tests.conftest import Databases

PASSWORD = "hunter2-but-longer-than-eight"


def test_tokens_and_passwords_never_appear_in_logs(databases: Databases) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {**os.environ, "RAPPORT_DATABASE": databases.new("logs")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--port", str(port), "--log-level", "debug"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        token = httpx.post(
            f"{base}/api/v1/auth/register", json={"handle": "logan", "password": PASSWORD}
        ).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        assert httpx.get(f"{base}/api/v1/me", headers=auth).status_code == 200
        httpx.post(f"{base}/api/v1/auth/login", json={"handle": "logan", "password": "wrong!!!!"})
        httpx.post(f"{base}/api/v1/auth/login", json={"handle": "logan", "password": PASSWORD})
        httpx.get(f"{base}/api/v1/me", headers={"Authorization": "Bearer rpt_forged-token"})
        httpx.post(f"{base}/api/v1/auth/register", json={"handle": "x", "password": PASSWORD})
        assert httpx.post(f"{base}/api/v1/auth/logout", headers=auth).status_code == 204
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=10)
    logs = output.decode(errors="replace")
    assert "POST /api/v1/auth/login" in logs  # the log did record the requests
    for secret in (token, token.removeprefix("rpt_"), PASSWORD, "wrong!!!!", "forged-token"):
        assert secret not in logs
