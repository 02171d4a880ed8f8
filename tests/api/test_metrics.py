"""``GET /metrics``: Prometheus text a scraper parses, requests by route template, and the
server's own counts; a token when the operator sets one."""

from __future__ import annotations

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from server.settings import Settings
from shared.client import RapportClient


async def scrape(http: AsyncTestClient[Litestar], **headers: str) -> dict[str, list[object]]:
    response = await http.get("/metrics", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        family.name: list(family.samples)
        for family in text_string_to_metric_families(response.text)
    }


def value(families: dict[str, list[object]], name: str, **labels: str) -> float:
    """The sample ``name`` whose labels include ``labels`` (0 when there is none)."""
    for family in families.values():
        for sample in family:
            if sample.name == name and labels.items() <= sample.labels.items():  # type: ignore[attr-defined]
                return float(sample.value)  # type: ignore[attr-defined]
    return 0.0


async def test_metrics_count_requests_by_route_check_ins_and_commits(
    http: AsyncTestClient[Litestar], ana: RapportClient, postgres: str | None
) -> None:
    before = await scrape(http)
    body = {"title": "Listen", "category": "results", "schedule": {"type": "daily"}}
    habit_id = (await ana.request("POST", "/api/v1/habits", body=body)).json()["id"]
    await ana.request("POST", f"/api/v1/habits/{habit_id}/checkins", body={})
    await http.get("/no/such/place/12345")
    after = await scrape(http)

    # One process, one set of metrics: what this test did is the difference.
    route = {"path": "/api/v1/habits/{habit_id}/checkins", "method": "POST", "status_code": "201"}
    made = value(after, "rapport_requests_total", **route)
    assert made - value(before, "rapport_requests_total", **route) == 1
    assert value(after, "rapport_checkins_total") - value(before, "rapport_checkins_total") == 1
    assert "/no/such/place/12345" not in str(after)  # unknown paths are not recorded
    assert "rapport_request_duration_seconds" in after
    assert "rapport_outbox_pending" in after
    assert "rapport_event_stream_subscribers" in after
    if postgres is None:
        commits = "rapport_sqlite_commit_batch_blocks_count"
        assert value(after, commits) > value(before, commits)
    else:
        assert value(after, "rapport_pool_connections", state="idle") >= 1


class TestWithAToken:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return msgspec.structs.replace(settings, metrics_token="scrape-me")

    async def test_metrics_ask_for_it(
        self, http: AsyncTestClient[Litestar], ana: RapportClient
    ) -> None:
        assert (await http.get("/metrics")).status_code == 401
        user_token = {"Authorization": f"Bearer {ana.token}"}
        assert (await http.get("/metrics", headers=user_token)).status_code == 401
        families = await scrape(http, Authorization="Bearer scrape-me")
        assert "rapport_checkins" in families
