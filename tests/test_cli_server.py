"""``rapport-server --server uvicorn|granian``: uvicorn stays the default, granian is
optional and only imported when chosen."""

from __future__ import annotations

import enum
import sys
import types
from typing import Any

import pytest
from litestar import Litestar

from server import cli


def test_uvicorn_is_the_default() -> None:
    assert cli.parse_args([]).server == "uvicorn"
    assert cli.parse_args(["--server", "granian"]).server == "granian"


def test_unknown_server_is_refused() -> None:
    with pytest.raises(SystemExit):
        cli.parse_args(["--server", "gunicorn"])


def test_granian_missing_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "granian", None)  # import granian -> ImportError
    monkeypatch.setitem(sys.modules, "granian.server", None)
    assert cli.main(["--server", "granian", "--database", "unused.db"]) == 2
    assert "pip install granian" in capsys.readouterr().err


def test_granian_serves_the_app_with_the_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    # granian is optional and not installed by the tests: stand-ins for the three names
    # rapport-server imports from it, so this runs everywhere.
    seen: dict[str, Any] = {}

    class FakeServer:
        def __init__(self, target: str, **options: Any) -> None:
            seen["options"] = options

        def serve(self, *, target_loader: Any, wrap_loader: bool) -> None:
            seen["app"] = target_loader()
            seen["wrap_loader"] = wrap_loader

    class Interfaces(enum.StrEnum):
        ASGI = "asgi"

    class LogLevels(enum.StrEnum):
        info = "info"

    fakes = {
        "granian": types.ModuleType("granian"),
        "granian.constants": types.ModuleType("granian.constants"),
        "granian.log": types.ModuleType("granian.log"),
        "granian.server": types.ModuleType("granian.server"),
    }
    fakes["granian.constants"].Interfaces = Interfaces  # type: ignore[attr-defined]
    fakes["granian.log"].LogLevels = LogLevels  # type: ignore[attr-defined]
    fakes["granian.server"].Server = FakeServer  # type: ignore[attr-defined]
    for module_name, module in fakes.items():
        monkeypatch.setitem(sys.modules, module_name, module)
    for name in ("RAPPORT_HOST", "RAPPORT_PORT", "RAPPORT_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    database = str(tmp_path / "x.db")
    assert cli.main(["--server", "granian", "--port", "8123", "--database", database]) == 0
    options = seen["options"]
    assert (options["address"], options["port"], options["workers"]) == ("127.0.0.1", 8123, 1)
    assert str(options["interface"]) == "asgi"
    assert options["log_access"] is True  # like uvicorn's access log at the default level
    assert isinstance(seen["app"], Litestar)
    assert seen["wrap_loader"] is False
