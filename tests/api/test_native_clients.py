"""A native mobile developer's first step: generate a Kotlin and a Swift client from the
served document with openapi-generator's default options (validation on), as docs/mobile.md
says. openapi-generator-cli comes from PyPI with its jar; it needs Java 11 or newer.

Compiling the generated code needs Gradle and Maven Central (Kotlin) or a Swift toolchain,
which this machine cannot reach; what is checked here is what the document decides: the
generator accepts it, every request field with a default is optional in the generated
model, and each operation becomes a method named after its operationId.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

pytestmark = [pytest.mark.sqlite_only, pytest.mark.xdist_group("native-clients")]

# Beside this interpreter: the venv's bin need not be on PATH.
_BESIDE = Path(sys.executable).parent / "openapi-generator-cli"
GENERATOR = str(_BESIDE) if _BESIDE.exists() else shutil.which("openapi-generator-cli")


def _camel(operation_id: str) -> str:
    head, *rest = operation_id.split("_")
    return head + "".join(part.title() for part in rest)


def generate(document: dict[str, Any], generator: str, out: Path) -> str:
    assert GENERATOR is not None, "openapi-generator-cli is a test dependency (pyproject)"
    assert shutil.which("java"), "openapi-generator needs Java 11 or newer"
    spec = out.parent / f"{generator}.openapi.json"
    spec.write_text(json.dumps(document))
    done = subprocess.run(
        [GENERATOR, "generate", "-i", str(spec), "-g", generator, "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]
    return log


def _warnings(log: str) -> list[str]:
    # The generator's own notices are not about the document.
    notices = ("OpenAPI 3.1 support is still in beta", "reserved word")
    return [
        line
        for line in log.splitlines()
        if (" WARN " in line or " ERROR " in line) and not any(n in line for n in notices)
    ]


@pytest.fixture
async def document(http: AsyncTestClient[Litestar]) -> dict[str, Any]:
    served: dict[str, Any] = (await http.get("/schema/openapi.json")).json()
    return served


def _defaulted_request_fields(document: dict[str, Any]) -> dict[str, set[str]]:
    """Request components and their fields that a client may leave out."""
    schemas = document["components"]["schemas"]
    out: dict[str, set[str]] = {}
    for name in ("CheckInCreate", "RegisterRequest", "HabitCreate", "ProfilePatch"):
        schema = schemas[name]
        optional = set(schema.get("properties", {})) - set(schema.get("required", []))
        out[name] = optional
    return out


async def test_a_kotlin_client_generates_with_default_options(
    document: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "kotlin"
    log = generate(document, "kotlin", out)
    assert _warnings(log) == []
    models = out / "src/main/kotlin/org/openapitools/client/models"
    for name, optional in _defaulted_request_fields(document).items():
        source = (models / f"{name}.kt").read_text()
        assert optional, name
        for field in optional:
            # `val value: kotlin.Int? = null`: a person builds CheckInCreate() with nothing.
            declared = re.search(rf"val `?{_camel(field)}`?: ([\w.<>, ]+\??)( = [^\n]+)?\n", source)
            assert declared is not None, (name, field)
            assert declared.group(1).endswith("?"), (name, field)
            assert declared.group(2), (name, field)
    apis = "\n".join(p.read_text() for p in (out / "src/main/kotlin").rglob("*Api.kt"))
    methods = set(re.findall(r"\n    fun (\w+)\(", apis))
    operations = [
        op["operationId"]
        for item in document["paths"].values()
        for method, op in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert {_camel(o) for o in operations} <= methods


async def test_a_swift_client_generates_with_default_options(
    document: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "swift"
    log = generate(document, "swift6", out)
    assert _warnings(log) == []
    source = (out / "Sources/OpenAPIClient/Models/CheckInCreate.swift").read_text()
    # Every field optional: `CheckInCreate()` is a valid check-in.
    assert re.search(r"public init\((\w+: [\w.\[\]]+\? = nil(, )?)+\)", source), source


async def test_every_operation_reads_well_in_a_generated_sdk(document: dict[str, Any]) -> None:
    """One declared, described tag (the generated class), a summary (its doc comment) and a
    unique snake_case operationId (its method) on every operation."""
    declared = {tag["name"]: tag.get("description", "") for tag in document["tags"]}
    assert all(declared.values()), declared
    seen: list[str] = []
    used: set[str] = set()
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            where = f"{method.upper()} {path}"
            assert len(op.get("tags", [])) == 1, where
            assert op["tags"][0] in declared, where
            assert op.get("summary", "").strip(), where
            assert re.fullmatch(r"[a-z]+(_[a-z0-9]+)*", op["operationId"]), where
            seen.append(op["operationId"])
            used.add(op["tags"][0])
    assert len(seen) == len(set(seen))
    assert used == set(declared)
