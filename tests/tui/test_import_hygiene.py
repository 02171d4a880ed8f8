"""Importing the terminal client loads neither Litestar nor anything of the server: the
embedded service (``tui.launch``) is imported only when it is started, so a saved Today
screen can be painted before that import (tui/connect.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICE_PACKAGES = ("litestar", "server")
# The last line printed is the sorted names of every module loaded.
LOADED = "import json, sys, tui.app; print(json.dumps(sorted(sys.modules)))"


def loaded_by(code: str) -> list[str]:
    """The modules a fresh interpreter has loaded after running ``code`` from the root."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    names: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return names


def test_importing_the_client_loads_neither_litestar_nor_the_server() -> None:
    loaded = loaded_by(LOADED)
    assert "tui.app" in loaded
    service = [name for name in loaded if name.split(".")[0] in SERVICE_PACKAGES]
    assert service == [], f"importing tui.app loaded {len(service)}: {', '.join(service[:10])}"
