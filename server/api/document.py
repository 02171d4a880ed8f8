"""The OpenAPI document as served: Litestar's, plus what Litestar cannot say by itself.

- OpenAPI links between operations (server/api/links.py).
- ``additionalProperties: false`` on the objects the server decodes strictly (Structs with
  ``forbid_unknown_fields``): an unknown field is a 400, so the document must not call it
  valid.
- Bounds Litestar leaves out: on list items (``Weekdays.days``: each 1-7), and a zero
  bound beside ``UNSET`` (``ProfilePatch.day_start_hour``: ``minimum: 0``).

- Fields with a default that a client may leave out (request bodies) are not given a
  ``default`` keyword, which generators read as "always present" (``optional_defaults``).

All are applied to the document Litestar generates, once, when it is first rendered.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Mapping
from typing import Any

import msgspec
import msgspec.inspect as mi
from litestar import Request
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin

from server.api.examples import add_examples
from server.api.imports import UPLOAD_TYPES, ZIP_TYPES
from server.api.links import add_links
from shared import schemas


def strict_structs() -> dict[str, type[msgspec.Struct]]:
    """The contract's Structs that refuse unknown fields, by component name."""
    return {
        name: obj
        for name, obj in vars(schemas).items()
        if isinstance(obj, type)
        and issubclass(obj, msgspec.Struct)
        and obj.__struct_config__.forbid_unknown_fields
    }


def close_strict_objects(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` where the strict Structs' schemas forbid other properties."""
    result = copy.deepcopy(dict(document))
    components = result.get("components", {}).get("schemas", {})
    for name in strict_structs():
        component = components.get(name)
        if component is not None and component.get("type") == "object":
            component["additionalProperties"] = False
    return result


def _bounds(info: mi.Type) -> dict[str, Any]:
    """JSON Schema keywords for the constraints msgspec checks on a number or a string."""
    if isinstance(info, mi.IntType | mi.FloatType):
        names = {
            "ge": "minimum",
            "le": "maximum",
            "gt": "exclusiveMinimum",
            "lt": "exclusiveMaximum",
        }
    elif isinstance(info, mi.StrType):
        names = {"min_length": "minLength", "max_length": "maxLength", "pattern": "pattern"}
    else:
        return {}
    return {
        key: getattr(info, attr) for attr, key in names.items() if getattr(info, attr) is not None
    }


def _array_schemas(prop: dict[str, Any]) -> list[dict[str, Any]]:
    members = [prop, *prop.get("oneOf", []), *prop.get("anyOf", [])]
    return [m for m in members if m.get("type") == "array" and isinstance(m.get("items"), dict)]


def restore_bounds(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with the bounds Litestar drops put back: those on list items
    (``Weekdays.days``: each 1-7), and a zero bound beside ``UNSET`` (``ProfilePatch.
    day_start_hour`` lost its ``minimum: 0``)."""
    result = copy.deepcopy(dict(document))
    components = result.get("components", {}).get("schemas", {})
    for name, obj in vars(schemas).items():
        component = components.get(name)
        if component is None or not (isinstance(obj, type) and issubclass(obj, msgspec.Struct)):
            continue
        info = mi.type_info(obj)
        for field in info.fields if isinstance(info, mi.StructType) else ():
            prop = component.get("properties", {}).get(field.encode_name)
            if prop is None:
                continue
            members = field.type.types if isinstance(field.type, mi.UnionType) else (field.type,)
            for member in members:
                if isinstance(member, mi.Metadata):
                    member = member.type
                for key, value in _bounds(member).items():
                    prop.setdefault(key, value)
                if isinstance(member, mi.ListType | mi.SetType | mi.FrozenSetType):
                    for array in _array_schemas(prop):
                        for key, value in _bounds(member.item_type).items():
                            array["items"].setdefault(key, value)
    return result


def answer_wrong_media_types(document: dict[str, Any]) -> dict[str, Any]:
    """Every operation that reads a body answers 415 to a body of another type
    (``api.deps.require_json``); its problem document has the shape of the 400 one."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            answers = operation.setdefault("responses", {})
            if "415" not in answers and "400" in answers:
                answers["415"] = {**answers["400"], "description": "Unsupported media type"}
    return document


# Operations whose body is a file, not JSON: the media types each takes.
UPLOADS = {
    "me_imports_create": UPLOAD_TYPES,
    "me_import_loop": ZIP_TYPES | {"application/octet-stream"},
}


# Operations that read a JSON body themselves (off the event loop): its schema.
RAW_JSON = {"me_import": "#/components/schemas/RapportExport"}


def describe_uploads(document: dict[str, Any]) -> dict[str, Any]:
    """The bodies Litestar cannot see (the handler reads the raw request)."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            schema = RAW_JSON.get(operation.get("operationId", ""))
            if schema:
                operation["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": schema}}},
                }
            media = UPLOADS.get(operation.get("operationId", ""))
            if media:
                operation["requestBody"] = {
                    "required": True,
                    "content": {
                        m: {"schema": {"type": "string", "format": "binary"}} for m in media
                    },
                }
    return document


def _may_be_left_out() -> set[str]:
    """Components whose fields with a default may be absent from the JSON: what clients
    send (the strict request Structs: the server fills the default in) and answers that
    leave defaults out (``omit_defaults``)."""
    names = set(strict_structs())
    for name, obj in vars(schemas).items():
        struct = isinstance(obj, type) and issubclass(obj, msgspec.Struct)
        if struct and obj.__struct_config__.omit_defaults:
            names.add(name)
    return names


def optional_defaults(document: Mapping[str, Any]) -> dict[str, Any]:
    """Say a field with a default in those components may be left out.

    Generators read ``default`` as "always present" (openapi-typescript, with its default
    options, makes such a property required), which is true of answers and false of
    requests: a check-in is ``{}``, not ``{"value": 1, "skip": false}``. There the default
    moves into the description, and the field stays out of ``required``."""
    result = copy.deepcopy(dict(document))
    components = result.get("components", {}).get("schemas", {})
    for name in _may_be_left_out():
        component = components.get(name)
        if component is None:
            continue
        for prop_name, prop in component.get("properties", {}).items():
            if isinstance(prop, dict) and "default" in prop:
                default = prop.pop("default")
                said = f"Default: {msgspec.json.encode(default).decode()}."
                prop["description"] = (
                    f"{prop['description']} {said}" if prop.get("description") else said
                )
                if prop_name in component.get("required", []):
                    component["required"].remove(prop_name)
    return result


def served_document(generated: Mapping[str, Any]) -> dict[str, Any]:
    return add_examples(
        answer_wrong_media_types(
            describe_uploads(
                add_links(restore_bounds(optional_defaults(close_strict_objects(generated))))
            )
        )
    )


class RapportJsonRenderPlugin(JsonRenderPlugin):
    """Serves ``/openapi.json`` like Litestar's own JSON plugin, completed as above."""

    def __init__(self) -> None:
        super().__init__()
        self._rendered: tuple[int, dict[str, Any]] | None = None

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        # Litestar builds the document once and hands the same dict every time.
        if self._rendered is None or self._rendered[0] != id(openapi_schema):
            self._rendered = (id(openapi_schema), served_document(openapi_schema))
        return self.render_json(request, self._rendered[1])


# The browsable reference at /schema: Redoc, one script pinned to a version and checked by
# the browser against its hash (subresource integrity), so a changed file on the CDN is
# refused rather than run; no fonts, icons or other files from elsewhere. The hash is of
# bundles/redoc.standalone.js in the npm package redoc@2.5.4, which jsDelivr serves as is.
REDOC_URL = "https://cdn.jsdelivr.net/npm/redoc@2.5.4/bundles/redoc.standalone.js"
REDOC_SRI = "sha384-w447zOpYfw/1Tv/5AK9NfHTlQIqE3RVR6KY62jCyy9zNDgO64cMwGGP1Fj0zJVf5"


class ReferencePage(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path="/")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(str(openapi_schema.get("info", {}).get("title", "API")))
        document = html.escape(self.get_openapi_json_route(request), quote=True)
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>{title}</title>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<style>body { margin: 0 }</style></head><body>"
            f"<redoc spec-url='{document}'></redoc>"
            f"<script src='{REDOC_URL}' integrity='{REDOC_SRI}' crossorigin='anonymous'>"
            "</script></body></html>"
        ).encode()
