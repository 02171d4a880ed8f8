"""Starting up: first run on this computer, the demo, the login screen, the command line
and the config file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.tui.conftest import DEMO_END, Network, ready, settle
from tests.tui.test_today import rows
from tui.app import RapportApp, build_connector, parse_args
from tui.config import (
    Config,
    ConfigStore,
    LocalProfile,
    config_home,
    data_home,
    system_timezone,
    to_toml,
)
from tui.connect import Connector
from tui.launch import LocalServer
from tui.screens.login import LoginScreen
from tui.screens.pick_habits import PickHabitsScreen


def fresh_connector(tmp_path: Path, clock: FakeClock, network: Network) -> Connector:
    return Connector(
        config=ConfigStore(tmp_path / "config" / "config.toml"),
        data_dir=tmp_path / "data",
        clock=clock,
        synchronous="NORMAL",
        wrap_transport=network.wrap,
        log_to_file=False,
    )


async def test_first_run_creates_a_local_profile_and_picks_habits(
    tmp_path: Path, clock: FakeClock, network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    connector = fresh_connector(tmp_path, clock, network)
    app = RapportApp(connector, sync_interval=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, "WelcomeScreen")
        assert app.screen.query_one("#timezone").value == "Europe/Berlin"  # type: ignore[attr-defined]
        await pilot.press(*"Ana Lima")
        await pilot.press("enter")
        await ready(pilot, "PickHabitsScreen")
        picker = app.screen
        assert isinstance(picker, PickHabitsScreen)
        # First of each list: one results habit and one relationships habit.
        await pilot.press("space")
        await pilot.press("tab", "space")
        await settle(pilot)
        assert "Adopt 2 habits" in str(picker.query_one("#adopt").label)  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await ready(pilot)
        assert set(rows(app)) == {
            "Deliver on a promise",
            "Listen actively in three conversations",
        }
        assert app.session is not None
        assert app.session.user is not None
        assert app.session.user.handle == "ana.lima"
        assert app.session.user.timezone == "Europe/Berlin"

    config = connector.config_store.load()
    assert config.server is None
    assert config.local is not None
    assert config.local.handle == "ana.lima"
    assert config.local.token
    assert config.local.password
    mode = stat.S_IMODE(connector.config_store.path.stat().st_mode)
    assert mode == 0o600
    assert stat.S_IMODE(connector.config_store.path.parent.stat().st_mode) == 0o700

    # The next start goes straight to Today, signed in with the stored profile.
    async with RapportApp(connector, sync_interval=60).run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert len(rows(pilot.app)) == 2


async def test_a_lapsed_local_token_logs_in_again(
    tmp_path: Path, clock: FakeClock, network: Network
) -> None:
    connector = fresh_connector(tmp_path, clock, network)
    async with RapportApp(connector, sync_interval=60).run_test(size=(80, 24)) as pilot:
        await ready(pilot, "WelcomeScreen")
        await pilot.press(*"Ben", "enter")
        await ready(pilot, "PickHabitsScreen")
        await pilot.press("escape")
        await ready(pilot)
    config = connector.config_store.load()
    assert config.local is not None
    old_token = config.local.token
    config.local.token = "rpt_not-a-valid-token"
    connector.config_store.save(config)
    async with RapportApp(connector, sync_interval=60).run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert "No habits yet" in str(pilot.app.screen.query_one("#no-habits").render())
    new = connector.config_store.load().local
    assert new is not None
    assert new.token not in (None, old_token, "rpt_not-a-valid-token")


async def test_demo_opens_with_a_played_history(tmp_path: Path, network: Network) -> None:
    connector = Connector(
        config=ConfigStore(tmp_path / "config.toml"),
        data_dir=tmp_path / "data",
        demo=True,
        demo_dir=tmp_path / "demo",
        demo_end=DEMO_END,
        demo_timezone="UTC",
        demo_days=30,  # the snapshots show the full 90 days; a month is enough here
        synchronous="NORMAL",
        log_to_file=False,
    )
    app = RapportApp(connector, sync_interval=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        shown = rows(app)
        assert len(shown) == 6
        categories = {row.line.habit.category for row in shown.values()}
        assert categories == {"results", "relationships"}
        assert any(row.line.item.streak >= 5 for row in shown.values())
        assert app.session is not None
        assert app.session.demo
        me = await app.session.me()
        assert me.level >= 3
        assert app.where == "demo · this computer"
    # The demo never touches the user's config file.
    assert not (tmp_path / "config.toml").exists()


async def test_login_screen_reports_an_unreachable_server(
    tmp_path: Path, clock: FakeClock, network: Network
) -> None:
    connector = fresh_connector(tmp_path, clock, network)
    app = RapportApp(connector, sync_interval=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, "WelcomeScreen")
        await pilot.press("ctrl+l")
        await ready(pilot, "LoginScreen")
        screen = app.screen
        assert isinstance(screen, LoginScreen)
        screen.query_one("#server").value = "ftp://example.org"  # type: ignore[attr-defined]
        screen.query_one("#handle").value = "ana"  # type: ignore[attr-defined]
        screen.query_one("#password").value = "a long enough password"  # type: ignore[attr-defined]
        screen.query_one("#password").focus()
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "http:// or https://" in str(screen.query_one("#login-error").render())

        # Port 9 (discard) on this machine: nothing listens, the connection is refused.
        screen.query_one("#server").value = "http://127.0.0.1:9"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert "cannot reach http://127.0.0.1:9" in str(screen.query_one("#login-error").render())
        assert connector.config_store.load().server is None


def test_command_line_options() -> None:
    args = parse_args(["--server", "https://r.example", "--data-dir", "/tmp/x"])
    assert (args.server, args.data_dir, args.demo) == ("https://r.example", Path("/tmp/x"), False)
    demo = build_connector(parse_args(["--demo", "--data-dir", "/tmp/x"]))
    assert demo.demo
    assert demo.demo_dir == Path("/tmp/x/demo")
    assert build_connector(parse_args(["--demo"])).demo_dir is None


def test_config_lives_in_xdg_directories(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert config_home() == tmp_path / "cfg" / "rapport"
    assert data_home() == tmp_path / "share" / "rapport"
    assert ConfigStore().path == tmp_path / "cfg" / "rapport" / "config.toml"


def test_config_round_trips_and_escapes(tmp_path: Path) -> None:
    store = ConfigStore(tmp_path / "c" / "config.toml")
    assert store.load() == Config()
    config = Config(
        server="https://r.example",
        token='rpt_"quoted"\\slash',
        theme="rapport-light",
        local=LocalProfile(handle="ana", password="pw with ünïcode"),
    )
    store.save(config)
    assert store.load() == config
    assert "[local]" in to_toml(config)
    store.path.write_text("not = [valid toml")
    assert store.load() == Config()  # a broken file is ignored, not a crash


async def test_create_an_account_on_a_server_then_come_back_signed_in(
    tmp_path: Path, clock: FakeClock
) -> None:
    # A second in-process server stands in for the team's server (no socket needed).
    team = LocalServer(tmp_path / "team.db", clock=clock, synchronous="NORMAL")
    await team.start()
    try:
        connector = fresh_connector(tmp_path, clock, Network())
        connector.remote_transport = team.transport
        app = RapportApp(connector, sync_interval=60)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot, "WelcomeScreen")
            await pilot.press("ctrl+l")
            await ready(pilot, "LoginScreen")
            screen = app.screen
            screen.query_one("#server").value = "https://team.example"  # type: ignore[attr-defined]
            screen.query_one("#handle").value = "Cleo"  # type: ignore[attr-defined]
            screen.query_one("#password").value = "a long enough password"  # type: ignore[attr-defined]
            await pilot.click("#register")
            await ready(pilot, "PickHabitsScreen")
            assert app.where == "team.example"
            await pilot.press("space", "ctrl+s")
            await ready(pilot)
            assert set(rows(app)) == {"Deliver on a promise"}

        config = connector.config_store.load()
        assert config.server == "https://team.example"
        assert config.handle == "cleo"
        assert config.token

        app = RapportApp(connector, sync_interval=60)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            assert set(rows(app)) == {"Deliver on a promise"}
            assert app.session is not None
            assert app.session.url == "https://team.example"
            assert not app.session.local
    finally:
        await team.stop()


def test_the_machine_time_zone_comes_from_tz_or_the_system(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "Asia/Kathmandu")
    assert system_timezone() == "Asia/Kathmandu"
    monkeypatch.setenv("TZ", "Not/AZone")
    assert system_timezone() == "UTC"  # unreadable: the safe default


async def test_the_local_database_and_log_are_the_users_alone(tmp_path: Path) -> None:
    """Issue 19, defect 17: rapport.db was made 0644 beside a 0600 config.toml."""
    older = tmp_path / "old" / "rapport.db"
    older.parent.mkdir()
    older.touch(mode=0o644)
    for database in (tmp_path / "new" / "rapport.db", older):
        log = database.parent / "server.log"
        server = LocalServer(database, synchronous="NORMAL", log_file=log)
        await server.start()
        try:
            assert database.stat().st_mode & 0o777 == 0o600
            assert log.stat().st_mode & 0o777 == 0o600
        finally:
            await server.stop()
