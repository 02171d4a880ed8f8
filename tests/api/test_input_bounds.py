"""Every input has an upper bound: each string, byte string and collection a client can send
(request bodies, query, path and header parameters) carries an explicit maximum size, and
an over-long value is a 400 problem that changes nothing.

The bodies and parameters are found by walking the app's own route handlers, so a new route
or request type is checked without anyone remembering to list it here.
"""

from __future__ import annotations

import inspect as pyinspect
from collections.abc import Iterator
from typing import Annotated, Any
from uuid import UUID

import msgspec
import msgspec.inspect as mi
import pytest
from litestar import Litestar
from litestar.constants import RESERVED_KWARGS
from litestar.handlers import HTTPRouteHandler
from litestar.params import BodyKwarg, ParameterKwarg
from litestar.testing import AsyncTestClient

from server.api.document import RAW_JSON
from server.app import create_app
from server.settings import Settings
from shared import schemas
from shared.client import RapportClient
from tests.conftest import FAST_HASHER

# -- the walker ---------------------------------------------------------------------------

_SIZED = (mi.StrType, mi.BytesType, mi.ByteArrayType, mi.MemoryViewType)
_COLLECTIONS = (
    mi.ListType,
    mi.SetType,
    mi.FrozenSetType,
    mi.VarTupleType,
    mi.DictType,
    mi.FrozenDictType,
)
# Values whose size is fixed by their type: nothing to bound.
_FIXED = (
    mi.NoneType,
    mi.BoolType,
    mi.IntType,
    mi.FloatType,
    mi.DecimalType,
    mi.LiteralType,
    mi.EnumType,
    mi.UUIDType,
    mi.DateType,
    mi.TimeType,
    mi.DateTimeType,
    mi.TimeDeltaType,
)


def unbounded(tp: Any, where: str, seen: set[type] | None = None) -> Iterator[str]:
    """Yield the path of every str/bytes/list/set/dict inside ``tp`` (through nested
    Structs, unions, collections' items and dict keys/values) that has no maximum size.
    Types that cannot be checked (``Any``, raw objects) count as unbounded."""
    seen = set() if seen is None else seen
    yield from _walk(mi.type_info(tp), where, seen)


def _walk(info: mi.Type, where: str, seen: set[type]) -> Iterator[str]:
    if isinstance(info, mi.Metadata):
        yield from _walk(info.type, where, seen)
    elif isinstance(info, _FIXED):
        return
    elif isinstance(info, mi.CustomType) and info.cls is msgspec.UnsetType:
        return  # "field left out" (PATCH bodies)
    elif isinstance(info, _SIZED):
        if info.max_length is None:
            yield f"{where} ({type(info).__name__[:-4].lower()} without max_length)"
    elif isinstance(info, _COLLECTIONS):
        if info.max_length is None:
            yield f"{where} ({type(info).__name__[:-4].lower()} without max_length)"
        if isinstance(info, (mi.DictType, mi.FrozenDictType)):
            yield from _walk(info.key_type, f"{where}{{key}}", seen)
            yield from _walk(info.value_type, f"{where}{{value}}", seen)
        else:
            yield from _walk(info.item_type, f"{where}[]", seen)
    elif isinstance(info, mi.TupleType):
        for i, item in enumerate(info.item_types):
            yield from _walk(item, f"{where}[{i}]", seen)
    elif isinstance(info, mi.UnionType):
        for member in info.types:
            yield from _walk(member, where, seen)
    elif isinstance(info, (mi.StructType, mi.TypedDictType, mi.DataclassType, mi.NamedTupleType)):
        cls = info.cls
        if cls in seen:
            return
        seen.add(cls)
        for field in info.fields:
            yield from _walk(field.type, f"{cls.__name__}.{field.name}", seen)
    else:
        yield f"{where} ({type(info).__name__}: cannot be bounded)"


# -- what the app takes as input ------------------------------------------------------------


def _app() -> Litestar:
    # Only built, never started: no database is opened.
    return create_app(Settings(database=":memory:"), hasher=FAST_HASHER)


def api_handlers(app: Litestar) -> Iterator[tuple[str, HTTPRouteHandler]]:
    """(path, handler) of every HTTP route of the API; Litestar's own OpenAPI viewer routes
    (``/schema/...``, which serve fixed files) are not ours."""
    for route in app.routes:
        if route.path.startswith("/schema"):
            continue
        for handler in getattr(route, "route_handlers", []):
            if isinstance(handler, HTTPRouteHandler) and handler.http_methods - {"OPTIONS"}:
                yield route.path, handler


def request_body_types(app: Litestar) -> dict[str, Any]:
    """``"POST /api/v1/habits" -> schemas.HabitCreate`` for every route taking a body."""
    bodies = {}
    for path, handler in api_handlers(app):
        data = handler.parsed_fn_signature.parameters.get("data")
        method = "/".join(sorted(handler.http_methods))
        if data is not None:
            bodies[f"{method} {path}"] = data.annotation
        # A route that reads its JSON body itself (off the event loop) names its schema.
        raw = RAW_JSON.get(handler.operation_id or "")  # type: ignore[arg-type]
        if raw is not None:
            bodies[f"{method} {path}"] = getattr(schemas, raw.rsplit("/", 1)[1])
    return bodies


def request_parameters(app: Litestar) -> Iterator[tuple[str, str, Any, Any]]:
    """(route, name, annotation, kwarg definition) of every query, path, header and cookie
    parameter: whatever a handler takes that is not the body, a dependency or Litestar's
    own (request, scope, ...)."""
    for path, handler in api_handlers(app):
        dependencies = set(handler.resolve_dependencies())
        route = f"{'/'.join(sorted(handler.http_methods))} {path}"
        for name, field in handler.parsed_fn_signature.parameters.items():
            if name in RESERVED_KWARGS or name in dependencies:
                continue
            yield route, name, field.annotation, field.kwarg_definition


def unbounded_parameter(annotation: Any, kwarg: Any) -> str | None:
    """Why this parameter is unbounded, or None. Litestar bounds parameters on the
    QueryParameter/PathParameter/HeaderParameter (``max_length`` for text, ``max_items``
    for repeated ones), not with msgspec Meta."""
    needs = {type(i).__name__ for i in _leaves(mi.type_info(annotation))}
    if needs & {"StrType", "BytesType"} and getattr(kwarg, "max_length", None) is None:
        if not list(unbounded(annotation, "")):
            return None  # bounded by its own type (Annotated with Meta(max_length=...))
        return "text without max_length"
    repeated = needs & {t.__name__ for t in _COLLECTIONS}
    if repeated and getattr(kwarg, "max_items", None) is None:
        return "repeated without max_items"
    if needs - {t.__name__ for t in (*_FIXED, *_SIZED, *_COLLECTIONS)}:
        return f"cannot be bounded ({sorted(needs)})"
    return None


def _leaves(info: mi.Type) -> Iterator[mi.Type]:
    if isinstance(info, mi.Metadata):
        yield from _leaves(info.type)
    elif isinstance(info, mi.UnionType):
        for member in info.types:
            yield from _leaves(member)
    else:
        yield info


# -- the walker finds what it must ----------------------------------------------------------


class _Inner(msgspec.Struct):
    tags: list[Annotated[str, msgspec.Meta(max_length=10)]]  # list itself unbounded
    ok: Annotated[str, msgspec.Meta(max_length=5)]


class _Outer(msgspec.Struct):
    name: str
    inner: _Inner | None
    many: Annotated[list[_Inner], msgspec.Meta(max_length=3)]
    by_key: Annotated[dict[str, int], msgspec.Meta(max_length=3)]
    blob: Annotated[bytes, msgspec.Meta(max_length=10)] | None
    ident: UUID | int
    anything: Any
    fine: Annotated[str, msgspec.Meta(max_length=4)] | int | None = None


def test_the_walker_names_each_unbounded_field_and_only_those() -> None:
    found = list(unbounded(_Outer, "_Outer"))
    assert found == [
        "_Outer.name (str without max_length)",
        "_Inner.tags (list without max_length)",
        "_Outer.by_key{key} (str without max_length)",
        "_Outer.anything (AnyType: cannot be bounded)",
    ]


def test_the_parameter_check_needs_a_bound_on_text_and_lists() -> None:
    from litestar.params import QueryParameter

    assert unbounded_parameter(str | None, QueryParameter()) == "text without max_length"
    assert unbounded_parameter(str | None, QueryParameter(max_length=10)) is None
    assert unbounded_parameter(list[int], QueryParameter()) == "repeated without max_items"
    assert unbounded_parameter(list[int], QueryParameter(max_items=5)) is None
    assert unbounded_parameter(UUID, None) is None
    assert unbounded_parameter(Annotated[str, msgspec.Meta(max_length=3)], None) is None


# -- the app ------------------------------------------------------------------------------


def test_the_app_has_request_bodies_to_check() -> None:
    """Guards the discovery itself: if walking the handlers found nothing, the bound checks
    below would pass for the wrong reason."""
    bodies = request_body_types(_app())
    found = {t for tp in bodies.values() for t in _structs(tp)}
    assert len(bodies) >= 12
    assert {
        schemas.HabitCreate,
        schemas.HabitPatch,
        schemas.CheckInCreate,
        schemas.TeamCreate,
        schemas.ChallengeCreate,
        schemas.RapportExport,
        schemas.InviteCreate,
        schemas.Weekdays,
        schemas.ExportCheckIn,
    } <= found


def _structs(tp: Any) -> Iterator[type]:
    stack = [mi.type_info(tp)]
    seen: set[type] = set()
    while stack:
        info = stack.pop()
        if isinstance(info, mi.Metadata):
            stack.append(info.type)
        elif isinstance(info, mi.UnionType):
            stack.extend(info.types)
        elif isinstance(info, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
            stack.append(info.item_type)
        elif isinstance(info, mi.StructType) and info.cls not in seen:
            seen.add(info.cls)
            yield info.cls
            stack.extend(f.type for f in info.fields)


def test_every_request_body_field_has_an_upper_bound() -> None:
    problems = sorted(
        {
            f"{route}: {issue}"
            for route, tp in request_body_types(_app()).items()
            for issue in unbounded(tp, getattr(tp, "__name__", str(tp)))
        }
    )
    assert not problems, "unbounded request fields:\n" + "\n".join(problems)


def test_every_request_struct_in_the_contract_has_upper_bounds() -> None:
    """Also the request Structs no route takes yet: they are meant to be bodies."""
    requests = [
        obj
        for obj in vars(schemas).values()
        if pyinspect.isclass(obj) and issubclass(obj, schemas.Request)
    ]
    assert len(requests) >= 12
    problems = [issue for cls in requests for issue in unbounded(cls, cls.__name__)]
    assert not problems, "unbounded request fields:\n" + "\n".join(problems)


def test_every_parameter_has_an_upper_bound() -> None:
    params = list(request_parameters(_app()))
    # Discovery guard: cursors, limits, days, ids and the sync cursor are all seen.
    names = {name for _, name, _, _ in params}
    assert {"cursor", "limit", "since", "habit_id", "team_id", "last_event_id"} <= names
    assert all(isinstance(k, ParameterKwarg | BodyKwarg) or k is None for *_, k in params)
    problems = [
        f"{route} {name}: {why}"
        for route, name, annotation, kwarg in params
        if (why := unbounded_parameter(annotation, kwarg))
    ]
    assert not problems, "unbounded parameters:\n" + "\n".join(problems)


def test_every_route_that_takes_a_body_limits_its_size() -> None:
    """Raw bodies (the Loop ZIP import) are bounded by size, not by a Struct."""
    limits = {
        f"{'/'.join(sorted(h.http_methods))} {path}": h.resolve_request_max_body_size()
        for path, h in api_handlers(_app())
        if h.http_methods & {"POST", "PATCH", "PUT"}
    }
    assert limits
    assert all(limit is not None and limit <= 50_000_000 for limit in limits.values()), limits


_BOUND_KEYWORDS = {
    "maxLength",
    "minLength",
    "maxItems",
    "minItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "pattern",
}


def _stated_bounds(schema: Any, prefix: str = "") -> set[tuple[str, Any]]:
    """The bound keywords of a property schema, through oneOf/anyOf members and items."""
    if not isinstance(schema, dict):
        return set()
    found = {
        (prefix + key, value if key == "pattern" else float(value))
        for key, value in schema.items()
        if key in _BOUND_KEYWORDS
    }
    for key in ("oneOf", "anyOf"):
        for member in schema.get(key, []):
            found |= _stated_bounds(member, prefix)
    return found | _stated_bounds(schema.get("items"), prefix + "items.")


async def test_the_document_states_the_bounds_the_server_enforces(
    http: AsyncTestClient[Litestar],
) -> None:
    """The served document's bounds on every request body field are the ones msgspec
    checks (Litestar's own schema generation drops some: list items, a 0 beside UNSET)."""
    document = (await http.get("/schema/openapi.json")).json()
    components = document["components"]["schemas"]
    bodies = [t for tp in request_body_types(_app()).values() for t in _structs(tp)]
    _, enforced = msgspec.json.schema_components(bodies, ref_template="#/{name}")
    differences = []
    for name, schema in enforced.items():
        for field, prop in schema.get("properties", {}).items():
            served = components[name]["properties"].get(field)
            if _stated_bounds(prop) != _stated_bounds(served):
                differences.append(f"{name}.{field}: {prop} vs {served}")
    assert len(enforced) >= 15
    assert not differences, "\n".join(differences)


# -- over-long values are a 400 that changes nothing ----------------------------------------

TITLE_MAX = 120
NOTE_MAX = 500
TEAM_NAME_MAX = 80


def _auth(client: RapportClient) -> dict[str, str]:
    return {"Authorization": f"Bearer {client.token}"}


def assert_too_long(response: Any, field: str) -> None:
    """A 400 problem+json naming ``field`` and saying what the limit is."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = msgspec.json.decode(response.content, type=schemas.Problem)
    assert problem.status == 400
    assert problem.type.endswith("/validation")
    assert problem.errors, problem
    assert [e.field for e in problem.errors] == [field], problem.errors
    assert "length <=" in problem.errors[0].message, problem.errors
    assert field in problem.detail


async def _habit(ana: RapportClient) -> schemas.Habit:
    return await ana.create_habit(
        schemas.HabitCreate(title="Ship it", category="results", schedule=schemas.Daily())
    )


async def test_an_over_long_habit_title_is_refused_and_nothing_is_created(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    body = {"title": "x" * (TITLE_MAX + 1), "category": "results", "schedule": {"type": "daily"}}
    response = await http.post("/api/v1/habits", json=body, headers=_auth(ana))
    assert_too_long(response, "title")
    assert (await ana.habits()).items == []
    assert (await ana.habits(archived=True)).items == []
    # At the limit it is fine.
    body["title"] = "x" * TITLE_MAX
    ok = await http.post("/api/v1/habits", json=body, headers=_auth(ana))
    assert ok.status_code == 201, ok.text


async def test_an_over_long_title_in_an_edit_leaves_the_habit_as_it_was(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    habit = await _habit(ana)
    response = await http.patch(
        f"/api/v1/habits/{habit.id}",
        json={"title": "x" * (TITLE_MAX + 1), "archived": True},
        headers=_auth(ana),
    )
    assert_too_long(response, "title")
    assert await ana.habit(habit.id) == habit


async def test_a_schedule_with_too_many_days_is_refused_and_nothing_changes(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    habit = await _habit(ana)
    days = {"type": "weekdays", "days": [1, 2, 3, 4, 5, 6, 7, 1]}
    created = await http.post(
        "/api/v1/habits",
        json={"title": "Plan", "category": "results", "schedule": days},
        headers=_auth(ana),
    )
    assert_too_long(created, "schedule.days")
    edited = await http.patch(
        f"/api/v1/habits/{habit.id}", json={"schedule": days}, headers=_auth(ana)
    )
    assert_too_long(edited, "schedule.days")
    assert (await ana.habits()).items == [habit]


async def test_an_over_long_note_is_refused_and_nothing_is_counted(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    habit = await _habit(ana)
    before = await ana.me()
    response = await http.post(
        f"/api/v1/habits/{habit.id}/checkins",
        json={"note": "n" * (NOTE_MAX + 1)},
        headers=_auth(ana),
    )
    assert_too_long(response, "note")
    assert (await ana.checkins(habit.id)).items == []
    assert await ana.me() == before
    assert (await ana.points()).items == []
    today = await ana.today()
    assert [(h.done, h.value) for h in today.habits] == [(False, 0)]
    # At the limit the same check-in goes through.
    ok = await http.post(
        f"/api/v1/habits/{habit.id}/checkins",
        json={"note": "n" * NOTE_MAX},
        headers=_auth(ana),
    )
    assert ok.status_code == 201, ok.text


async def test_an_over_long_team_name_is_refused_on_create_and_on_rename(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    response = await http.post(
        "/api/v1/teams", json={"name": "t" * (TEAM_NAME_MAX + 1)}, headers=_auth(ana)
    )
    assert_too_long(response, "name")
    assert await ana.teams() == []
    team = await ana.create_team(schemas.TeamCreate(name="Platform"))
    renamed = await http.patch(
        f"/api/v1/teams/{team.id}",
        json={"name": "t" * (TEAM_NAME_MAX + 1), "goal": {"target": 5}},
        headers=_auth(ana),
    )
    assert_too_long(renamed, "name")
    assert [(t.id, t.name, t.goal) for t in await ana.teams()] == [(team.id, "Platform", None)]


async def test_an_over_long_challenge_description_is_refused_and_nothing_starts(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    before = (await ana.challenges()).items
    body = {
        "title": "Mentor month",
        "description": "d" * 501,
        "goal": {"category": "relationships", "target": 5},
    }
    response = await http.post("/api/v1/challenges", json=body, headers=_auth(ana))
    assert_too_long(response, "description")
    assert (await ana.challenges()).items == before


async def test_an_over_long_profile_name_and_invite_code_are_refused(
    http: AsyncTestClient[Litestar], ana: RapportClient
) -> None:
    before = await ana.me()
    response = await http.patch(
        "/api/v1/me", json={"display_name": "a" * 81, "timezone": "Asia/Tokyo"}, headers=_auth(ana)
    )
    assert_too_long(response, "display_name")
    assert await ana.me() == before
    joined = await http.post("/api/v1/teams/join", json={"code": "c" * 65}, headers=_auth(ana))
    assert_too_long(joined, "code")
    assert await ana.teams() == []


@pytest.mark.parametrize(
    ("path", "name", "size"),
    [
        ("/api/v1/habits", "cursor", 201),
        ("/api/v1/me/points", "cursor", 201),
        ("/api/v1/challenges", "cursor", 201),
        ("/api/v1/sync", "since", 301),
    ],
)
async def test_an_over_long_query_parameter_is_a_400_naming_it(
    http: AsyncTestClient[Litestar], ana: RapportClient, path: str, name: str, size: int
) -> None:
    response = await http.get(path, params={name: "c" * size}, headers=_auth(ana))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = msgspec.json.decode(response.content, type=schemas.Problem)
    assert problem.errors, problem
    assert problem.errors[0].field == name, problem
