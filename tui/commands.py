"""Command palette provider: jump to any habit by name (``ctrl+p``, then type), or bring an
archived one back."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from uuid import UUID

from textual.command import DiscoveryHit, Hit, Hits, Provider

from shared import schemas
from tui.screens.habit import HabitScreen
from tui.session import Session
from tui.wording import SERVICE_ERRORS, error_text


class HabitCommands(Provider):
    async def startup(self) -> None:
        self._habits: list[schemas.Habit] = []
        session: Session | None = getattr(self.app, "session", None)
        if session is None or not session.signed_in:
            return
        try:
            # Active ones and archived ones (to bring back): the list takes one or the other.
            active = await session.client.habits(limit=200)
            archived = await session.client.habits(archived=True, limit=200)
        except SERVICE_ERRORS:
            return
        self._habits = active.items + archived.items

    def _open(self, habit_id: UUID) -> None:
        self.app.push_screen(HabitScreen(habit_id))

    def _bring_back(self, habit: schemas.Habit) -> None:
        self.app.run_worker(self._unarchive(habit), group="bring-back")

    async def _unarchive(self, habit: schemas.Habit) -> None:
        session: Session | None = getattr(self.app, "session", None)
        if session is None:
            return
        try:
            back = await session.client.update_habit(habit.id, schemas.HabitPatch(archived=False))
        except SERVICE_ERRORS as exc:
            self.app.notify(error_text(exc), title="Not brought back", severity="error")
            return
        self.app.notify(back.title, title="Back on Today")
        changed = getattr(self.app, "data_changed", None)
        if changed is not None:
            changed()

    def _commands(self) -> list[tuple[str, Callable[[], None], str]]:
        """Every habit to open, and every archived one to bring back: (label, run, help)."""
        commands: list[tuple[str, Callable[[], None], str]] = []
        for habit in self._habits:
            suffix = " (archived)" if habit.archived else ""
            commands.append(
                (
                    f"Open habit: {habit.title}{suffix}",
                    partial(self._open, habit.id),
                    habit.category,
                )
            )
            if habit.archived:
                commands.append(
                    (f"Bring back: {habit.title}", partial(self._bring_back, habit),
                     "archived: back on Today, with its history")
                )  # fmt: skip
        return commands

    async def discover(self) -> Hits:
        for label, run, help in self._commands():
            yield DiscoveryHit(label, run, help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, run, help in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), run, help=help)
