"""One app: Today, Challenges, Team and Profile from every screen with the same keys, the
header's tabs, and bindings remapped by id in config.toml (issue 19)."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest
from textual.widgets import Label

from tests.tui.conftest import MakeApp, Profile, ready, settle
from tests.tui.test_today import rows, select


def stack(app: object) -> list[str]:
    return [type(s).__name__ for s in app.screen_stack][1:]  # type: ignore[attr-defined]


def current_tab(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    [tab] = [t for t in screen.query(".tab") if t.has_class("-current")]
    return str(tab.id)


async def test_the_sections_are_one_key_away_from_every_screen(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert current_tab(app) == "tab-today"
        await select(pilot, "Deliver on a promise")
        await pilot.press("o")
        await ready(pilot, "HabitScreen")
        await pilot.press("3")
        await ready(pilot, "TeamScreen")
        assert current_tab(app) == "tab-team"
        assert stack(app) == ["TodayScreen", "TeamScreen"]  # the habit was closed
        await pilot.press("2")
        await ready(pilot, "ChallengesScreen")
        assert stack(app) == ["TodayScreen", "ChallengesScreen"]
        # t on Challenges is Team, as on Today (it did nothing there).
        await pilot.press("t")
        await ready(pilot, "TeamScreen")
        await pilot.press("4")
        await ready(pilot, "ProfileScreen")
        assert current_tab(app) == "tab-profile"
        await pilot.press("1")
        await ready(pilot)
        assert stack(app) == ["TodayScreen"]
        header = app.screen.query_one("#tab-team", Label)
        assert str(header.render()) == "3 Team"


async def test_no_section_key_acts_from_under_a_dialog(make_app: MakeApp) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await ready(pilot, "HelpScreen")
        await pilot.press("3")
        await settle(pilot)
        assert stack(app) == ["TodayScreen", "HelpScreen"]


async def test_keys_are_remapped_by_binding_id_in_config_toml(
    make_app: MakeApp, profile: Profile
) -> None:
    config = profile.config.load()
    keys = {"go.team": "ctrl+e", "today.skip": "x"}
    profile.config.save(msgspec.structs.replace(config, keys=keys))
    assert profile.config.load().keys == keys  # written and read back as TOML
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "Deliver on a promise")
        await pilot.press("s")  # no longer skip
        await settle(pilot)
        assert rows(app)["Deliver on a promise"].line.state == "open"
        await pilot.press("x")
        await settle(pilot)
        assert rows(app)["Deliver on a promise"].line.state == "skipped"
        await pilot.press("3")  # no longer Team
        await settle(pilot)
        assert stack(app) == ["TodayScreen"]
        await pilot.press("ctrl+e")
        await ready(pilot, "TeamScreen")
        assert str(app.screen.query_one("#tab-team", Label).render()) == "^e Team"


async def test_a_screenshot_is_saved_without_a_downloads_folder(
    make_app: MakeApp, profile: Profile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"  # no Downloads in it
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(home / "Downloads"))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.action_screenshot()
        for _ in range(100):
            await pilot.pause(0.02)
            if list(app._notifications):
                break
        [shot] = (profile.data_dir / "screenshots").glob("*.svg")
        assert "rapport" in shot.read_text()
        assert any(n.title == "Screenshot" for n in app._notifications)


async def test_a_screenshot_that_cannot_be_written_says_why(
    make_app: MakeApp, tmp_path: Path
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.deliver_screenshot(path=str(tmp_path / "no" / "such" / "folder"))
        for _ in range(100):
            await pilot.pause(0.02)
            if any(n.title == "Not saved" for n in app._notifications):
                break
        # Said once, with the reason.
        [failed] = [n for n in app._notifications if n.severity == "error"]
        assert failed.title == "Not saved"
        assert "No such file" in failed.message


async def test_a_screenshot_folder_that_cannot_be_made_is_said_not_a_crash(
    make_app: MakeApp, profile: Profile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(home / "Downloads"))
    (profile.data_dir / "screenshots").write_text("a file where the folder would go")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.action_screenshot()
        await settle(pilot)
        [failed] = [n for n in app._notifications if n.severity == "error"]
        assert failed.title == "Not saved"
        assert app.is_running


async def test_a_remap_that_is_unknown_or_clashes_is_left_out_and_said(
    make_app: MakeApp, profile: Profile
) -> None:
    config = profile.config.load()
    keys = {"today.skipp": "x", "today.skip": "u", "go.team": "ctrl+e"}
    profile.config.save(msgspec.structs.replace(config, keys=keys))
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        said = [n.message for n in app._notifications if n.title == "config.toml [keys]"]
        assert len(said) == 2
        assert any("today.skipp" in m for m in said)
        assert any("u is already today.undo" in m for m in said)
        # Undo keeps its key; skip keeps s; the good entry applies.
        await select(pilot, "Deliver on a promise")
        await pilot.press("s")
        await settle(pilot)
        assert rows(app)["Deliver on a promise"].line.state == "skipped"
        await pilot.press("u")
        await settle(pilot)
        assert rows(app)["Deliver on a promise"].line.state == "open"
        await pilot.press("ctrl+e")
        await ready(pilot, "TeamScreen")
