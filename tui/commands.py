"""Command palette provider: jump to any habit by name (``ctrl+p``, then type)."""

from __future__ import annotations

from functools import partial
from uuid import UUID

from textual.command import DiscoveryHit, Hit, Hits, Provider

from shared import schemas
from tui.screens.habit import HabitScreen
from tui.session import Session
from tui.wording import SERVICE_ERRORS


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

    @staticmethod
    def _label(habit: schemas.Habit) -> str:
        return f"Open habit: {habit.title}" + (" (archived)" if habit.archived else "")

    async def discover(self) -> Hits:
        for habit in self._habits:
            if not habit.archived:
                yield DiscoveryHit(
                    self._label(habit), partial(self._open, habit.id), help=habit.category
                )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for habit in self._habits:
            label = self._label(habit)
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(label), partial(self._open, habit.id),
                    help=habit.category,
                )  # fmt: skip
