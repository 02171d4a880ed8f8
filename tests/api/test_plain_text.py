"""Text a person types carries no control characters and no bidirectional overrides: a
NUL that PostgreSQL cannot store, or a name that reads as someone else's, is a 400 that
changes nothing, on every store (it was a 500 on PostgreSQL)."""

from __future__ import annotations

import pytest

from server.services.paging import encode_cursor
from shared.client import RapportClient
from tests.conftest import fails

BAD = ["Deliver\x00", "\u202eevil", "bell\x07", "esc\x1b[31m", "two\nlines", "tab\tbed", "\ufffe"]


@pytest.mark.parametrize("text", BAD)
async def test_a_habit_title_with_control_or_override_characters_is_refused(
    ana: RapportClient, text: str
) -> None:
    body = {"title": text, "category": "results", "schedule": {"type": "daily"}}
    error = await fails(ana.request("POST", "/api/v1/habits", body=body))
    assert error.status == 400
    assert error.problem is not None
    assert "title: must be one line, without control characters" in error.problem.detail
    assert (await ana.request("GET", "/api/v1/habits")).json()["items"] == []


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/me", {"display_name": "Ana\x00"}),
        ("/api/v1/teams", {"name": "Crew\u2066"}),
        ("/api/v1/auth/login", {"handle": "ana\x00", "password": "a long enough password"}),
    ],
)
async def test_names_and_handles_with_a_nul_are_refused(
    ana: RapportClient, path: str, body: dict[str, str]
) -> None:
    method = "PATCH" if path == "/api/v1/me" else "POST"
    error = await fails(ana.request(method, path, body=body))
    assert error.status == 400
    assert (await ana.me()).display_name == "ana"


async def test_tab_and_line_breaks_stay_allowed_in_notes(ana: RapportClient) -> None:
    body = {"title": "Listen", "category": "relationships", "schedule": {"type": "daily"}}
    habit = (await ana.request("POST", "/api/v1/habits", body=body)).json()
    note = "asked\tthree questions\nlistened to the answers"
    response = await ana.request(
        "POST", f"/api/v1/habits/{habit['id']}/checkins", body={"note": note}
    )
    assert response.status_code == 201
    assert response.json()["checkin"]["note"] == note


async def test_a_forged_cursor_carrying_a_nul_is_a_bad_cursor(ana: RapportClient) -> None:
    cursor = encode_cursor("2026-03-11T12:00:00+00:00", "x\x00")
    error = await fails(ana.request("GET", "/api/v1/habits", params={"cursor": cursor}))
    assert error.problem is not None
    assert (error.status, error.problem.type.rsplit("/", 1)[-1]) == (400, "bad-cursor")


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("PATCH", "/api/v1/me", {"display_name": "   "}, "display_name"),
        ("POST", "/api/v1/teams", {"name": " \u3000 "}, "name"),
        ("POST", "/api/v1/habits", {"title": "  ", "category": "results",
                                     "schedule": {"type": "daily"}}, "title"),
        ("POST", "/api/v1/challenges", {"title": "   ",
                                         "goal": {"category": "results", "target": 3}}, "title"),
    ],
)  # fmt: skip
async def test_a_name_of_nothing_but_spaces_is_refused(
    ana: RapportClient, method: str, path: str, body: dict[str, object], field: str
) -> None:
    error = await fails(ana.request(method, path, body=body))
    assert error.status == 422
    assert error.problem is not None
    assert error.problem.errors is not None
    assert [e.field for e in error.problem.errors] == [field]
    assert (await ana.me()).display_name == "ana"
    assert (await ana.request("GET", "/api/v1/teams")).json() == []
    assert (await ana.request("GET", "/api/v1/habits")).json()["items"] == []
    assert (await ana.request("GET", "/api/v1/challenges")).json()["items"] == []
