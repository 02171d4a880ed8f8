"""Import history from the terminal: Profile, then i, a path, a progress bar, the report."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Label

from tests.tui.conftest import MakeApp, ready, server_client, settle
from tui.app import RapportApp
from tui.screens.import_file import ImportScreen

LOOP = Path(__file__).resolve().parents[1] / "fixtures" / "loop"


def loop_zip(folder: Path) -> Path:
    path = folder / "Loop Habits CSV 2026-03-10.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for csv in sorted(LOOP.rglob("*.csv")):
            archive.writestr(csv.relative_to(LOOP).as_posix(), csv.read_text())
    path.write_bytes(buffer.getvalue())
    return path


async def status_when_done(app: RapportApp, pilot: Pilot[None]) -> str:
    for _ in range(100):
        await settle(pilot)
        text = str(app.screen.query_one("#import-status", Label).render())
        if "imported" in text or "⚠" in text:
            return text
        await asyncio.sleep(0.05)
    raise AssertionError("the import did not finish")


async def test_profile_imports_a_loop_export_and_shows_the_report(
    make_app: MakeApp, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        before = {h.title for h in (await ana.habits()).items}
        await pilot.press("p")
        await ready(pilot, "ProfileScreen")
        await pilot.press("i")
        await settle(pilot)
        assert isinstance(app.screen, ImportScreen)
        await pilot.press(*str(loop_zip(tmp_path)), "enter")
        text = await status_when_done(app, pilot)
        assert "3 habits and 12 check-ins imported." in text
        after = {h.title for h in (await ana.habits()).items}
        assert after - before == {"Meditate", "Run", "Read pages"}


async def test_a_file_that_is_no_export_imports_nothing_and_says_why(
    make_app: MakeApp, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        ana = await server_client(app)
        before = (await ana.habits()).items
        notes = tmp_path / "notes.txt"
        notes.write_text("just some notes")
        app.push_screen(ImportScreen())
        await settle(pilot)
        await pilot.press(*str(tmp_path / "missing.zip"), "enter")
        await settle(pilot)
        assert "No file at" in str(app.screen.query_one("#import-status", Label).render())
        app.screen.query_one("#path", Input).value = str(notes)
        await pilot.press("enter")
        text = await status_when_done(app, pilot)
        assert "Not a file Rapport imports" in text
        assert (await ana.habits()).items == before
