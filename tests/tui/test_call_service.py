"""``call_service``: how a screen asks the service to change something. The answer, or None
with an error toast (never an exception out of the worker)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import httpx

from shared import schemas
from shared.client import ApiError, RapportClient
from tui.app import RapportApp
from tui.screens.base import call_service


class StubApp:
    """The two things ``call_service`` uses of the app: the session and ``notify``."""

    def __init__(self, client: object | None) -> None:
        self.session = None if client is None else SimpleNamespace(client=client)
        self.toasts: list[tuple[str, dict[str, Any]]] = []

    def notify(self, message: str, **options: Any) -> None:
        self.toasts.append((message, options))


async def call(app: StubApp, request: Any) -> object:
    return await call_service(cast(RapportApp, app), "Not saved", request)


async def test_the_answer_comes_back_and_nothing_is_said() -> None:
    client = object()
    app = StubApp(client)

    async def request(given: RapportClient) -> str:
        assert given is client
        return "answer"

    assert await call(app, request) == "answer"
    assert app.toasts == []


async def test_without_a_session_nothing_is_asked() -> None:
    app = StubApp(None)

    async def request(given: RapportClient) -> str:
        raise AssertionError("asked without a session")

    assert await call(app, request) is None
    assert app.toasts == []


async def test_a_refusal_or_a_lost_server_is_an_error_toast() -> None:
    app = StubApp(object())
    problem = schemas.Problem(
        type="about:blank", title="Conflict", status=409, detail="already a member"
    )
    failures: list[Exception] = [
        ApiError(409, problem, b""),
        httpx.ConnectError("refused"),
    ]
    for failure in failures:

        async def request(given: RapportClient, failure: Exception = failure) -> str:
            raise failure

        assert await call(app, request) is None
    assert app.toasts == [
        ("Already a member", {"title": "Not saved", "severity": "error"}),
        ("Cannot reach the server.", {"title": "Not saved", "severity": "error"}),
    ]
