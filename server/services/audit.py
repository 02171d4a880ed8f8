"""``rapport-server check``: recompute what can be derived and compare it with what is kept.

Kept in step inside each write transaction, and checked here from scratch:

- each habit's streak and strength (folded state) against a fold of all its check-ins;
- each habit's and user's count of done days, and the per-day category counts behind the
  balance meter, against the check-ins;
- the user's points and XP against the sum of their ledger;
- each team's all-time board score of a member against the ledger since they joined;
- every done habit-day has exactly one unreversed "checkin" ledger entry, and no day
  that is not done has one.

``repair`` rewrites the derived values (never the ledger, which is the record).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import msgspec

from server.domain import balance, streaks
from server.services.context import Context
from server.services.habits import (
    cadence_of,
    day_records,
    days_off_one,
    progress_of,
    rebuild_progress,
    today_for,
    unsettled_from,
)
from server.store.transaction import Transaction


class Drift(msgspec.Struct, frozen=True):
    user_id: str
    what: str
    kept: str
    derived: str


class Report(msgspec.Struct):
    users: int = 0
    habits: int = 0
    drifts: list[Drift] = msgspec.field(default_factory=list)
    repaired: bool = False


async def check(ctx: Context, *, repair: bool = False) -> Report:
    report = Report()
    async with ctx.read() as q:
        user_ids = await q.users.all_ids()
    for user_id in user_ids:
        async with ctx.write(user_id) as q:  # one consistent snapshot per user; repairs commit here
            drifts = await _check_user(ctx, q, user_id, report, repair=repair)
        report.drifts += drifts
    report.repaired = repair and bool(report.drifts)
    return report


async def _check_user(
    ctx: Context, q: Transaction, user_id: str, report: Report, *, repair: bool
) -> list[Drift]:
    user = await q.users.by_id(user_id)
    if user is None:
        return []
    report.users += 1
    today = today_for(ctx, user)
    drifts: list[Drift] = []

    def drift(what: str, kept: object, derived: object) -> None:
        drifts.append(Drift(user_id=user_id, what=what, kept=str(kept), derived=str(derived)))

    per_day: dict[date, dict[str, int]] = defaultdict(lambda: {"results": 0, "relationships": 0})
    done_total = 0
    for habit in await q.habits.of_user(user_id, archived=None, limit=100_000):
        report.habits += 1
        cad = cadence_of(habit)
        values = await q.checkins.day_values(habit.id, date.min, date.max)
        records = day_records(habit, values, await days_off_one(q, habit, date.min, today))
        done_days = {r.day for r in records if r.done}
        done_total += len(done_days)
        for day in done_days:
            per_day[day][habit.category] += 1
        unsettled = [r for r in records if r.day >= unsettled_from(habit, cad)]
        kept = streaks.evaluate(progress_of(habit), cad, streaks.tally(cad, unsettled), today)
        derived = streaks.recompute(cad, records, today)
        streak_drift = (kept.current, kept.best, kept.freezes) != (
            derived.current, derived.best, derived.freezes,
        ) or abs(kept.strength - derived.strength) > 1e-9  # fmt: skip
        if streak_drift or habit.total_done != len(done_days):
            drift(f"habit {habit.id} streak/strength/done", kept, derived)
            if repair:
                await rebuild_progress(ctx, q, habit, today)
        paid: dict[date, int] = defaultdict(int)
        for e in await q.ledger.open_entries(user_id, reasons=["checkin"]):
            if e.habit_id == habit.id:
                paid[e.day] += 1
        imported = await q.checkins.imported_days(habit.id)  # a Loop history brings no points
        for day in (done_days - imported) | set(paid):
            expected = 1 if day in done_days else 0
            if paid.get(day, 0) != expected:
                drift(f"habit {habit.id} points for {day}", paid.get(day, 0), expected)

    balanced = sum(
        1 for cats in per_day.values() if balance.is_balanced({c for c, n in cats.items() if n})
    )
    kept_days = await q.checkins.day_rows(user_id)
    for day in set(kept_days) | set(per_day):
        want = (
            (per_day[day]["results"], per_day[day]["relationships"]) if day in per_day else (0, 0)
        )
        have = kept_days.get(day, (0, 0))
        if have != want:
            drift(f"day {day} category counts", have, want)
            if repair:
                await q.checkins.set_day(user_id, day, *want)

    points = await q.ledger.sum(user_id)
    if (user.points, user.xp, user.total_done, user.balanced_days) != (
        points, points, done_total, balanced,
    ):  # fmt: skip
        drift(
            "totals (points, xp, done, balanced)",
            (user.points, user.xp, user.total_done, user.balanced_days),
            (points, points, done_total, balanced),
        )
        if repair:
            await q.users.set_totals(
                user_id, points=points, total_done=done_total, balanced_days=balanced
            )

    for team, membership in await q.teams.teams_of(user_id):
        board = f"team:{team.id}"
        kept_score = await q.boards.score(board, "all", user_id) or 0
        derived_score = await q.ledger.sum(user_id, since_id=membership.joined_id)
        if kept_score != derived_score:
            drift(f"team {team.id} all-time board", kept_score, derived_score)
            if repair:
                await q.boards.set_score(board, "all", user_id, derived_score)
    return drifts
