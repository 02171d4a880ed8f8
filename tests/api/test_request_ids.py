"""Request ids (``X-Request-ID``, echoed and in problem details), the access log, and
``--log-format json``: one JSON object per line, never a token or a password."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.api.requests_log import user_hash
from shared.client import RapportClient
from tests.conftest import Databases, ServerProcess


async def test_a_request_id_is_echoed_kept_or_made(http: AsyncTestClient[Litestar]) -> None:
    kept = await http.get("/health", headers={"X-Request-ID": "mobile-42.a_b"})
    assert kept.headers["x-request-id"] == "mobile-42.a_b"
    made = await http.get("/health", headers={"X-Request-ID": "no spaces\\or slashes/ok"})
    assert made.headers["x-request-id"] != "no spaces\\or slashes/ok"
    assert len(made.headers["x-request-id"]) == 32
    other = await http.get("/health")
    assert other.headers["x-request-id"] not in (made.headers["x-request-id"], "")


async def test_a_problem_detail_names_its_request(http: AsyncTestClient[Litestar]) -> None:
    for response in (
        await http.get("/api/v1/me"),  # 401 from the auth middleware
        await http.get("/no/such/route"),  # a router 404
        await http.post("/api/v1/auth/login", json={"handle": ""}),  # 400
    ):
        assert response.status_code >= 400
        assert response.json()["request_id"] == response.headers["x-request-id"]


async def test_the_access_log_names_route_status_and_a_user_hash_never_a_token(
    ana: RapportClient, caplog: pytest.LogCaptureFixture
) -> None:
    me = await ana.me()
    caplog.set_level(logging.INFO, logger="rapport.access")
    caplog.clear()
    await ana.request("GET", "/api/v1/habits")
    [line] = [r for r in caplog.records if r.name == "rapport.access"]
    assert (line.method, line.route, line.status) == ("GET", "/api/v1/habits", 200)  # type: ignore[attr-defined]
    assert line.user == user_hash(str(me.id))  # type: ignore[attr-defined]
    assert line.duration_ms >= 0  # type: ignore[attr-defined]
    assert ana.token is not None
    assert ana.token not in caplog.text


def test_log_format_json_writes_one_object_a_line(databases: Databases) -> None:
    server = ServerProcess(databases.new(), None, "--log-format", "json", "--log-level", "info")
    try:
        server.wait_ready()
        password = "a long enough password"
        answer = httpx.post(
            f"{server.base}/api/v1/auth/register",
            json={"handle": "logged", "password": password},
            headers={"X-Request-ID": "find-me-1"},
        )
        token = answer.json()["token"]
        httpx.get(f"{server.base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    finally:
        log = server.stop()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert lines, log
    assert all(line.startswith("{") for line in log.splitlines() if line.strip()), log
    [register] = [x for x in lines if x.get("request_id") == "find-me-1"]
    assert register["route"] == "/api/v1/auth/register"
    assert register["status"] == 201
    assert any(x.get("route") == "/api/v1/me" and x.get("user") for x in lines)
    assert token not in log
    assert password not in log
