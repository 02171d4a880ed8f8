"""A mobile developer's first hour: generate a TypeScript client from the served document
with openapi-typescript's default options, type-check the core loop with ``tsc --strict``
and run it with openapi-fetch against a live server (clients/typescript, pinned by its lock
file; ``npm ci`` there installs it, as .ci/run does)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.conftest import Databases, ServerProcess

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "typescript"
BIN = CLIENT / "node_modules" / ".bin"


def run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


# The generated client and the document do not depend on the store: once, on SQLite.
@pytest.mark.sqlite_only
@pytest.mark.xdist_group("node")
def test_a_generated_typescript_client_type_checks_strictly_and_runs_the_core_loop(
    databases: Databases, tmp_path: Path
) -> None:
    assert (BIN / "tsc").exists(), "run `npm ci` in clients/typescript first (see README)"
    server = ServerProcess(databases.new())
    try:
        server.wait_ready()
        document = httpx.get(f"{server.base}/schema/openapi.json").text
        work = tmp_path / "client"
        work.mkdir()
        for name in ("package.json", "tsconfig.json", "core-loop.ts"):
            shutil.copy(CLIENT / name, work / name)
        (work / "node_modules").symlink_to(CLIENT / "node_modules")
        (work / "openapi.json").write_text(document)
        run(BIN / "openapi-typescript", "openapi.json", "-o", "api.d.ts", cwd=work)
        run(BIN / "tsc", "-p", ".", cwd=work)  # --strict, from tsconfig.json
        seen = json.loads(run("node", "out/core-loop.js", server.base, cwd=work))
    finally:
        log = server.stop()
    assert "Traceback" not in log, log[-3000:]
    assert seen["points_awarded"] > 0
    assert (seen["streak"], seen["done_today"], seen["my_rank"]) == (1, 1, 1)
