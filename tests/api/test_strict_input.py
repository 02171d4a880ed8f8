"""Bodies are read only as what they say they are, and a body no person would send gets
a 4xx, never a 500, and changes nothing."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

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
    deep = b"[" * 100_000 + b"]" * 100_000
    answer = await http.post(
        "/api/v1/habits", content=deep, headers=_auth(ana) | {"Content-Type": "application/json"}
    )
    assert answer.status_code == 400
    assert "nested too deeply" in answer.json()["detail"]
    assert await _habit_count(ana) == 0


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
