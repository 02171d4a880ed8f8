"""Profile: level and XP bar, points, badges, balance over 7 and 28 days, recent points."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.widgets import Footer, Label, ProgressBar

from shared import schemas
from tui.screens.base import DataScreen, DataStatus
from tui.widgets.app_header import AppHeader
from tui.widgets.balance_meter import BalanceMeter
from tui.widgets.plain_bar import plain_bar
from tui.wording import SERVICE_ERRORS, reason_text

if TYPE_CHECKING:
    from tui.session import Session


LEDGER_SHOWN = 25
BADGE_WIDTH = 34  # one badge column: "🏅 " + a title + its date


class ProfileScreen(DataScreen):
    BINDINGS = [
        Binding("escape,backspace,p", "app.pop_screen", "Back", id="profile.back"),
        # Not h: that is Challenges on every other screen.
        Binding("v", "toggle_hidden", "Visible on boards", id="profile.visibility"),
        Binding("i", "app.import", "Import history", id="profile.import"),
    ]
    BODY = "#profile-body"
    WHAT = "your profile"

    def __init__(self) -> None:
        super().__init__()
        self.badges: list[schemas.EarnedBadge] = []

    def compose(self) -> ComposeResult:
        yield AppHeader("Profile")
        yield DataStatus(id="profile-status")
        with VerticalScroll(id="profile-body"):
            with Vertical(id="level-card", classes="card"):
                with Horizontal(id="level-line"):
                    yield Label("", id="level")
                    yield plain_bar("xp-bar")
                    yield Label("", id="xp-text")
                yield Label("", id="totals")
            with Horizontal(id="profile-columns"):
                with Vertical(id="balance-card-profile", classes="card") as card:
                    card.border_title = "Balance"
                    yield Label("Last 7 days", classes="window-title")
                    yield BalanceMeter(id="balance-7")
                    yield Label("Last 28 days", classes="window-title")
                    yield BalanceMeter(id="balance-28")
                with VerticalScroll(id="badges-card", classes="card") as card:
                    card.border_title = "Badges"
                    yield Label("", id="badges")
            with Vertical(id="ledger-card", classes="card") as card:
                card.border_title = "Recent points"
                yield Label("", id="ledger")
        yield Footer(compact=True)

    @work(exclusive=True, group="hide")
    async def action_toggle_hidden(self) -> None:
        """Hide from (or show on) every team and challenge board, to everyone but yourself."""
        session = self.app.session
        if session is None or session.user is None:
            return
        hide = not session.user.hidden_on_boards
        try:
            session.user = await session.client.update_me(
                schemas.ProfilePatch(hidden_on_boards=hide)
            )
        except SERVICE_ERRORS as exc:
            self.app.service_failed(exc)
            return
        self.notify(
            "Others see you as “Hidden member” on every board." if hide
            else "You show on the boards again.",
            title="Boards",
        )  # fmt: skip
        self.app.data_changed()

    async def fetch(self, session: Session) -> None:
        client = session.client
        user = await session.me()
        badges = await client.badges()
        balance = await client.balance()
        ledger = await client.points(limit=LEDGER_SHOWN)
        # The list holds active or archived habits, never both: points name either kind.
        active = await client.habits(limit=200)
        archived = await client.habits(archived=True, limit=200)
        titles = {h.id: h.title for h in active.items + archived.items}
        self.show(user, badges, balance, ledger.items, titles)

    def show(
        self,
        user: schemas.User,
        badges: list[schemas.EarnedBadge],
        balance: schemas.BalanceReport,
        ledger: list[schemas.LedgerEntry],
        titles: dict[UUID, str],
    ) -> None:
        self.query_one("#level-card").border_title = f"{user.display_name}  @{user.handle}"
        floor, ceiling = user.level_xp, user.next_level_xp
        self.query_one("#level", Label).update(f"Level {user.level}")
        self.query_one("#xp-bar", ProgressBar).update(
            total=ceiling - floor, progress=max(0, user.xp - floor)
        )
        self.query_one("#xp-text", Label).update(
            f"{user.xp - floor:,}/{ceiling - floor:,} XP to level {user.level + 1}"
        )
        freezes = f"❄ {user.streak_freezes} streak freeze{'s' if user.streak_freezes != 1 else ''}"
        hidden = " · [b]hidden from boards[/b]" if user.hidden_on_boards else ""
        self.query_one("#totals", Label).update(
            f"{user.points:,} points · {freezes} · "
            f"since {user.created_at:%d %b %Y} · {user.timezone}{hidden}"
        )
        week, month = balance.last_7_days, balance.last_28_days
        self.query_one("#balance-7", BalanceMeter).show(week.results, week.relationships)
        self.query_one("#balance-28", BalanceMeter).show(month.results, month.relationships)
        self.query_one("#badges-card").border_title = f"Badges · {len(badges)}"
        self.badges = sorted(badges, key=lambda b: (b.earned_at, b.slug), reverse=True)
        self._lay_out_badges()
        self.call_after_refresh(self._lay_out_badges)  # again, once the card has its width
        lines = []
        for entry in ledger:
            sign = "$success" if entry.amount >= 0 else "$error"
            title = titles.get(entry.habit_id, "") if entry.habit_id else ""
            what = reason_text(entry.reason) + (f" · {escape(title)}" if title else "")
            lines.append(f"[{sign}]{entry.amount:+5d}[/]  [dim]{entry.day:%d %b}[/dim]  {what}")
        self.query_one("#ledger", Label).update("\n".join(lines) or "[dim]No points yet.[/dim]")

    def on_resize(self) -> None:
        self.call_after_refresh(self._lay_out_badges)

    def _lay_out_badges(self) -> None:
        """Badges newest first, in as many columns as the card has room for (read down,
        then across), so a wide terminal shows them all without scrolling."""
        label = self.query_one("#badges", Label)
        if not self.badges:
            label.update(Text("No badges yet: the server awards them as you go.", "dim"))
            return
        card = self.query_one("#badges-card")
        width = card.scrollable_content_region.width or card.size.width
        columns = max(1, min(len(self.badges), width // BADGE_WIDTH))
        per_column = -(-len(self.badges) // columns)
        cell = max(1, width // columns)
        cells = [self._badge(badge, cell - 1 if columns > 1 else cell) for badge in self.badges]
        lines = []
        for row in range(per_column):
            line = Text()
            for column in range(columns):
                index = column * per_column + row
                if index < len(cells):
                    line.append_text(cells[index])
                    if column < columns - 1:
                        line.append(" " * (cell - cells[index].cell_len))
            lines.append(line)
        label.update(Text("\n").join(lines))

    @staticmethod
    def _badge(badge: schemas.EarnedBadge, width: int) -> Text:
        text = Text.assemble("🏅 ", (badge.title, "bold"), " ", (f"{badge.earned_at:%d %b}", "dim"))
        text.truncate(width, overflow="ellipsis")
        return text
