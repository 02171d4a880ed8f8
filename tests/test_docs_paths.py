"""Commands in the README, docs and benchmarks use the project's own virtualenv by a path
relative to the repository root (``.venv/bin/...``), never one machine's absolute path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# An absolute path into a virtualenv's bin/ (``/any/where/.venv/bin/``, ``/x/venv/bin/``);
# a relative one (``.venv/bin/``, ``./.venv/bin/``) does not start a path with ``/``.
ABSOLUTE_VENV = re.compile(r"(?<![\w.~-])/[^\s`'\"()\[\]]*venv[^\s`'\"()\[\]/]*/bin/")


def checked_files() -> list[Path]:
    patterns = ("docs/*.md", "bench/*.md", "bench/*.py")
    return [ROOT / "README.md", *sorted(p for pattern in patterns for p in ROOT.glob(pattern))]


@pytest.mark.parametrize(
    ("text", "absolute"),
    [
        ("/work/venv/bin/python bench/run.py", True),
        ("PyPI: `/home/ana/rapport/.venv/bin/pip install py-spy`", True),
        ("/root/.venv/bin/pytest", True),
        (".venv/bin/python bench/run.py", False),
        ("./.venv/bin/rapport --demo", False),
        ("python3 -m venv .venv && .venv/bin/pip install -q .", False),
    ],
)
def test_the_pattern_finds_absolute_virtualenv_paths(text: str, absolute: bool) -> None:
    assert bool(ABSOLUTE_VENV.search(text)) is absolute


def test_docs_and_benchmarks_name_no_absolute_virtualenv_path() -> None:
    files = checked_files()
    assert ROOT / "README.md" in files
    assert ROOT / "bench" / "README.md" in files
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ABSOLUTE_VENV.search(line)
    ]
    assert not offenders, "absolute virtualenv paths (use .venv/bin/...):\n" + "\n".join(offenders)
