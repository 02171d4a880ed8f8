"""``rapport``: the terminal client. A small App that opens a session and shows screens.

The app owns the session (client, offline queue, in-process server) and three bits of
state every screen may watch: ``online``, ``pending`` (queued check-ins) and
``revision`` (bumped whenever data changed, so visible screens reload).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import ModalScreen, Screen

from tui.commands import HabitCommands
from tui.config import ConfigStore, screenshot_dir
from tui.connect import Connector
from tui.keys import checked_keymap
from tui.offline import FlushReport
from tui.reminder_bell import Bell, osc9
from tui.screens.base import DataScreen
from tui.screens.break_form import BreakFormScreen
from tui.screens.challenges import ChallengesScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.habit import HabitScreen
from tui.screens.habit_form import HabitFormScreen
from tui.screens.help import HelpScreen
from tui.screens.import_file import ImportScreen
from tui.screens.loading import LoadingScreen
from tui.screens.login import LoginScreen
from tui.screens.note import NoteScreen
from tui.screens.pick_habits import PickHabitsScreen
from tui.screens.profile import ProfileScreen
from tui.screens.team import TeamScreen
from tui.screens.today import TodayScreen
from tui.screens.welcome import WelcomeScreen
from tui.screens.witness import WitnessScreen
from tui.session import Session
from tui.themes import CATEGORY_DEFAULTS, DARK, LIGHT, THEMES
from tui.widgets.habit_list import HabitList
from tui.wording import SERVICE_ERRORS, error_text

REFRESH_SECONDS = 300.0
# How often due reminders are looked for, and the upcoming ones fetched again.
REMINDER_CHECK_SECONDS = 1.0
REMINDER_PLAN_SECONDS = 60.0


SECTION_SCREENS: dict[str, type[Screen[None]]] = {
    "today": TodayScreen,
    "challenges": ChallengesScreen,
    "team": TeamScreen,
    "profile": ProfileScreen,
}


def keymap_scopes() -> list[list[Binding]]:
    """The bindings active together on each screen (the app's, the screen's, its
    widgets'), for checking a remap in config.toml against them."""
    app = [b for b in RapportApp.BINDINGS if isinstance(b, Binding)]
    screens: list[tuple[type[object], ...]] = [
        (DataScreen, TodayScreen, HabitList),
        (DataScreen, ChallengesScreen),
        (DataScreen, TeamScreen),
        (DataScreen, ProfileScreen),
        (DataScreen, HabitScreen),
        (PickHabitsScreen,), (LoginScreen,), (HelpScreen,), (WitnessScreen,), (NoteScreen,),
        (ConfirmScreen,), (HabitFormScreen,), (BreakFormScreen,),
    ]  # fmt: skip
    return [
        app + [b for kind in kinds for b in getattr(kind, "BINDINGS", []) if isinstance(b, Binding)]
        for kinds in screens
    ]


class RapportApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Rapport"
    COMMANDS = App.COMMANDS | {HabitCommands}
    # The schedule column shows from 100 columns on; the preview panel (64 columns) from
    # 130, when the list beside it still has room for a title next to its fixed columns.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-medium"), (130, "-wide")]
    # Bindings are data with ids: ``[keys]`` in config.toml maps an id to other keys
    # (docs/tui.md lists them). The four sections are reached from every screen with the
    # same keys (the header shows them as tabs); a screen's own letter to go back wins
    # there (t on Team, h on Challenges).
    BINDINGS = [
        Binding("1", "go('today')", "Today", show=False, id="go.today"),
        Binding("2,h", "go('challenges')", "Challenges", show=False, id="go.challenges"),
        Binding("3,t", "go('team')", "Team", show=False, id="go.team"),
        Binding("4,p", "go('profile')", "Profile", show=False, id="go.profile"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", show=False, id="app.quit"),
        Binding("ctrl+t", "toggle_theme", "Light/dark", show=False, id="app.theme"),
        Binding("ctrl+l", "login", "Server & login", show=False, id="app.login"),
        Binding("ctrl+r", "sync", "Sync now", show=False, id="app.sync"),
    ]

    online: reactive[bool] = reactive(True)
    pending: reactive[int] = reactive(0)
    where: reactive[str] = reactive("")
    revision: reactive[int] = reactive(0)

    def __init__(self, connector: Connector, *, sync_interval: float = 3.0) -> None:
        super().__init__()
        self.connector = connector
        self.session: Session | None = None
        self._sync_interval = sync_interval
        self._saved_theme = connector.config.theme
        self._theme_ready = False
        # The Today screen shown from disk while the first session opens.
        self._saved_start: TodayScreen | None = None
        self.reminder_bell = Bell()

    # -- start and stop ------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(CATEGORY_DEFAULTS)

    def on_mount(self) -> None:
        if self.connector.config.keys:
            usable, problems = checked_keymap(self.connector.config.keys, keymap_scopes())
            self.set_keymap(usable)
            for problem in problems:
                self.notify(f"{problem}; that entry is left out.", title="config.toml [keys]",
                            severity="warning", timeout=15)  # fmt: skip
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = self._saved_theme if self._saved_theme in self.available_themes else DARK.name
        self._theme_ready = True
        self.set_interval(self._sync_interval, self._heartbeat)
        # Left open past midnight, Today moves on to the new day by itself.
        self.set_interval(REFRESH_SECONDS, self._refresh_all)
        self.set_interval(REMINDER_CHECK_SECONDS, self.ring_reminders)
        self.set_interval(REMINDER_PLAN_SECONDS, self.plan_reminders)
        self.boot()

    @work(exclusive=True, group="session")
    async def boot(self) -> None:
        """Open the session. The Today screen the last run saved is shown at once (marked as
        saved) and refreshed when the session is open; without one, a loading screen."""
        saved = self.connector.saved_today() if self.session is None else None
        loading: LoadingScreen | None = None
        if saved is not None:
            self.where = self.connector.where()
            self._saved_start = TodayScreen(saved)
            await self.push_screen(self._saved_start)
        else:
            demo = self.connector.demo
            loading = LoadingScreen("Demo: playing 90 days of habits" if demo else "")
            await self.push_screen(loading)
        try:
            session = await self.connector.open(progress=loading.report if loading else None)
        except Exception as exc:  # any failure to start is shown, never a traceback
            if loading is None:  # over the saved screen, which the next session replaces
                self._saved_start = None
                loading = LoadingScreen()
                await self.push_screen(loading)
            loading.fail(f"Could not start: {error_text(exc)}")
            return
        await self.use_session(session)

    async def on_unmount(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None
        await self.connector.close()

    @work(exclusive=True, group="session")
    async def open_session(self, session: Session, *, pick_habits: bool = False) -> None:
        """``use_session`` in the app's own worker: a screen that asks for it (Login) is
        closed on the way, and its workers with it."""
        await self.use_session(session)
        if pick_habits:
            await self.push_screen(PickHabitsScreen(first_run=True), lambda _: self.data_changed())

    async def use_session(self, session: Session) -> None:
        """Switch to ``session`` (closing the previous one) and show its first screen."""
        old, self.session = self.session, session
        if old is not None and old is not session:
            await old.close()
        self.where = session.label
        self.refresh_state()
        saved_start, self._saved_start = self._saved_start, None
        if session.signed_in and saved_start in self.screen_stack:
            # The saved Today screen stays (with whatever the user opened on top of it)
            # and loads the live answer.
            self.data_changed()
            return
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        first: Screen[None]
        if session.signed_in:
            first = TodayScreen()
        elif session.local:
            first = WelcomeScreen()
        else:
            first = LoginScreen(session.url or "")
        await self.push_screen(first)

    def refresh_state(self) -> None:
        if self.session is not None:
            self.online = self.session.online
            user = self.session.user
            # Only this account's: another's entries wait for it (``OfflineQueue.flush``).
            self.pending = self.session.queue.waiting_for(user.id if user else None)

    def data_changed(self) -> None:
        """Tell watching screens to reload."""
        self.refresh_state()
        self.revision += 1
        self.plan_reminders()

    # -- reminders while the client is open ----------------------------------------------

    def _now(self) -> datetime:
        return (self.connector.clock or (lambda: datetime.now(UTC)))()

    @work(exclusive=True, group="reminders")
    async def plan_reminders(self) -> None:
        """Fetch what rings next (after ringing what is due: the server's list starts now)."""
        session = self.session
        if session is None or not session.signed_in:
            return
        self.ring_reminders()
        try:
            upcoming = await session.client.reminders(days=1)
        except SERVICE_ERRORS:
            return  # offline: keep ringing from the list held
        self.reminder_bell.plan(upcoming)

    def ring_reminders(self) -> None:
        for ring in self.reminder_bell.due(self._now()):
            text = f"Time for {ring.title} ({ring.local_time})"
            self.notify(text, title="⏰ Reminder", timeout=30)
            self.alert(text)

    def alert(self, text: str) -> None:
        """Pass a reminder on to the terminal, as ``reminder_alert`` in config.toml says."""
        how = self.connector.config.reminder_alert or "osc9"
        if how == "off" or self._driver is None or self.is_headless:
            return
        if how == "osc9":
            self._driver.write(osc9(text))
        self.bell()

    # -- offline queue -------------------------------------------------------------------

    def _refresh_all(self) -> None:
        if self.session is not None and self.session.signed_in:
            self.data_changed()

    def _heartbeat(self) -> None:
        if self.session is not None and (self.pending or not self.online):
            self.sync()

    @work(exclusive=True, group="sync")
    async def sync(self, *, quiet: bool = True) -> None:
        session = self.session
        if session is None:
            return
        was_online = self.online
        if not await session.ping():
            self.refresh_state()
            if not quiet:
                self.notify("The server is still unreachable.", severity="warning")
            return
        report = await session.flush()
        self.report_flush(report)
        if not was_online:
            self.notify("Back online.", title="Connected")
        self.data_changed()

    def report_flush(self, report: FlushReport, *, own: UUID | None = None) -> None:
        """Notifications for a flush; ``own`` is the check-in the user just made (its own
        screen reports it, so it is not announced as "synced" here)."""
        # Check-ins an action on screen is waiting for are told by that action.
        waiting = self.session.awaiting if self.session is not None else set()
        synced = [
            r for r in report.delivered if r.checkin.id != own and r.checkin.id not in waiting
        ]
        if synced:
            noun = "check-in" if len(synced) == 1 else "check-ins"
            self.notify(f"{len(synced)} queued {noun} sent.", title="Synced")
        for rejected in report.rejected:
            if rejected.entry.id == own or rejected.entry.id in waiting:
                self.notify(rejected.reason, title="Not counted", severity="error")
            else:
                self.notify(
                    f"{rejected.entry.day:%d %b}: {rejected.reason}",
                    title="A queued check-in was refused",
                    severity="error",
                )
        if report.stopped_by and not report.unreachable:
            self.notify(report.stopped_by, title="Sync paused", severity="warning")
        self.refresh_state()

    def service_failed(self, exc: BaseException) -> None:
        """Report a failed call as a notification; a lapsed login leads to the login screen."""
        self.refresh_state()
        self.notify(error_text(exc), severity="error", title="Rapport")
        session = self.session
        if getattr(exc, "status", None) == 401 and session is not None and session.signed_in:
            self.connector.forget_token(session)
            session.client.token = None
            if session.local:
                self.boot()  # the local profile logs in again with its stored password
            else:
                self.push_screen(LoginScreen(session.url or ""))

    # -- actions -------------------------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT.name if self.theme == DARK.name else DARK.name

    def watch_theme(self, theme: str) -> None:
        if self._theme_ready:  # a choice of the user's, not the start-up value
            self.connector.remember_theme(theme)

    def action_login(self) -> None:
        if not isinstance(self.screen, LoginScreen):
            url = self.session.url if self.session else None
            self.push_screen(LoginScreen(url or "", can_cancel=True))

    def action_sync(self) -> None:
        self.sync(quiet=False)

    # -- screenshots (the palette's "Screenshot") -----------------------------------------

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """Into the Downloads folder when there is one, else ``screenshots/`` in the data
        directory (made if missing): never a silent failure for want of ~/Downloads."""
        try:
            folder = path or str(screenshot_dir(self.connector.data_dir))
        except OSError as exc:  # no Downloads, and the data directory is not writable
            self.notify(f"Could not save the screenshot: {exc}", title="Not saved",
                        severity="error")  # fmt: skip
            return None
        return super().deliver_screenshot(filename, folder, time_format)

    @on(events.DeliveryFailed)
    def delivery_failed(self, event: events.DeliveryFailed) -> None:
        event.prevent_default()  # Textual's own handler would say it a second time
        what = "screenshot" if event.name == "screenshot" else "file"
        self.notify(f"Could not save the {what}: {event.exception}", title="Not saved",
                    severity="error")  # fmt: skip

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go":
            # Not from under a dialog (its own keys only: None keeps them listed in the
            # help, greyed), nor before there is a Today.
            if isinstance(self.screen, ModalScreen | PickHabitsScreen):
                return None
            return any(isinstance(s, TodayScreen) for s in self.screen_stack)
        return True

    async def action_go(self, section: str) -> None:
        """Show ``section`` (today, challenges, team, profile): back to Today, closing what
        was opened on top of it, then that section's screen. The stack never grows."""
        target = SECTION_SCREENS.get(section)
        signed_in = self.session is not None and self.session.signed_in
        if target is None or not signed_in or isinstance(self.screen, target):
            return
        if isinstance(self.screen, ModalScreen | PickHabitsScreen):
            return  # a dialog, or the catalog while it may be adopting: its own keys only
        todays = [i for i, s in enumerate(self.screen_stack) if isinstance(s, TodayScreen)]
        if not todays:
            return
        while len(self.screen_stack) - 1 > todays[-1]:
            await self.pop_screen()
        if target is not TodayScreen:
            await self.push_screen(target())

    def action_profile(self) -> None:
        self.run_worker(self.action_go("profile"), group="go")

    def action_challenges(self) -> None:
        self.run_worker(self.action_go("challenges"), group="go")

    def action_import(self) -> None:
        if self.session is not None and self.session.signed_in:
            self.push_screen(ImportScreen())
        else:
            self.notify("Log in first (ctrl+l): an import goes into your account.")

    def action_team(self) -> None:
        self.run_worker(self.action_go("team"), group="go")

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Light or dark", "Switch between the light and dark theme",
                            self.action_toggle_theme)  # fmt: skip
        yield SystemCommand("Profile", "Level, XP, badges and balance", self.action_profile)
        yield SystemCommand("Challenges", "Join challenges, progress and boards",
                            self.action_challenges)  # fmt: skip
        yield SystemCommand("Team", "Team board, goal and confirmations", self.action_team)
        yield SystemCommand("Server and login", "Connect to a server or log in",
                            self.action_login)  # fmt: skip
        yield SystemCommand("Sync now", "Send queued check-ins now", self.action_sync)
        yield SystemCommand("Import history", "From Loop Habit Tracker, Habitica or Rapport",
                            self.action_import)  # fmt: skip
        if isinstance(screen, TodayScreen):
            yield SystemCommand("Add habits", "Adopt habits from the catalog", screen.action_add)
            yield SystemCommand("New custom habit", "Create your own habit", screen.action_custom)
        if isinstance(screen, TeamScreen):
            yield SystemCommand("New team", "Start a team and invite others", screen.action_create)
            yield SystemCommand("Join a team", "Join with an invite code", screen.action_join)
            yield SystemCommand("Invite code", "A code to share (owner, admin)",
                                screen.action_invite)  # fmt: skip
        yield SystemCommand("Help", "Keys and how points work", self.action_help)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="rapport",
        description=(
            "Rapport in the terminal: today's habits, streaks and balance. With no server "
            "configured it runs the service on this computer."
        ),
    )
    parser.add_argument("--server", metavar="URL", help="use the Rapport server at URL")
    parser.add_argument(
        "--demo", action="store_true", help="open a demo profile with 90 days of history"
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="where the local database and queue live (default: $XDG_DATA_HOME/rapport)",
    )
    return parser.parse_args(argv)


def build_connector(args: argparse.Namespace) -> Connector:
    return Connector(
        config=ConfigStore(),
        data_dir=args.data_dir,
        server=args.server,
        demo=args.demo,
        demo_dir=args.data_dir / "demo" if args.demo and args.data_dir else None,
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    app = RapportApp(build_connector(args))

    async def run() -> None:
        try:
            await app.run_async()
        finally:  # the app normally closes these on unmount
            if app.session is not None:
                await app.session.close()
            await app.connector.close()

    asyncio.run(run())
    return app.return_code or 0


if __name__ == "__main__":
    sys.exit(main())
