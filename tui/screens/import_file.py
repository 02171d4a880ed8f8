"""Bring history in: a file from Loop Habit Tracker, Habitica or another Rapport server.

The server tells the format from the file's content and imports it as a background job;
this dialog uploads the file, follows the job with a progress bar, and shows the report
(or why nothing was imported). What each format brings is the server's to say
(docs/api.md, "Imports"): nothing here knows the formats.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, ProgressBar

from shared import schemas
from tui.wording import SERVICE_ERRORS, error_text

if TYPE_CHECKING:
    from tui.app import RapportApp

MAX_UPLOAD_BYTES = 50_000_000  # the server's bound for an import: refuse before uploading
POLL_S = 0.3
STATES = {
    "queued": "Waiting for its turn…",
    "reading": "Reading the file…",
    "writing": "Saving your history…",
}


def report_text(report: schemas.ImportReport) -> str:
    """The report in a sentence or two, then each note on its own line."""
    lines = [
        f"{report.habits} habit{'s' if report.habits != 1 else ''} and "
        f"{report.checkins:,} check-in{'s' if report.checkins != 1 else ''} imported."
    ]
    if report.points:
        lines.append(f"{report.points:,} points rebuilt from your own export.")
    lines += [f"• {note}" for note in report.notes]
    return "\n".join(lines)


class ImportScreen(ModalScreen[bool]):
    """Answers True when something was imported (the caller refreshes its data)."""

    app: RapportApp
    BINDINGS = [("escape", "close", "Close")]

    def __init__(self) -> None:
        super().__init__()
        self.imported = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="import-dialog") as box:
            box.border_title = "Import history"
            yield Label(
                "A Loop Habit Tracker export (.zip) or backup (.db), Habitica's"
                " userdata.json, or a Rapport export. History brings streaks, not points.",
                classes="dialog-text",
            )
            yield Label("File")
            yield Input(placeholder="~/Downloads/Loop Habits CSV 2026-11-30.zip", id="path")
            yield ProgressBar(total=None, show_eta=False, id="import-progress")
            yield Label("", id="import-status", classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Import", variant="primary", id="start")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#import-progress", ProgressBar).display = False

    def _status(self, text: str) -> None:
        self.query_one("#import-status", Label).update(text)

    @on(Input.Submitted)
    @on(Button.Pressed, "#start")
    def start(self) -> None:
        raw = self.query_one("#path", Input).value.strip().strip("'\"")
        if not raw:
            self._status("⚠ Type the path of the file to import.")
            return
        path = Path(raw).expanduser()
        if not path.is_file():
            self._status(f"⚠ No file at {path}.")
            return
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            self._status(f"⚠ {path.name} is larger than {MAX_UPLOAD_BYTES // 1_000_000} MB.")
            return
        self.upload(path)

    @work(exclusive=True, group="import")
    async def upload(self, path: Path) -> None:
        session = self.app.session
        if session is None or not session.signed_in:
            self._status("⚠ Log in first (ctrl+l): an import goes into your account.")
            return
        start = self.query_one("#start", Button)
        bar = self.query_one("#import-progress", ProgressBar)
        start.disabled = True
        bar.display = True
        bar.update(total=None, progress=0)
        self._status(f"Uploading {path.name}…")
        try:
            data = await asyncio.to_thread(path.read_bytes)
            job = await session.client.start_import(data, "application/octet-stream")
            while job.state not in ("done", "failed"):
                self._status(f"{STATES[job.state]} {job.rows_read:,} rows so far.")
                await asyncio.sleep(POLL_S)
                job = await session.client.import_job(job.id)
        except (OSError, *SERVICE_ERRORS) as exc:
            bar.display = False
            start.disabled = False
            self._status(f"⚠ {error_text(exc) if not isinstance(exc, OSError) else exc}")
            return
        if job.state == "done" and job.report is not None:
            bar.update(total=1, progress=1)
            self.imported = True
            self._status(report_text(job.report))
            self.app.data_changed()
        else:
            bar.display = False
            start.disabled = False
            why = job.error.detail if job.error else "the server gave no reason"
            self._status(f"⚠ Nothing was imported: {why}")

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(self.imported)
