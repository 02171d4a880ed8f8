"""Bodies are read only as what they say they are, and a body no person would send gets
a 4xx, never a 500, and changes nothing."""

from __future__ import annotations

import pytest
from litestar import Litestar, Request
from litestar.testing import AsyncTestClient

from server.api.problems import handle_too_deep
from shared.client import RapportClient

HABIT = b'{"title":"Reps","category":"results","schedule":{"type":"daily"}}'


def _auth(client: RapportClient) -> dict[str, str]:
    assert client.token is not None
    return {"Authorization": f"Bearer {client.token}"}


async def _habit_count(client: RapportClient) -> int:
    return len((await client.request("GET", "/api/v1/habits")).json()["items"])


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None],
)
async def test_a_json_body_sent_as_another_type_is_415_and_changes_nothing(
    http: AsyncTestClient[Litestar], ana: RapportClient, content_type: str | None
) -> None:
    headers = _auth(ana) | ({"Content-Type": content_type} if content_type else {})
    request = http.build_request("POST", "/api/v1/habits", content=HABIT, headers=headers)
    if content_type is None:
        request.headers.pop("Content-Type", None)
    answer = await http.send(request)
    assert answer.status_code == 415, answer.text
    assert answer.json()["type"].endswith("/unsupported-media-type")
    assert await _habit_count(ana) == 0


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8"])
async def test_json_is_read_as_json(
    http: AsyncTestClient[Litestar], ana: RapportClient, content_type: str
) -> None:
    answer = await http.post(
        "/api/v1/habits", content=HABIT, headers=_auth(ana) | {"Content-Type": content_type}
    )
    assert answer.status_code == 201, answer.text
    assert await _habit_count(ana) == 1


async def test_json_nested_thousands_deep_is_400_not_a_crash(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    for deep in (
        b"[" * 100_000 + b"]" * 100_000,
        b'{"title":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ):
        answer = await http.post(
            "/api/v1/habits",
            content=deep,
            headers=_auth(ana) | {"Content-Type": "application/json"},
        )
        assert answer.status_code == 400
        assert answer.json()["status"] == 400
    assert await _habit_count(ana) == 0


def test_a_recursion_error_while_reading_a_body_is_the_requests_fault() -> None:
    request = Request(scope={"type": "http", "method": "POST", "path": "/", "headers": []})  # type: ignore[typeddict-item]
    answer = handle_too_deep(request, RecursionError())
    assert answer.status_code == 400
    assert b"nested too deeply" in answer.content


async def test_a_loop_import_must_say_it_is_a_zip(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    answer = await http.post(
        "/api/v1/me/import/loop",
        content=b"PK\x03\x04",
        headers=_auth(ana) | {"Content-Type": "application/json"},
    )
    assert answer.status_code == 415
    assert await _habit_count(ana) == 0


async def test_every_operation_that_reads_a_body_documents_415(
    http: AsyncTestClient[Litestar],
) -> None:
    document = (await http.get("/schema/openapi.json")).json()
    with_body = [
        (path, method, operation)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if isinstance(operation, dict) and "requestBody" in operation
    ]
    assert len(with_body) > 10
    for path, method, operation in with_body:
        assert "415" in operation["responses"], (method, path)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target": "2", "kind": "count"}, "target"),  # a string is no integer
        ({"target": 2.5, "kind": "count"}, "target"),  # nor is a fraction
        ({"title": 7}, "title"),
        ({"schedule": {"type": "times_per_week", "times": "3"}}, "schedule.times"),
    ],
)
async def test_json_of_the_wrong_type_is_400_even_when_it_could_be_converted(
    http: AsyncTestClient[Litestar], ana: RapportClient, body: dict[str, object], field: str
) -> None:
    sent = {"title": "Reps", "category": "results", "schedule": {"type": "daily"}} | body
    answer = await http.post("/api/v1/habits", json=sent, headers=_auth(ana))
    assert answer.status_code == 400, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert await _habit_count(ana) == 0


async def test_a_number_is_no_yes_or_no(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    habit = await http.post(
        "/api/v1/habits",
        json={"title": "Reps", "category": "results", "schedule": {"type": "daily"}},
        headers=_auth(ana),
    )
    checkins = f"/api/v1/habits/{habit.json()['id']}/checkins"
    answer = await http.post(checkins, json={"skip": 1}, headers=_auth(ana))
    assert answer.status_code == 400
    assert [e["field"] for e in answer.json()["errors"]] == ["skip"]
    assert (await http.get(checkins, headers=_auth(ana))).json()["items"] == []
