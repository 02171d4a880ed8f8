"""The seed catalog and the migrations ship inside the wheel, so a non-editable install
finds them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_carries_seed_data_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    [wheel] = tmp_path.glob("rapport-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"seed/{p.name}" for p in (ROOT / "seed").glob("*.toml")}
    for folder in ("migrations", "migrations_postgresql"):
        expected |= {
            f"server/store/{folder}/{p.name}"
            for p in (ROOT / "server/store" / folder).glob("*.sql")
        }
    assert len(expected) >= 4
    assert expected <= names


def test_the_wheel_is_pure_python_and_gives_both_commands(tmp_path: Path) -> None:
    """`pip install rapport` needs no compiler for Rapport itself (a py3-none-any wheel) and
    puts `rapport-server` and `rapport` on the PATH."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    [wheel] = tmp_path.glob("rapport-*.whl")
    assert wheel.name.endswith("-py3-none-any.whl")
    archive = zipfile.ZipFile(wheel)
    [entry_points] = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
    text = archive.read(entry_points).decode()
    assert "rapport-server = server.cli:main" in text
    assert "rapport = tui.app:main" in text
    assert not [n for n in archive.namelist() if n.endswith((".c", ".so", ".pyx"))]


def test_the_systemd_unit_sets_only_real_settings_and_runs_the_installed_command() -> None:
    """deploy/rapport.service (docs/operations.md) cannot drift from the settings it sets:
    each RAPPORT_* it names is a setting, and Settings.from_env reads its values."""
    from server.settings import Settings

    unit = (ROOT / "deploy" / "rapport.service").read_text()
    assigned: dict[str, str] = {}
    for line in unit.splitlines():
        if line.startswith("Environment="):
            for pair in line.removeprefix("Environment=").split():
                name, _, value = pair.partition("=")
                assigned[name] = value
    known = {f"RAPPORT_{name.upper()}" for name in Settings.__struct_fields__}
    assert {"RAPPORT_DATABASE", "RAPPORT_HOST", "RAPPORT_PORT"} <= set(assigned) <= known
    settings = Settings.from_env(assigned)
    assert (settings.host, settings.port, settings.log_format) == ("127.0.0.1", 8000, "json")
    assert settings.database == "/var/lib/rapport/rapport.db"
    [exec_start] = [ln for ln in unit.splitlines() if ln.startswith("ExecStart=")]
    assert exec_start.endswith("/bin/rapport-server")
    assert "StateDirectory=rapport" in unit
    assert "DynamicUser=yes" in unit
