"""Today: the habits due today, with check-in keys, streak flame, progress and balance.

Started with the Today screen the last run saved, it shows that at once, marked "saved
HH:MM · refreshing…", and loads the live answer as soon as the session is open.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
import msgspec
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Label, ProgressBar

from shared import schemas
from shared.client import ApiError
from tui.offline import OfflineQueue, client_id
from tui.screens.base import DataScreen
from tui.screens.habit import HabitScreen
from tui.screens.habit_form import HabitFormScreen, create_habit
from tui.screens.note import NoteScreen
from tui.screens.pick_habits import PickHabitsScreen
from tui.screens.witness import WitnessScreen
from tui.session import NothingToUndo, SavedToday
from tui.widgets.app_header import AppHeader
from tui.widgets.balance_meter import BalanceMeter
from tui.widgets.habit_list import HabitColumns, HabitLine, HabitList, HabitRow
from tui.widgets.habit_preview import HabitPreview
from tui.widgets.moment import Moment
from tui.widgets.plain_bar import plain_bar
from tui.widgets.streak_flame import StreakFlame
from tui.wording import SERVICE_ERRORS, backdate_text, day_text, long_day_text

if TYPE_CHECKING:
    from tui.session import Session


def merge_pending(today: schemas.Today, queue: OfflineQueue | None) -> list[HabitLine]:
    """Today's habits as the user sees them: queued check-ins already counted in."""
    lines = []
    for item in today.habits:
        queued = queue.for_day(item.habit.id, today.day) if queue is not None else []
        value = item.value + sum(e.body.value for e in queued if not e.body.skip)
        skipped = item.skipped or any(e.body.skip for e in queued)
        done = item.done or (not skipped and value >= item.habit.target)
        lines.append(
            HabitLine(item=item, value=value, done=done, skipped=skipped, pending=len(queued))
        )
    return lines


# How long the status line under the habits says what just happened.
STATUS_SECONDS = 8.0


class TodayScreen(DataScreen):
    """Loads like every ``DataScreen`` (on mount, when the app's ``revision`` moves, at
    ``r``); a saved answer, when there is one, is shown first."""

    # p, h and t (profile, challenges, team) are the app's: the same on every screen.
    BINDINGS = [
        Binding("left_square_bracket", "day(1)", "Day", key_display="[/]", id="today.day_before"),
        Binding("right_square_bracket", "day(-1)", "Day after", show=False, id="today.day_after"),
        Binding("a", "add", "Add", id="today.add"),
        Binding("c", "custom", "Custom habit", show=False, id="today.custom"),
    ]

    def __init__(self, saved: SavedToday | None = None) -> None:
        super().__init__()
        self.today: schemas.Today | None = None
        self.saved = saved
        # When the shown answer was saved on disk (None: it is the server's live answer).
        self.saved_at: datetime | None = None
        self._was_wide = False
        self._status_generation = 0
        # The day strip: the day asked for (None: today), the server's today and its answer.
        self.wanted: date | None = None
        self.live_day: date | None = saved.today.day if saved is not None else None
        self.live_today: schemas.Today | None = saved.today if saved is not None else None

    def compose(self) -> ComposeResult:
        yield AppHeader("Today")
        with Horizontal(id="summary"):
            with Vertical(id="day-card", classes="card"):
                with Horizontal(id="flame-line"):
                    yield StreakFlame(id="top-flame")
                    yield Label("", id="flame-caption")
                with Horizontal(id="progress-line"):
                    yield plain_bar("day-progress")
                    yield Label("", id="day-count")
                yield Label("", id="day-points")
            with Vertical(id="balance-card", classes="card") as card:
                card.border_title = "Balance · last 7 days"
                yield BalanceMeter(id="balance")
        with Horizontal(id="today-main"):
            with Vertical(id="habits-card", classes="card") as card:
                card.border_title = "Habits"
                yield HabitColumns(id="habit-columns")
                yield HabitList(id="habits")
                yield Label(
                    "No habits yet. Press [b]a[/b] to pick some from the catalog.",
                    id="no-habits",
                )
            yield HabitPreview(id="preview", classes="card")
        yield Moment(id="moment")
        yield Footer(compact=True)

    @on(events.Mount)
    async def show_saved(self) -> None:
        # Runs before DataScreen.on_mount (Textual calls the Mount handlers of every class
        # in the MRO, this class first), which watches ``revision`` and starts the load.
        self.query_one("#day-card").border_title = "Today"
        if self.saved is not None:
            self.today, self.saved_at = self.saved.today, self.saved.saved_at
            await self.show(self.saved.today)

    # -- loading and showing -------------------------------------------------------------

    async def fetch(self, session: Session) -> None:
        """Today's answer (and the user, when online); offline, the last answer with the
        queue counted in. Other service errors are reported by ``DataScreen.load``."""
        if not session.signed_in:
            return
        try:
            # The user first: the answer saved on disk carries the level and the time zone
            # its "saved HH:MM" is told in.
            if session.online:
                with contextlib.suppress(httpx.TransportError):
                    await session.me()
            # Today's answer every time: it keeps the copy on disk and tells which day the
            # server's today is (it moves at midnight, also under a day of the strip).
            live = await session.today()
            self.live_today, self.live_day = live, live.day
            today = live
            if self.wanted is not None and self.wanted != live.day:
                try:
                    today = await session.today_on(self.wanted)
                except ApiError as exc:
                    if exc.status != 422:
                        raise
                    # Past the backdating window now (midnight passed): back to today.
                    self.status(f"{day_text(self.wanted)} is past the window now: back to today")
                    today = live
            self.wanted = None if today.day == live.day else today.day
        except httpx.TransportError as exc:
            self.app.refresh_state()
            # Offline: today's last answer, with the queue counted in (never another day's,
            # whose check-ins could not be told from today's).
            self.wanted = None
            shown = self.live_today or self.today
            if shown is None:
                self.app.service_failed(exc)
            else:
                self.today = shown
                await self.show(shown)
            return
        self.app.refresh_state()
        self.today = today
        self.saved_at = session.today_saved_at if today is live else None
        await self.show(today)

    def user(self) -> schemas.User | None:
        """The session's user, else the one saved with the answer (a restart, offline)."""
        session = self.app.session
        if session is not None and session.user is not None:
            return session.user
        return self.saved.user if self.saved else None

    def saved_text(self) -> str:
        """The day card's subtitle: empty for a live answer, else when it was saved (in
        the user's time zone; the date too when not on the day shown)."""
        if self.saved_at is None or self.today is None:
            return ""
        user = self.user()
        try:
            zone = ZoneInfo(user.timezone) if user else UTC
        except (ZoneInfoNotFoundError, ValueError):
            zone = UTC
        at = self.saved_at.astimezone(zone)
        when = f"{at:%H:%M}" if at.date() == self.today.day else f"{at.day} {at:%b %H:%M}"
        session = self.app.session
        state = "refreshing…" if session is None else "offline" if not session.online else ""
        return " · ".join(part for part in (f"saved {when}", state) if part)

    async def show(self, today: schemas.Today) -> None:
        session = self.app.session
        lines = merge_pending(today, session.queue if session else None)
        habits = self.query_one(HabitList)
        await habits.show(lines)
        habits.display = bool(lines)
        self.query_one(HabitColumns).display = bool(lines)
        self.query_one("#no-habits").display = not lines
        day_card = self.query_one("#day-card")
        # Told from the data shown, never from the key presses that asked for it.
        back = self.days_back()
        back_text = {0: "", 1: " · yesterday"}.get(back, f" · {back} days ago")
        day_card.border_title = long_day_text(today.day) + back_text
        day_card.border_subtitle = self.saved_text()

        # A skip keeps a streak but is not done: the day counts it apart, and the bar
        # measures what is left to do.
        due = [line for line in lines if line.item.due]
        done = sum(1 for line in due if line.done and not line.skipped)
        skipped = sum(1 for line in due if line.skipped)
        asked = len(due) - skipped
        bar = self.query_one("#day-progress", ProgressBar)
        bar.update(total=max(asked, 1), progress=done if asked else 0)
        count = f"{done}/{asked} done" if asked else ("all skipped" if due else "")
        if skipped and asked:
            count += f" · {skipped} skipped"
        self.query_one("#day-count", Label).update(count)

        best = max(lines, key=lambda line: line.item.streak, default=None)
        flame = self.query_one("#top-flame", StreakFlame)
        flame.streak = best.item.streak if best else 0
        caption = (
            f"in a row · {best.habit.title}"
            if best and best.item.streak
            else "check in to light the flame"
        )
        self.query_one("#flame-caption", Label).update(caption)

        user = self.user()
        level = f" · level {user.level} · {user.xp:,} XP" if user else ""
        that_day = "today" if back == 0 else "that day"
        self.query_one("#day-points", Label).update(f"+{today.points_today} pts {that_day}{level}")
        self.query_one(BalanceMeter).show(today.balance.results, today.balance.relationships)
        self.preview()

    @on(HabitList.Highlighted)
    def highlighted(self) -> None:
        self.preview()

    def on_screen_resume(self) -> None:
        # Back from a screen on top: the terminal may have been widened meanwhile.
        self.on_resize()

    def on_resize(self) -> None:
        # The side panel is filled only while it shows: fill it when a resize shows it.
        wide = self.has_class("-wide")
        if wide and not self._was_wide:
            self.preview()
        self._was_wide = wide

    @work(exclusive=True, group="today-preview")
    async def preview(self) -> None:
        """Fill the side panel for the highlighted habit (wide terminals only)."""
        line = self.query_one(HabitList).current
        session = self.app.session
        if line is None or session is None or self.today is None or not self.has_class("-wide"):
            return
        habit, day = line.habit, self.today.day
        try:
            stats = await session.client.stats(habit.id)
            calendar = await session.client.calendar(habit.id, first=None, last=day)
            catalog = await session.catalog() if habit.template else []
        except SERVICE_ERRORS:
            return  # a preview is a nicety: no error toast for it
        why = next((c.why for c in catalog if c.slug == habit.template), None)
        self.query_one(HabitPreview).show(habit, stats, calendar, day, why)

    def show_queue(self) -> None:
        """Redraw at once from the last answer and the queue (a check-in just queued)."""
        if self.today is not None:
            self.run_worker(self.show(self.today), group="today-show", exclusive=True)

    # -- acting on a habit ---------------------------------------------------------------

    @on(HabitList.Act)
    def act(self, message: HabitList.Act) -> None:
        line, action = message.line, message.action
        if self.starting():
            return
        if action == "open":
            day = self.today.day if self.today else None
            self.app.push_screen(HabitScreen(line.habit.id, day=day))
        elif action in ("check", "count_up"):
            if line.habit.kind == "check" and line.done:
                self.notify(f"{line.habit.title}: already done {self.day_word()} (u undoes it).")
            elif line.skipped:
                self.notify(f"{line.habit.title}: skipped {self.day_word()} (u undoes the skip).")
            else:
                self.check_in(line)
        elif action == "skip":
            self.check_in(line, skip=True)
        elif action == "count_down":
            self.undo(line, counts_only=True)
        elif action == "undo":
            self.undo(line)
        elif action == "witness" and (line.done or line.skipped):
            what = "done" if line.done else "skipped"
            self.notify(f"{line.habit.title}: already {what} {self.day_word()} (u undoes it).")
        elif action == "witness":

            def with_witness(witness: UUID | None) -> None:
                if witness is not None:
                    self.check_in(line, witness=witness)

            self.app.push_screen(WitnessScreen(line.habit.title), with_witness)
        elif action == "note":

            def with_note(note: str | None) -> None:
                if note is not None:
                    self.check_in(line, note=note or None)

            self.app.push_screen(NoteScreen(line.habit.title), with_note)

    @work(group="check-in")
    async def check_in(
        self,
        line: HabitLine,
        *,
        skip: bool = False,
        note: str | None = None,
        witness: UUID | None = None,
    ) -> None:
        session = self.app.session
        if session is None or self.today is None:
            return
        body = schemas.CheckInCreate(
            id=client_id(), day=self.today.day, skip=skip, note=note, witness=witness
        )
        # Written to the queue before it is sent: a crash or a lost answer is replayed later.
        user = self.user()
        session.queue.add(line.habit.id, body, owner=user.id if user is not None else None)
        self.app.refresh_state()
        self.show_queue()
        assert body.id is not None
        session.awaiting.add(body.id)
        try:
            report = await session.flush()
            self.app.report_flush(report, own=body.id)
            mine = session.answer_for(body.id)
        finally:
            session.awaiting.discard(body.id)
        if mine is not None:
            # The level known when the answer comes (answers are handled one at a time),
            # then this answer's: two quick check-ins tell one level-up once.
            level_before = session.user.level if session.user is not None else None
            if session.user is not None:
                session.user = msgspec.structs.replace(
                    session.user, level=mine.level, points=mine.points_total
                )
            await self.announce(line.habit, mine, level_before)
        elif body.id is not None and any(e.id == body.id for e in session.queue.entries()):
            self.notify(
                "Saved on this computer; it will be sent when the server is back.",
                title="Offline",
                severity="warning",
            )
        self.app.data_changed()

    async def announce(
        self, habit: schemas.Habit, result: schemas.CheckInResult, level_before: int | None
    ) -> None:
        """A routine check-in flashes its row and writes one status line; a level reached,
        a badge, a milestone or a freeze spent is a moment (a banner for a few seconds)."""
        self.flash(habit.id)
        if result.checkin.skip:
            self.status(f"↷ {habit.title} · skipped {self.day_word()}, the streak is kept")
            return
        if result.points_awarded:
            self.status(
                f"✔ {habit.title} · +{result.points_awarded} points · 🔥 {result.streak.current}"
            )
        elif result.no_points is not None:
            # The server says why (the rule and the fair-play reason live there).
            self.status(f"✔ {habit.title} · no points: {result.no_points.detail}")
        else:
            self.status(f"✔ {habit.title} · counted")
        moments: list[str] = []
        if level_before is not None and result.level > level_before:
            moments.append(f"★ Level {result.level}! ★")
        # Which milestones were crossed is the server's word (a backdated day may cross
        # one; a weekly streak stays on 7 all week).
        moments += [f"🔥 {m} in a row: {habit.title}" for m in result.milestones]
        moments += [f"🏅 {badge.title}: {badge.description}" for badge in result.badges_earned]
        if result.freeze_used:
            moments.append("❄ A streak freeze covered the missed day")
        self.query_one(Moment).celebrate(*moments)

    def status(self, text: str) -> None:
        """One line at the foot of the Habits card, for what just happened."""
        card = self.query_one("#habits-card")
        card.border_subtitle = text
        self._status_generation += 1
        generation = self._status_generation

        def clear() -> None:
            if generation == self._status_generation:
                card.border_subtitle = ""

        self.set_timer(STATUS_SECONDS, clear)

    def flash(self, habit_id: UUID) -> None:
        for row in self.query(HabitRow):
            if row.line.habit.id == habit_id:
                row.add_class("-flash")
                self.set_timer(0.8, lambda row=row: row.remove_class("-flash"))

    @work(group="check-in")
    async def undo(self, line: HabitLine, *, counts_only: bool = False) -> None:
        session = self.app.session
        if session is None or self.today is None:
            return
        try:
            undone = await session.undo_latest(
                line.habit.id, self.today.day, counts_only=counts_only
            )
        except NothingToUndo:
            self.notify(f"{line.habit.title}: nothing to undo {self.day_word()}.")
            return
        except httpx.TransportError:
            self.notify(
                "Undo needs the server: try again when it is back.",
                title="Offline",
                severity="warning",
            )
            return
        except SERVICE_ERRORS as exc:
            self.app.service_failed(exc)
            return
        skipped = undone.skip if isinstance(undone, schemas.CheckIn) else undone.body.skip
        what = "skip" if skipped else "check-in"
        self.flash(line.habit.id)
        self.status(f"↶ {line.habit.title} · {what} undone")
        self.app.data_changed()

    # -- the day strip -------------------------------------------------------------------

    def days_back(self) -> int:
        """How many days before the server's today the list shown is (0: today)."""
        if self.today is None or self.live_day is None:
            return 0
        return max(0, (self.live_day - self.today.day).days)

    def day_word(self) -> str:
        """``today``, ``yesterday`` or the date of the day shown, for messages."""
        if self.today is None:
            return "today"
        return day_text(self.today.day, self.live_day)

    async def action_day(self, step: int) -> None:
        """``[`` a day back, ``]`` a day forward, as far back as the server's backdating
        window lets a check-in go (``GET /catalog/rules``), never past today."""
        session = self.app.session
        if self.starting() or session is None or self.live_day is None or self.today is None:
            return
        wanted = self.today.day - timedelta(days=step)
        if wanted > self.live_day:
            self.status("Today is the latest day: check-ins never go ahead")
            return
        try:
            window = (await session.rules()).backdate_days
        except SERVICE_ERRORS:
            self.status("Other days need the server: it cannot be reached now")
            return
        if (self.live_day - wanted).days > window:
            self.status(f"Check-ins go to {backdate_text(window)}")
            return
        self.wanted = None if wanted == self.live_day else wanted
        self.load()

    # -- adding habits -------------------------------------------------------------------

    def starting(self) -> bool:
        """True (and says so) while the session is still opening behind a saved screen."""
        if self.app.session is None:
            self.notify("Still starting: one moment.")
            return True
        return False

    def action_add(self) -> None:
        if self.starting():
            return
        self.app.push_screen(PickHabitsScreen(), lambda _: self.app.data_changed())

    def action_custom(self) -> None:
        if self.starting():
            return

        def created(result: object) -> None:
            if isinstance(result, schemas.HabitCreate):
                self.create_custom(result)

        self.app.push_screen(HabitFormScreen(), created)

    @work(group="habits")
    async def create_custom(self, body: schemas.HabitCreate) -> None:
        if await create_habit(self.app, body) is not None:
            self.app.data_changed()
