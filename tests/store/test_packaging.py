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
