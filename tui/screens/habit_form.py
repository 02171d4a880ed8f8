"""Create a custom habit or edit one: a form in a dialog.

Dismisses with a ``HabitCreate`` (new habit), a ``HabitPatch`` holding only the fields
that changed (edit), or ``None`` (cancelled). The server validates again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Input, Label, Select

from shared import schemas
from tui.screens.base import call_service
from tui.wording import DIFFICULTIES, WEEKDAY_NAMES

if TYPE_CHECKING:
    from tui.app import RapportApp

SCHEDULES = [
    ("daily", "Every day"),
    ("weekdays", "On weekdays…"),
    ("times_per_week", "N times a week"),
    ("every_n_days", "Every N days"),
]
PARAM_LABEL = {
    "daily": "Days",
    "weekdays": "Days",
    "times_per_week": "Per week",
    "every_n_days": "Every N",
}
PARAM_HINT = {
    "daily": "",
    "weekdays": "Mon-Fri, Mon,Wed",
    "times_per_week": "1-7",
    "every_n_days": "days, 2-365",
}


TITLE_MISSING = "give the habit a title"


class FormError(ValueError):
    pass


def parse_weekdays(text: str) -> list[int]:
    names = {name.lower(): i + 1 for i, name in enumerate(WEEKDAY_NAMES)}

    def one(token: str) -> int:
        token = token.strip().lower()[:3]
        if token.isdigit() and 1 <= int(token) <= 7:
            return int(token)
        if token in names:
            return names[token]
        raise FormError(f"not a weekday: {token!r} (use Mon..Sun or 1..7)")

    days: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        if "-" in part:
            start, end = (one(p) for p in part.split("-", 1))
            if end < start:
                raise FormError(f"{part}: the range runs backwards")
            days.update(range(start, end + 1))
        else:
            days.add(one(part))
    if not days:
        raise FormError("name at least one weekday")
    return sorted(days)


def parse_schedule(kind: str, param: str) -> schemas.Schedule:
    if kind == "daily":
        return schemas.Daily()
    if kind == "weekdays":
        return schemas.Weekdays(days=parse_weekdays(param))
    if not param.strip().isdigit():
        raise FormError("the schedule needs a number")
    number = int(param)
    if kind == "times_per_week":
        if not 1 <= number <= 7:
            raise FormError("times a week: 1 to 7")
        return schemas.TimesPerWeek(times=number)
    if not 2 <= number <= 365:
        raise FormError("every N days: N from 2 to 365")
    return schemas.EveryNDays(n=number)


def schedule_param(schedule: schemas.Schedule) -> str:
    if isinstance(schedule, schemas.Weekdays):
        return ",".join(WEEKDAY_NAMES[d - 1] for d in schedule.days)
    if isinstance(schedule, schemas.TimesPerWeek):
        return str(schedule.times)
    if isinstance(schedule, schemas.EveryNDays):
        return str(schedule.n)
    return ""


def choice(id: str, options: list[tuple[str, str]], value: str) -> Select[str]:
    """One of the form's drop-downs: ``options`` as (label, value), never blank."""
    return Select(options, value=value, allow_blank=False, id=id, compact=True)


class HabitFormScreen(ModalScreen[schemas.HabitCreate | schemas.HabitPatch | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="habit_form.cancel"),
        Binding("ctrl+s", "save", "Save", id="habit_form.save"),
    ]

    def __init__(self, habit: schemas.Habit | None = None) -> None:
        super().__init__()
        self.habit = habit

    def compose(self) -> ComposeResult:
        habit = self.habit
        tag = habit.schedule.__struct_config__.tag if habit else "daily"
        with Vertical(classes="dialog", id="habit-form") as box:
            box.border_title = "Edit habit" if habit else "New habit"
            with Grid(id="form-grid"):
                yield Label("Title", classes="form-label")
                yield Input(
                    habit.title if habit else "",
                    placeholder="e.g. Write down one thing I learned",
                    max_length=120,
                    id="title",
                    compact=True,
                    classes="span",
                )
                yield Label("Category", classes="form-label")
                yield choice(
                    "category",
                    [("Results", "results"), ("Relationships", "relationships")],
                    habit.category if habit else "results",
                )
                yield Label("Difficulty", classes="form-label")
                yield choice(
                    "difficulty",
                    [(d.capitalize(), d) for d in DIFFICULTIES],
                    habit.difficulty if habit else "easy",
                )
                yield Label("Schedule", classes="form-label")
                yield choice("schedule", [(label, value) for value, label in SCHEDULES], str(tag))
                yield Label(PARAM_LABEL[str(tag)], id="param-label", classes="form-label")
                yield Input(
                    schedule_param(habit.schedule) if habit else "",
                    placeholder=PARAM_HINT[str(tag)],
                    id="schedule-param",
                    compact=True,
                )
                yield Label("Kind", classes="form-label")
                yield choice(
                    "kind",
                    [("Yes / no", "check"), ("Count to a target", "count")],
                    habit.kind if habit else "check",
                )
                yield Label("Target", id="target-label", classes="form-label")
                yield Input(
                    str(habit.target) if habit else "1",
                    placeholder="target",
                    type="integer",
                    id="target",
                    compact=True,
                )
                yield Label("Reminders", classes="form-label")
                yield Input(
                    ", ".join(habit.reminders) if habit else "",
                    placeholder="times of day, e.g. 08:30, 18:00 (none: blank)",
                    id="reminders",
                    compact=True,
                    classes="span",
                )
            yield Label(
                f"[dim]Points grow with difficulty: {' < '.join(DIFFICULTIES)}.[/dim]",
                id="form-hint",
            )
            yield Label("", id="form-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._sync_fields()

    @on(Select.Changed)
    def _sync_fields(self) -> None:
        schedule = str(self.query_one("#schedule", Select).value)
        param = self.query_one("#schedule-param", Input)
        param.disabled = schedule == "daily"
        param.placeholder = PARAM_HINT.get(schedule, "")
        self.query_one("#param-label", Label).update(PARAM_LABEL.get(schedule, ""))
        self.query_one("#param-label").set_class(schedule == "daily", "-disabled")
        kind = self.query_one("#kind", Select).value
        target = self.query_one("#target", Input)
        target.disabled = kind == "check"
        self.query_one("#target-label").set_class(kind == "check", "-disabled")
        if kind == "check":
            target.value = "1"
        elif target.value in ("", "1"):
            target.value = "3"

    def _read(self) -> schemas.HabitCreate:
        title = self.query_one("#title", Input).value.strip()
        if not title:
            raise FormError(TITLE_MISSING)
        schedule = parse_schedule(
            str(self.query_one("#schedule", Select).value),
            self.query_one("#schedule-param", Input).value,
        )
        kind = str(self.query_one("#kind", Select).value)
        target_text = self.query_one("#target", Input).value
        target = int(target_text) if target_text.strip().isdigit() else 0
        if kind == "count" and not 2 <= target <= 10_000:
            raise FormError("a count habit needs a target from 2 to 10000")
        return msgspec.convert(
            {
                "title": title,
                "category": self.query_one("#category", Select).value,
                "schedule": msgspec.to_builtins(schedule),
                "kind": kind,
                "target": target if kind == "count" else 1,
                "difficulty": self.query_one("#difficulty", Select).value,
                # The contract says what a time is (HH:MM, at most 5); the server keeps
                # each once, in order of the day.
                "reminders": self.query_one("#reminders", Input).value.replace(",", " ").split(),
            },
            schemas.HabitCreate,
        )

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def action_save(self) -> None:
        try:
            body = self._read()
        except msgspec.ValidationError as exc:
            message = str(exc)
            if "$.reminders" in message:
                message = "reminders are times of day, HH:MM, at most 5 (e.g. 08:30, 18:00)"
            self.query_one("#form-error", Label).update(f"⚠ {message}")
            return
        except FormError as exc:
            self.query_one("#form-error", Label).update(f"⚠ {exc}")
            return
        if self.habit is None:
            self.dismiss(body)
            return
        self.dismiss(self._patch(self.habit, body))

    @staticmethod
    def _patch(habit: schemas.Habit, body: schemas.HabitCreate) -> schemas.HabitPatch:
        changes: dict[str, object] = {}
        for field in ("title", "category", "schedule", "kind", "target", "difficulty", "reminders"):
            new = getattr(body, field)
            if new != getattr(habit, field):
                changes[field] = msgspec.to_builtins(new)
        return msgspec.convert(changes, schemas.HabitPatch)

    @on(Input.Changed, "#title")
    def _title_typed(self, event: Input.Changed) -> None:
        """The title warning goes as soon as there is a title."""
        error = self.query_one("#form-error", Label)
        if event.value.strip() and TITLE_MISSING in str(error.render()):
            error.update("")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


async def create_habit(app: RapportApp, body: schemas.HabitCreate) -> schemas.Habit | None:
    """Create the habit the form described and say how it went; None when it was not."""
    habit = await call_service(app, "Habit not created", lambda client: client.create_habit(body))
    if habit is not None:
        app.notify(f"{habit.title} added.", title="New habit")
    return habit
