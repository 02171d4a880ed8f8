"""The highlighted habit at a glance (Today, in wide terminals): why, heatmap, streaks."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label

from shared import schemas
from tui.widgets.heatmap import Heatmap
from tui.wording import CATEGORY_LABEL, kind_text, schedule_text


class HabitPreview(Vertical):
    def compose(self) -> ComposeResult:
        yield Label("", id="preview-meta")
        yield Label("", id="preview-why")
        yield Heatmap(id="preview-heatmap")
        yield Label("", id="preview-stats")

    def show(
        self,
        habit: schemas.Habit,
        stats: schemas.HabitStats,
        calendar: list[schemas.CalendarDay],
        day: date,
        why: str | None,
    ) -> None:
        self.border_title = habit.title
        meta = [schedule_text(habit.schedule), kind_text(habit), habit.difficulty]
        category = f"[${habit.category}]{CATEGORY_LABEL[habit.category]}[/]"
        self.query_one("#preview-meta", Label).update(" · ".join([category, *meta]))
        self.query_one("#preview-why", Label).update(why or "")
        first = habit.created_at.date()
        self.query_one(Heatmap).show(calendar, last=day, first=first)
        freezes = f" · ❄ {stats.streak_freezes}" if stats.streak_freezes else ""
        self.query_one("#preview-stats", Label).update(
            f"🔥 {stats.current_streak} now · best {stats.best_streak}{freezes} · "
            f"strength {stats.strength} · {round(stats.completion_rate_28d * 100)}% of 28 days"
        )
