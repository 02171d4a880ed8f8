"""One habit: a year heatmap, current and best streak, strength, recent notes; edit and
archive."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Label, Sparkline

from shared import schemas
from tui.screens.base import DataScreen, DataStatus, call_service
from tui.screens.break_form import BreakFormScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.habit_form import HabitFormScreen
from tui.widgets.app_header import AppHeader
from tui.widgets.habit_list import strength_bar
from tui.widgets.heatmap import Heatmap
from tui.widgets.streak_flame import StreakFlame
from tui.wording import CATEGORY_LABEL, kind_text, schedule_text

if TYPE_CHECKING:
    from shared.client import RapportClient
    from tui.session import Session

WEEKS = 26
NOTES_SHOWN = 30  # the latest notes of the last 120 days, each in full


def weekly_done(days: list[schemas.CalendarDay], last: date, weeks: int = WEEKS) -> list[float]:
    """Done days per calendar week, oldest first, for the last ``weeks`` weeks."""
    final_monday = last - timedelta(days=last.weekday())
    first_monday = final_monday - timedelta(weeks=weeks - 1)
    counts = [0.0] * weeks
    for entry in days:
        if entry.done and entry.day >= first_monday:
            counts[(entry.day - first_monday).days // 7] += 1
    return counts


def period_word(schedule: schemas.Schedule, count: int) -> str:
    if isinstance(schedule, schemas.TimesPerWeek):
        unit = "week"
    elif isinstance(schedule, schemas.EveryNDays):
        unit = "block"
    else:
        unit = "day"
    return unit if count == 1 else unit + "s"


class HabitScreen(DataScreen):
    BINDINGS = [
        Binding("escape,backspace,left", "app.pop_screen", "Back", id="habit.back"),
        Binding("e", "edit", "Edit", id="habit.edit"),
        Binding("b", "plan_break", "Break", id="habit.break"),
        Binding("B", "end_break", "End break", show=False, id="habit.end_break"),
        # One key, two meanings: the footer names the one that applies.
        Binding("x", "archive", "Archive", id="habit.archive"),
        Binding("x", "bring_back", "Bring back", id="habit.bring_back"),
    ]
    BODY = "#habit-body"
    WHAT = "this habit"

    def __init__(self, habit_id: UUID, *, day: date | None = None) -> None:
        super().__init__()
        self.habit_id = habit_id
        self.day = day
        self.habit: schemas.Habit | None = None
        self.next_ring: schemas.UpcomingReminder | None = None
        self.breaks: list[schemas.Break] = []
        self.today: date | None = None

    def compose(self) -> ComposeResult:
        yield AppHeader("Habit")
        yield DataStatus(id="habit-status")
        with VerticalScroll(id="habit-body"):
            with Vertical(id="habit-info", classes="card"):
                yield Label("", id="habit-meta")
                yield Label("", id="habit-why")
            with Vertical(id="heatmap-card", classes="card") as card:
                card.border_title = "Last 12 months"
                yield Heatmap(id="heatmap")
            with Horizontal(id="habit-stats"):
                with Vertical(id="streak-card", classes="card") as card:
                    card.border_title = "Streak"
                    yield StreakFlame(id="current-streak")
                    yield Label("", id="best-streak")
                    yield Label("", id="completion")
                with Vertical(id="strength-card", classes="card") as card:
                    card.border_title = "Strength"
                    yield Label("", id="strength")
                    yield Sparkline([], id="weekly")
                    yield Label(f"per week, {WEEKS} weeks", id="weekly-caption")
            with Vertical(id="notes-card", classes="card") as card:
                card.border_title = "Notes"
                yield Label("", id="notes")
        yield Footer(compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "archive":
            return self.habit is None or not self.habit.archived
        if action == "bring_back":
            return self.habit is not None and self.habit.archived
        return True

    async def fetch(self, session: Session) -> None:
        client = session.client
        habit = await client.habit(self.habit_id)
        stats = await client.stats(self.habit_id)
        day = self.day or (await session.today()).day
        calendar = await client.calendar(self.habit_id, day - timedelta(days=364), day)
        recent = await client.checkins(
            self.habit_id, first=day - timedelta(days=120), last=day, limit=200
        )
        why = None
        if habit.template:
            catalog = await session.catalog()
            why = next((c.why for c in catalog if c.slug == habit.template), None)
        rings = await client.reminders(days=2) if habit.reminders and not habit.archived else []
        self.next_ring = next((r for r in rings if r.habit_id == habit.id), None)
        self.breaks = [
            b for b in await client.breaks() if b.habit_id in (None, habit.id) and b.ends_on >= day
        ]
        self.today = day
        self.habit = habit
        self.show(habit, stats, calendar, recent.items, day, why)
        self.refresh_bindings()

    def show(
        self,
        habit: schemas.Habit,
        stats: schemas.HabitStats,
        calendar: list[schemas.CalendarDay],
        checkins: list[schemas.CheckIn],
        day: date,
        why: str | None,
    ) -> None:
        self.query_one(AppHeader).title = habit.title + ("  (archived)" if habit.archived else "")
        info = self.query_one("#habit-info")
        info.border_title = habit.title
        info.set_class(True, f"-{habit.category}")
        parts = [
            CATEGORY_LABEL[habit.category],
            schedule_text(habit.schedule),
            kind_text(habit),
            habit.difficulty,
        ]
        if habit.relationship:
            parts.append(f"builds: {habit.relationship}")
        if habit.reminders:
            ring = self.next_ring
            when = ""
            if ring is not None:
                when = f" · next {'today' if ring.day == day else 'tomorrow'} {ring.local_time}"
            parts.append(f"⏰ {', '.join(habit.reminders)}{when}")
        if self.breaks:
            pause = self.breaks[0]
            every = " (all habits)" if pause.habit_id is None else ""
            span = f"{pause.starts_on:%d %b}-{pause.ends_on:%d %b}"
            reason = f": {pause.reason}" if pause.reason else ""
            state = "on a break" if pause.starts_on <= day else "break planned"
            parts.append(f"⏸ {state} {span}{every}{reason}")
        if habit.archived:
            parts.append("archived")
        category = f"[${habit.category}]{parts[0]}[/]"
        self.query_one("#habit-meta", Label).update(" · ".join([category, *parts[1:]]))
        why_label = self.query_one("#habit-why", Label)
        why_label.update(why or "")
        why_label.display = bool(why)

        first = habit.created_at.date() if habit.created_at.date() > day - timedelta(364) else None
        self.query_one(Heatmap).show(calendar, last=day, first=first)

        unit = period_word(habit.schedule, stats.current_streak)
        flame = self.query_one("#current-streak", StreakFlame)
        flame.unit = f"{unit} now"
        flame.streak = stats.current_streak
        best_unit = period_word(habit.schedule, stats.best_streak)
        freezes = f" · ❄ {stats.streak_freezes}" if stats.streak_freezes else ""
        self.query_one("#best-streak", Label).update(
            f"best {stats.best_streak} {best_unit}{freezes}"
        )
        self.query_one("#completion", Label).update(
            f"{round(stats.completion_rate_28d * 100)}% of last 28 days"
        )
        self.query_one("#strength", Label).update(
            f"{strength_bar(stats.strength, 10)} {stats.strength}/100"
        )
        self.query_one(Sparkline).data = weekly_done(calendar, day)
        notes = [c for c in checkins if c.note]
        notes.sort(key=lambda c: (c.day, c.created_at), reverse=True)
        self.query_one("#notes-card").border_title = f"Notes · {len(notes)}" if notes else "Notes"
        lines = [
            Text.assemble((f"{c.day:%d %b}  ", "dim"), c.note or "") for c in notes[:NOTES_SHOWN]
        ]
        self.query_one("#notes", Label).update(
            Text("\n").join(lines) if lines else Text("No notes yet.", "dim")
        )

    # -- edit and archive ----------------------------------------------------------------

    def action_edit(self) -> None:
        if self.habit is None:
            return

        def edited(result: object) -> None:
            if isinstance(result, schemas.HabitPatch):
                self.update(result, "Saved")

        self.app.push_screen(HabitFormScreen(self.habit), edited)

    def action_plan_break(self) -> None:
        habit, today = self.habit, self.today
        if habit is None or today is None:
            return
        session = self.app.session
        if session is None:
            return

        def planned(made: schemas.Break | None) -> None:
            if made is not None:
                span = f"{made.starts_on:%d %b}-{made.ends_on:%d %b}"
                self.notify(span, title="Break planned")
                self.app.data_changed()

        self.app.push_screen(
            BreakFormScreen(
                habit.title, today, lambda body: session.client.add_break(habit.id, body)
            ),
            planned,
        )

    def action_end_break(self) -> None:
        if not self.breaks:
            self.notify("No break to end.", severity="warning")
            return
        first = self.breaks[0]

        def answered(yes: bool | None) -> None:
            if yes:
                self.end_break(first)

        self.app.push_screen(
            ConfirmScreen(
                "End break",
                f"End the break {first.starts_on:%d %b}-{first.ends_on:%d %b}"
                f"{' of every habit' if first.habit_id is None else ''}? Days already behind"
                " stay a break; from today it asks again.",
                yes="End break",
            ),
            answered,
        )

    @work(group="habit-edit")
    async def end_break(self, pause: schemas.Break) -> None:
        async def end(client: RapportClient) -> bool:
            await client.end_break(pause.id)
            return True

        if await call_service(self.app, "Not ended", end):
            self.notify("Break ended")
            self.app.data_changed()

    def action_bring_back(self) -> None:
        if self.habit is not None and self.habit.archived:
            self.update(schemas.HabitPatch(archived=False), "Back on Today")

    def action_archive(self) -> None:
        habit = self.habit
        if habit is None:
            return
        if habit.archived:
            self.action_bring_back()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.update(schemas.HabitPatch(archived=True), "Archived", leave=True)

        self.app.push_screen(
            ConfirmScreen(
                "Archive habit",
                f"Archive “{habit.title}”? It leaves Today; its history and points stay, "
                "and you can bring it back from the command palette (ctrl+p) or from Add.",
                yes="Archive",
            ),
            answered,
        )

    @work(group="habit-edit")
    async def update(self, patch: schemas.HabitPatch, done: str, *, leave: bool = False) -> None:
        habit = await call_service(
            self.app, "Not saved", lambda client: client.update_habit(self.habit_id, patch)
        )
        if habit is None:
            return
        self.habit = habit
        self.refresh_bindings()
        self.notify(habit.title, title=done)
        if leave:
            self.dismiss()
        self.app.data_changed()
