"""Headers on every answer: nothing personal is cached, nothing is sniffed, OPTIONS tells
the truth, and the reference page runs only the script it pinned."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.api.document import REDOC_SRI, REDOC_URL
from shared.client import RapportClient

PASSWORD = "correct horse battery"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


async def test_answers_carrying_tokens_or_personal_data_are_never_stored(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    registered = await http.post(
        "/api/v1/auth/register", json={"handle": "zed", "password": PASSWORD}
    )
    logged_in = await http.post("/api/v1/auth/login", json={"handle": "zed", "password": PASSWORD})
    export = await ana.request("GET", "/api/v1/me/export")
    missing = await http.get("/api/v1/no-such-thing")
    for answer in (registered, logged_in, export, missing):
        assert answer.headers["cache-control"] == "no-store", answer.request.url
        assert answer.headers["x-content-type-options"] == "nosniff", answer.request.url
    assert (registered.status_code, logged_in.status_code, export.status_code) == (201, 200, 200)
    assert missing.status_code == 404


async def test_options_lists_every_method_the_document_gives_the_path(
    http: AsyncTestClient[Litestar],
) -> None:
    document = (await http.get("/schema/openapi.json")).json()
    checked = 0
    for template, operations in document["paths"].items():
        path = re.sub(r"\{[^}]+\}", "01a231bd-4c7b-701b-be7d-1021c334ef59", template)
        answer = await http.options(path)
        assert answer.status_code == 204, path
        allowed = {m.strip() for m in answer.headers["allow"].split(",")}
        documented = {
            m.upper() for m in operations if m in ("get", "post", "put", "patch", "delete")
        }
        assert allowed == documented | {"OPTIONS"}, path
        checked += 1
    assert checked > 30


async def test_the_reference_page_runs_one_pinned_script_checked_by_its_hash(
    http: AsyncTestClient[Litestar],
) -> None:
    page = await http.get("/schema")
    assert page.status_code == 200
    assert page.headers["x-content-type-options"] == "nosniff"
    external = re.findall(r"(?:src|href)=['\"](https?://[^'\"]+)", page.text)
    assert external == [REDOC_URL]
    assert re.search(r"@\d+\.\d+\.\d+/", REDOC_URL)  # a version, never "latest"
    assert f"integrity='{REDOC_SRI}'" in page.text
    assert REDOC_SRI.startswith("sha384-")
