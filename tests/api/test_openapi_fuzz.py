"""Schemathesis over the published OpenAPI document, against the real server process.

Every operation gets generated valid and invalid requests, authenticated as a real user;
no answer may be a 5xx, and every answer must match the document (status code, content
type, body schema). Bounded so the suite stays fast.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import Databases, live_server

# One worker runs this whole file, in order: the last tests read what the fuzzing saw.
# Once, on SQLite: what it checks (no 5xx for any input, answers that match the document)
# is decided before the store; the PostgreSQL run chains real calls through the store in
# tests/api/test_stateful.py instead. Both runs must fit CI's ten minutes on two cores.
pytestmark = [pytest.mark.xdist_group("openapi-fuzz"), pytest.mark.sqlite_only]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def server(session_databases: Databases) -> Iterator[str]:
    with live_server(session_databases.new("fuzz")) as base:
        yield base


@pytest.fixture(scope="module")
def token(server: str) -> str:
    response = httpx.post(
        f"{server}/api/v1/auth/register",
        json={"handle": "fuzzer", "password": "fuzzing password", "timezone": "Europe/Berlin"},
    )
    token: str = response.json()["token"]
    habit = httpx.post(
        f"{server}/api/v1/habits",
        json={"template": "deliver-on-a-promise"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert habit.status_code == 201
    return token


class _TokenAuth:
    """Schemathesis applies this to every generated request, so it knows the requests are
    authenticated (and treats a removed Authorization header as the negative case it is)."""

    token = ""

    def get(self, case: Any, context: Any) -> str:
        return self.token

    def set(self, case: Any, data: str, context: Any) -> None:
        if case.path in ("/api/v1/me", "/api/v1/auth/logout") and case.method in (
            "DELETE",
            "POST",
        ):
            return  # deleting the account or revoking the token would end the session early
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(scope="module")
def api_schema(server: str, token: str) -> Any:
    loaded = schemathesis.openapi.from_url(f"{server}/schema/openapi.json")
    _TokenAuth.token = token
    loaded.auth(refresh_interval=None)(_TokenAuth)
    return loaded


_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# The event stream never ends, so it is left to tests/api/test_events.py.
schema = schemathesis.pytest.from_fixture("api_schema").exclude(path="/api/v1/events")


@schema.parametrize()
@settings(
    # 30 examples per operation by hand, 15 in CI (CI=true), where the suite must run twice
    # on two cores inside ten minutes; RAPPORT_FUZZ_EXAMPLES overrides.
    max_examples=int(os.environ.get("RAPPORT_FUZZ_EXAMPLES", "15" if _CI else "30")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_answers_match_the_document(case: Any, server: str) -> None:
    response = case.call_and_validate(base_url=server, checks=CHECKS)
    SEEN[(case.method, case.path)].add(response.status_code)
    CALLS[0] += 1


# Which statuses each operation answered during fuzzing, to check the fuzzing got past auth.
SEEN: dict[tuple[str, str], set[int]] = defaultdict(set)
CALLS = [0]


def test_fuzzing_reached_past_authentication() -> None:
    """Runs after the fuzz test (file order): most operations answered something other
    than 401, so generated requests really were authenticated."""
    authenticated = {op for op, statuses in SEEN.items() if statuses - {401}}
    assert len(SEEN) >= 30
    assert ("GET", "/api/v1/events") not in SEEN
    assert len(authenticated) >= len(SEEN) - 3
    assert any(200 <= s < 300 for s in SEEN[("GET", "/api/v1/today")])
    print(f"schemathesis cases: {CALLS[0]} over {len(SEEN)} operations")


def test_every_route_is_in_the_document(server: str) -> None:
    document = httpx.get(f"{server}/schema/openapi.json").json()
    operations = {
        op["operationId"]
        for path in document["paths"].values()
        for method, op in path.items()
        if method in {"get", "post", "patch", "delete", "put"}
    }
    assert {"checkins_create", "habits_list", "today_get", "auth_login", "points_list"} <= (
        operations
    )
    assert all(op and "_" in op for op in operations)
    assert "BearerToken" in document["components"]["securitySchemes"]
