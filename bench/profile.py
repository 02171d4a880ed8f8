"""Where the server's time goes: py-spy samples it during one scenario (``--profile``).

py-spy (``pip install py-spy``) is optional; it samples without pausing the server
(``--nonblocking``), so the profiled scenario's numbers move only a little. Idle threads
(the event loop waiting in epoll, aiosqlite's threads waiting for work) are not sampled,
so the shares below are shares of the time the server was busy.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>.*?)(?::(?P<line>\d+))?\)$")
# Frames in this checkout are shown from its root, wherever it was cloned.
_REPOSITORY = f"{Path(__file__).resolve().parent.parent}/"


def available() -> str | None:
    beside = Path(sys.executable).with_name("py-spy")  # installed into this venv
    return str(beside) if beside.exists() else shutil.which("py-spy")


def start(pid: int, seconds: int, output: Path) -> subprocess.Popen[bytes]:
    executable = available()
    if executable is None:
        raise RuntimeError("py-spy is not installed (pip install py-spy)")
    command = [
        executable, "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "250",
        "--format", "raw", "--function", "--nonblocking", "--output", str(output),
        "--subprocesses",  # granian serves from a worker process
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _short(frame: str) -> str:
    """``function (path/to/file.py:12)`` -> ``function (file.py:12)`` below site-packages
    or the repository, so the table stays readable."""
    found = _FRAME.match(frame)
    if not found:
        return frame
    path = found["file"]
    for marker in ("site-packages/", _REPOSITORY, "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    line = f":{found['line']}" if found["line"] else ""
    return f"{found['function']} ({path}{line})"


def summarize(raw: Path, top: int = 25) -> dict[str, object]:
    """Shares of busy samples: by the function running (self) and by every function on
    the stack (inclusive, without the frames every sample shares)."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_short(f) for f in stack.split(";")[1:]]  # [0] is the thread
        if not frames:
            continue
        n = int(count)
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    if not total:
        return {"samples": 0, "self": [], "inclusive": []}

    def shares(counter: Counter[str], limit: float) -> list[tuple[str, float]]:
        ranked = [(f, round(100 * n / total, 1)) for f, n in counter.most_common()]
        return [(f, p) for f, p in ranked if p < limit][:top]

    return {
        "samples": total,
        "self": shares(own, 101),
        "inclusive": shares(inclusive, 90),  # drop the event loop's own frames
    }


def markdown(key: str, summary: dict[str, object]) -> str:
    lines = [f"## Profile of `{key}` ({summary['samples']} busy samples)", ""]
    for title, field in (("Inclusive (on the stack)", "inclusive"), ("Self", "self")):
        lines += ["", f"{title}:", "", "| % | function |", "|---:|---|"]
        rows = summary[field]
        assert isinstance(rows, list)
        lines += [f"| {share} | `{frame}` |" for frame, share in rows]
    return "\n".join(lines) + "\n"
