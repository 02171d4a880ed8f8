"""Outgoing requests never reach loopback, private or link-local addresses (unless the
operator allows them): refused when the URL says so, and when the name resolves there at
the moment of sending."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from shared.client import ApiError, RapportClient
from tests.conftest import on_app_loop
from tests.notify import push_subscription

PRIVATE = [
    "http://hooks.example.com/plain-http",
    "https://127.0.0.1/x",
    "https://localhost:8443/x",
    "https://api.localhost/x",
    "https://[::1]/x",
    "https://10.0.0.5/x",
    "https://192.168.1.1/x",
    "https://169.254.169.254/latest/meta-data",
    "https://[fd00::1]/x",
    "https://0.0.0.0/x",
    "https://2130706433/x",  # 127.0.0.1 as one number
    "https://intranet/x",  # a single-label name: the local search domain
    "https://hooks.example.com:abc/x",  # no port
    "https://xn--/x",  # not a name
    f"https://{'a' * 64}.example.com/x",  # a label longer than DNS allows
    "https://a..b.com/x",
]


@pytest.mark.parametrize("url", PRIVATE)
async def test_a_webhook_or_push_endpoint_at_a_private_address_is_refused(
    ana: RapportClient, url: str
) -> None:
    with pytest.raises(ApiError) as err:
        await ana.request("POST", "/api/v1/me/webhooks", body={"url": url})
    assert err.value.status == 422
    with pytest.raises(ApiError) as err:
        await ana.request("POST", "/api/v1/me/push-subscriptions", body=push_subscription(url))
    assert err.value.status == 422
    assert (await ana.request("GET", "/api/v1/me/webhooks")).json() == []


async def test_a_name_that_resolves_to_a_private_address_is_refused_when_sending(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    worker = http.app.state.worker
    asked: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["93.184.215.14", "127.0.0.1"]  # one public address is not enough

    worker.outbound.resolver = rebinding
    made = (
        await ana.request(
            "POST", "/api/v1/me/webhooks",
            body={"url": "https://hooks.example.com/in", "events": ["checkin.created"]},
        )
    ).json()  # fmt: skip
    body = {"title": "Listen", "category": "results", "schedule": {"type": "daily"}}
    habit_id = (await ana.request("POST", "/api/v1/habits", body=body)).json()["id"]
    await ana.request("POST", f"/api/v1/habits/{habit_id}/checkins", body={})
    await on_app_loop(http, worker.tick)
    await on_app_loop(http, worker.tick)

    assert asked == ["hooks.example.com"]  # resolved when sending; not tried again
    log = (await ana.request("GET", f"/api/v1/me/webhooks/{made['id']}/deliveries")).json()
    assert [(d["attempt"], d["status_code"]) for d in log] == [(1, None)]
    # Where the name points stays in the server's log, not in the user's answer.
    assert log[0]["error"] == "refused: the host's address is not allowed"
