"""Schemathesis stateful testing, against the real server process.

Schemathesis chains calls along the OpenAPI links the server publishes (server/api/links.py):
the id of a habit just created goes into GET/PATCH/DELETE of that habit, its check-ins, stats
and calendar; a check-in's id into its undo; a team's id into its members, invites and
board; an invite's code into joining; a challenge's id into join, leave and its board. Every
answer must be below 500 and match the document (status, content type, body schema), and
nothing deleted may still be readable.

Bounded: 150 scenarios of up to 8 calls (100 with ``CI=true``), at most 45 s;
``RAPPORT_STATEFUL_SCENARIOS`` overrides the count.
"""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from server.api.document import strict_structs
from server.api.links import BODY_LINKS, LINKS, Link, add_links
from tests.conftest import Databases, live_server

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    use_after_free,
]

_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SCENARIOS = int(os.environ.get("RAPPORT_STATEFUL_SCENARIOS", "100" if _CI else "150"))
STEPS = 8
BUDGET_SECONDS = 45


@pytest.fixture(scope="module")
def server(session_databases: Databases) -> Iterator[str]:
    with live_server(session_databases.new("stateful")) as base:
        yield base


@pytest.fixture(scope="module")
def token(server: str) -> str:
    response = httpx.post(
        f"{server}/api/v1/auth/register",
        json={"handle": "stateful", "password": "stateful password", "timezone": "Europe/Berlin"},
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


@pytest.fixture(scope="module")
def document(server: str) -> dict[str, Any]:
    response = httpx.get(f"{server}/schema/openapi.json")
    assert response.status_code == 200
    served: dict[str, Any] = response.json()
    return served


# -- the links ----------------------------------------------------------------------------


def _operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        op["operationId"]: op
        for item in document["paths"].values()
        for method, op in item.items()
        if method in {"get", "post", "patch", "delete", "put"}
    }


def test_the_served_document_carries_every_link(document: dict[str, Any]) -> None:
    operations = _operations(document)
    served = {
        (source, status, name): link
        for source, op in operations.items()
        for status, response in op["responses"].items()
        for name, link in response.get("links", {}).items()
    }
    expected = {(link.source, s, link.name) for link in LINKS for s in link.statuses}
    assert set(served) == expected
    assert len(expected) >= 30
    for link in LINKS:
        definition = served[(link.source, link.statuses[0], link.name)]
        assert definition["operationId"] == link.target
        assert definition.get("parameters", {}) == dict(link.parameters)
        # Each parameter a link fills is one the target declares.
        target = operations[link.target]
        declared = {f"{p['in']}.{p['name']}" for p in target.get("parameters", [])}
        assert set(link.parameters) <= declared, (link.name, declared)


def test_strict_request_objects_are_closed_in_the_document(document: dict[str, Any]) -> None:
    """The server refuses unknown fields (400), so the document says so: otherwise a client,
    or Schemathesis, takes a body with an extra field for a valid one."""
    components = document["components"]["schemas"]
    strict = [name for name in strict_structs() if name in components]
    assert {"HabitCreate", "CheckInCreate", "TeamCreate", "RapportExport"} <= set(strict)
    assert all(components[name]["additionalProperties"] is False for name in strict)
    assert "additionalProperties" not in components["Habit"]  # answers may grow


def test_the_document_keeps_bounds_litestar_drops(document: dict[str, Any]) -> None:
    components = document["components"]["schemas"]
    days = components["Weekdays"]["properties"]["days"]
    assert (days["items"]["minimum"], days["items"]["maximum"]) == (1, 7)
    hour = components["ProfilePatch"]["properties"]["day_start_hour"]
    assert (hour["minimum"], hour["maximum"]) == (0, 23)


def test_a_link_to_a_missing_operation_or_parameter_is_refused(
    document: dict[str, Any],
) -> None:
    bare = {"paths": document["paths"]}
    with pytest.raises(ValueError, match="no operation"):
        add_links(bare, [Link("habits_create", ("201",), "Gone", "habits_gone")])
    with pytest.raises(ValueError, match="has no path 'id'"):
        add_links(bare, [Link("habits_create", ("201",), "Bad", "habits_get", {"path.id": "$x"})])
    with pytest.raises(ValueError, match="never answers 204"):
        add_links(bare, [Link("habits_create", ("204",), "Bad", "habits_get")])
    with pytest.raises(ValueError, match="takes no request body"):
        add_links(
            bare,
            [Link("habits_create", ("201",), "Bad", "habits_get", request_body={"a": "$x"})],
        )


# -- the stateful run ---------------------------------------------------------------------


class _TokenAuth:
    token = ""

    def get(self, case: Any, context: Any) -> str:
        return self.token

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


# Only the links published in the document (server/api/links.py), not links Schemathesis
# would guess; valid requests only (tests/api/test_openapi_fuzz.py sends invalid ones).
CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"stateful": {"generation": {"mode": "positive"}, "inference": {"algorithms": []}}}}
)


class _Realistic:
    """Makes generated bodies likely to succeed where the document cannot say what is valid:
    a catalog slug for ``template`` (a random slug is a 422), the fields a custom habit or
    challenge needs, and today for a check-in. Deterministic in the case, so Hypothesis sees
    the same request for the same choices."""

    def __init__(self, server: str, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        get = lambda path: httpx.get(f"{server}{path}", headers=headers).json()  # noqa: E731
        self.habits = sorted(h["slug"] for h in get("/api/v1/catalog/habits"))
        self.challenges = sorted(c["slug"] for c in get("/api/v1/catalog/challenges"))
        assert self.habits
        assert self.challenges

    def adjust(self, case: Any) -> None:
        if isinstance(case.query, dict):
            case.query.pop("cursor", None)  # cursors come from next_cursor; others are a 400
        body = case.body
        if not isinstance(body, dict):
            return
        label = f"{case.method} {case.path}"
        if label == "POST /api/v1/habits":
            self._template(body, self.habits)
            if body.get("template") is None:
                body.setdefault("title", "Stateful habit")
                body["category"] = body.get("category") or "results"
                body["schedule"] = body.get("schedule") or {"type": "daily"}
        elif label == "POST /api/v1/challenges":
            self._template(body, self.challenges)
            body.pop("starts_on", None)
            body.pop("ends_on", None)
            if body.get("template") is None:
                body["title"] = body.get("title") or "Stateful challenge"
                body["goal"] = body.get("goal") or {"category": "results", "target": 5}
        elif label == "POST /api/v1/habits/{habit_id}/checkins":
            body.pop("day", None)  # today: other days are mostly outside the window
            body.pop("witness", None)  # a random user id is a 422

    @staticmethod
    def _template(body: dict[str, Any], slugs: list[str]) -> None:
        template = body.get("template")
        if isinstance(template, str):
            body["template"] = slugs[sum(template.encode()) % len(slugs)]


STATUSES: dict[str, Counter[int]] = defaultdict(Counter)
LINKED: dict[str, Counter[int]] = defaultdict(Counter)
FAILURES: dict[str, str] = {}
SCENARIO_COUNT = [0]


def test_stateful_sequences_never_fail_and_match_the_document(server: str, token: str) -> None:
    served = httpx.get(f"{server}/schema/openapi.json").json()
    loaded = schemathesis.openapi.from_dict(add_links(served, BODY_LINKS), config=CONFIG)
    realistic = _Realistic(server, token)
    _TokenAuth.token = token
    loaded.auth(refresh_interval=None)(_TokenAuth)
    # The event stream never ends; deleting the account or revoking the token would end
    # the session (both are covered by tests/api/test_auth.py).
    api = loaded.exclude(path="/api/v1/events").exclude(operation_id=["me_delete", "auth_logout"])
    base = api.as_state_machine()

    class Scenarios(base):  # type: ignore[valid-type, misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": server}

        def before_call(self, case: Any) -> None:
            realistic.adjust(case)

        def setup(self) -> None:
            SCENARIO_COUNT[0] += 1

        def step(self, input: Any) -> Any:
            output = super().step(input)
            label = f"{input.case.method} {input.case.path}"
            STATUSES[label][output.response.status_code] += 1
            if input.transition is not None and input.is_applied:
                LINKED[input.transition.id][output.response.status_code] += 1
            return output

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            # Failures are collected, not raised: against a live server a replay meets
            # another state, which Hypothesis would report as flaky instead of the bug.
            try:
                case.validate_response(
                    response, checks=CHECKS, transport_kwargs=kwargs or None, recorder=self.recorder
                )
            except (Exception, FailureGroup) as exc:
                label = f"{case.method} {case.path} -> {response.status_code}"
                FAILURES.setdefault(label, f"{exc}\n{case.as_curl_command()}")

    started = time.monotonic()
    restarts = 0
    while SCENARIO_COUNT[0] < SCENARIOS and time.monotonic() - started < BUDGET_SECONDS:
        try:
            Scenarios.run(
                settings=settings(
                    max_examples=SCENARIOS - SCENARIO_COUNT[0],
                    stateful_step_count=STEPS,
                    deadline=None,
                    phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck),
                    database=None,
                )
            )
            break
        except Flaky:
            # The server keeps its state between scenarios, so the same choices can meet
            # other answers (a 201 becomes a 200 replay, a 409): Hypothesis calls that
            # flaky generation and stops. Not a finding (failures are collected above),
            # so go on with fresh scenarios, as the Schemathesis runner does.
            restarts += 1
            assert restarts <= 50, "the state machine keeps stopping"
    elapsed = time.monotonic() - started
    calls = sum(sum(c.values()) for c in STATUSES.values())
    linked = sum(sum(c.values()) for c in LINKED.values())
    linked_ok = {name for name, c in LINKED.items() if any(200 <= s < 300 for s in c)}
    print(
        f"stateful: {SCENARIO_COUNT[0]} scenarios ({restarts} restarts), {calls} calls over "
        f"{len(STATUSES)} operations, {linked} of them along {len(LINKED)} links "
        f"({len(linked_ok)} links answered 2xx), in {elapsed:.1f}s"
    )
    assert not FAILURES, "\n\n".join(f"{k}:\n{v}" for k, v in FAILURES.items())
    assert all(status < 500 for c in STATUSES.values() for status in c), dict(STATUSES)
    # The run really chained calls: links were followed, and real ids got real answers,
    # from each kind of thing created.
    assert calls >= SCENARIOS
    assert linked >= SCENARIOS // 4, dict(LINKED)
    sources = {name.split(" -> [")[0] for name in linked_ok}
    assert {"POST /api/v1/habits", "POST /api/v1/teams", "POST /api/v1/challenges"} <= sources
