"""Habits: create (custom or from the catalog), list, edit, archive, delete; the Today
view, stats and the calendar. Also the helpers that turn a stored habit into its cadence
and streak state, shared with the check-in use cases."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import msgspec

from server.domain import balance, breaks, caps, delivery, reminders, scoring, streaks, strength
from server.domain.calendar import local_day
from server.domain.schedule import Cadence, cadence
from server.domain.schedule import Schedule as DomainSchedule
from server.ids import new_id
from server.services import access
from server.services.context import Context
from server.services.errors import Conflict, Invalid, LimitReached, OutsideBackdatingWindow
from server.services.paging import cut, decode_cursor, encode_cursor
from server.services.text import named
from server.store.records import HabitRecord, UserRecord
from server.store.transaction import Transaction
from shared import schemas

MAX_CALENDAR_DAYS = 800


# -- stored habit -> rules --------------------------------------------------------------


def cadence_of(habit: HabitRecord) -> Cadence:
    return cadence(msgspec.json.decode(habit.schedule, type=DomainSchedule), habit.anchor_day)


def progress_of(habit: HabitRecord) -> streaks.Progress:
    return streaks.Progress(
        folded_through=habit.folded_through,
        current=habit.streak_current,
        best=habit.streak_best,
        freezes=habit.freezes,
        freezes_used=habit.freezes_used,
        strength=habit.strength,
    )


def store_progress(habit: HabitRecord, progress: streaks.Progress) -> None:
    habit.folded_through = progress.folded_through
    habit.streak_current = progress.current
    habit.streak_best = progress.best
    habit.freezes = progress.freezes
    habit.freezes_used = progress.freezes_used
    habit.strength = progress.strength


def unsettled_from(habit: HabitRecord, cad: Cadence) -> date:
    """First day whose check-ins are not folded into the stored progress yet."""
    if habit.folded_through is None:
        return date.min
    return cad.period_end(habit.folded_through) + timedelta(days=1)


def day_records(
    habit: HabitRecord, values: list[tuple[date, int, bool]], off: frozenset[date]
) -> list[streaks.DayRecord]:
    """The habit's days as the streak rules read them: ``values`` (day, summed value,
    skipped) and its break days ``off`` (``days_off``: read as skipped unless done)."""
    records = [
        streaks.DayRecord(day=d, done=not skip and total >= habit.target, skipped=skip)
        for d, total, skip in values
    ]
    return breaks.with_days_off(records, off) if off else records


async def days_off(
    q: Transaction, user_id: str, habits: list[HabitRecord], first: date, last: date
) -> dict[str, frozenset[date]]:
    """Each habit's break days from ``first`` through ``last`` (never past ``last``: a
    break's future days are not part of any evaluation before they come)."""
    found = await q.breaks.covering(user_id, [h.id for h in habits], first, last)
    out = {}
    for habit in habits:
        spans = [
            breaks.Span(b.starts_on, b.ends_on)
            for b in found
            if b.habit_id is None or b.habit_id == habit.id
        ]
        out[habit.id] = breaks.days_off(spans, max(first, habit.anchor_day), last)
    return out


async def days_off_one(
    q: Transaction, habit: HabitRecord, first: date, last: date
) -> frozenset[date]:
    return (await days_off(q, habit.user_id, [habit], first, last))[habit.id]


def difficulty_log(habit: HabitRecord) -> scoring.DifficultyLog:
    return tuple(
        (date.fromisoformat(until), d) for until, d in msgspec.json.decode(habit.difficulty_log)
    )


async def _check_room_for_habit(q: Transaction, user: UserRecord) -> None:
    if not caps.may_add_habit(await q.habits.active_count(user.id)):
        raise LimitReached(
            f"at most {caps.MAX_ACTIVE_HABITS} active habits; archive one first", field="archived"
        )


def check_window(ctx: Context, day: date, today: date) -> None:
    """A day a user may still change (check in, undo) or look back on: from
    ``RAPPORT_BACKDATE_DAYS`` before ``today`` to ``today``."""
    if day > today:
        raise OutsideBackdatingWindow(f"{day} is in the future (today is {today})", field="day")
    first = today - timedelta(days=ctx.settings.backdate_days)
    if day < first:
        raise OutsideBackdatingWindow(
            f"{day} is before {first}: only the last {ctx.settings.backdate_days + 1} days"
            " can be changed",
            field="day",
        )


def today_for(ctx: Context, user: UserRecord) -> date:
    return local_day(ctx.clock(), user.timezone, user.day_start_hour)


def fold_history(
    habit: HabitRecord,
    values: list[tuple[date, int, bool]],
    today: date,
    backdate_days: int,
    off: frozenset[date] = frozenset(),
) -> None:
    """Set ``habit``'s progress from its whole history (``values``: (day, summed value,
    skipped) per day, in order; ``off``: its break days). Pure: an import runs it off the
    event loop."""
    cad = cadence_of(habit)
    records = day_records(habit, values, off)
    before = today - timedelta(days=backdate_days)
    store_progress(habit, streaks.settle(streaks.EMPTY, cad, streaks.tally(cad, records), before))
    habit.total_done = sum(1 for r in records if r.done)


async def rebuild_progress(ctx: Context, q: Transaction, habit: HabitRecord, today: date) -> None:
    """Fold the whole history again (after a schedule or target change)."""
    values = await q.checkins.day_values(habit.id, date.min, date.max)
    off = await days_off_one(q, habit, date.min, today)
    fold_history(habit, values, today, ctx.settings.backdate_days, off)
    await q.habits.save_progress(habit)


# -- views ------------------------------------------------------------------------------


def habit_view(habit: HabitRecord) -> schemas.Habit:
    return schemas.Habit(
        id=UUID(habit.id),
        title=habit.title,
        category=habit.category,
        schedule=msgspec.json.decode(habit.schedule, type=schemas.Schedule),
        kind=habit.kind,
        target=habit.target,
        difficulty=habit.difficulty,
        archived=habit.archived,
        created_at=habit.created_at,
        template=habit.template,
        relationship=habit.relationship,
        reminders=msgspec.json.decode(habit.reminders, type=list[str]),
    )


def stored_reminders(times: list[str]) -> str:
    """Reminder times as stored (each once, in order of the day), as JSON."""
    return msgspec.json.encode(reminders.normalised(times)).decode()


def _normalise_schedule(schedule: schemas.Schedule) -> str:
    if isinstance(schedule, schemas.Weekdays):
        schedule = schemas.Weekdays(days=sorted(set(schedule.days)))
    return msgspec.json.encode(schedule).decode()


def _clean_title(title: str) -> str:
    return named(title, "title")


def _check_kind(kind: str, target: int) -> None:
    if kind == "check" and target != 1:
        raise Invalid("a yes/no habit has target 1; use kind 'count' for more", field="target")


# -- use cases --------------------------------------------------------------------------


async def create_habit(
    ctx: Context, user: UserRecord, body: schemas.HabitCreate
) -> tuple[schemas.Habit, bool]:
    """The habit, and whether it was created now (False: the same id was sent before)."""
    if body.template is not None:
        template = ctx.catalog.habit(body.template)
        if template is None:
            raise Invalid(f"no catalog habit {body.template!r}", field="template")
        title, category, schedule = template.title, template.category, template.schedule
        kind, target = template.kind, template.target
        difficulty, relationship = template.difficulty, template.relationship
    else:
        if body.title is None or body.category is None or body.schedule is None:
            missing = [f for f in ("title", "category", "schedule") if getattr(body, f) is None]
            raise Invalid(
                f"a custom habit needs {', '.join(missing)} (or give a template)",
                field=missing[0],
            )
        title, category, schedule = body.title, body.category, body.schedule
        kind, target, difficulty, relationship = "check", 1, "easy", None
    title = body.title or title
    category = body.category or category
    schedule = body.schedule or schedule
    kind = body.kind or kind
    target = body.target or (target if body.kind is None else (1 if kind == "check" else 2))
    if body.template is not None and body.difficulty not in (None, difficulty):
        raise Invalid(
            f"a catalog habit keeps its catalog difficulty ({difficulty})", field="difficulty"
        )
    difficulty = body.difficulty or difficulty
    relationship = body.relationship or relationship
    _check_kind(kind, target)
    title = _clean_title(title)
    now = ctx.clock()
    habit = HabitRecord(
        id=str(body.id) if body.id else new_id(),
        user_id=user.id,
        title=title,
        category=category,
        schedule=_normalise_schedule(schedule),
        kind=kind,
        target=target,
        difficulty=difficulty,
        template=body.template,
        relationship=relationship,
        archived=False,
        anchor_day=local_day(now, user.timezone, user.day_start_hour),
        created_at=now,
        folded_through=None,
        streak_current=0,
        streak_best=0,
        freezes=0,
        freezes_used=0,
        strength=0.0,
        total_done=0,
        reminders=stored_reminders(body.reminders),
    )
    async with ctx.write(user.id) as q:
        if body.id is not None and await q.habits.exists(habit.id):
            mine = await q.habits.get(user.id, habit.id)
            if mine is None:
                raise Conflict("this habit id is already in use", field="id")
            return habit_view(mine), False
        await _check_room_for_habit(q, user)
        await q.habits.insert(habit)
    return habit_view(habit), True


async def list_habits(
    ctx: Context, user: UserRecord, *, archived: bool | None, limit: int, cursor: str | None
) -> schemas.HabitPage:
    after = decode_cursor(cursor, 2) if cursor else None
    async with ctx.read() as q:
        rows = await q.habits.of_user(
            user.id,
            archived=archived,
            after=(after[0], after[1]) if after else None,
            limit=limit + 1,
        )
    page, next_cursor = cut(rows, limit, lambda h: encode_cursor(h.created_at.isoformat(), h.id))
    return schemas.HabitPage(items=[habit_view(h) for h in page], next_cursor=next_cursor)


async def get_habit(ctx: Context, user: UserRecord, habit_id: UUID) -> schemas.Habit:
    async with ctx.read() as q:
        return habit_view(await access.own_habit(q, user, habit_id))


async def update_habit(
    ctx: Context, user: UserRecord, habit_id: UUID, body: schemas.HabitPatch
) -> schemas.Habit:
    async with ctx.write(user.id) as q:
        habit = await access.own_habit(q, user, habit_id)
        rules_before = (habit.schedule, habit.kind, habit.target)
        if body.title is not msgspec.UNSET:
            habit.title = _clean_title(body.title)
        if body.category is not msgspec.UNSET:
            if body.category != habit.category and habit.total_done:
                raise Conflict(
                    "a habit with check-ins keeps its category; archive it and start a new one",
                    field="category",
                )
            habit.category = body.category
        if body.schedule is not msgspec.UNSET:
            habit.schedule = _normalise_schedule(body.schedule)
        if body.kind is not msgspec.UNSET:
            habit.kind = body.kind
            if body.target is msgspec.UNSET:
                habit.target = 1 if body.kind == "check" else max(habit.target, 2)
        if body.target is not msgspec.UNSET:
            habit.target = body.target
        if body.difficulty is not msgspec.UNSET and body.difficulty != habit.difficulty:
            if habit.template is not None:
                raise Conflict("a catalog habit keeps its catalog difficulty", field="difficulty")
            today = today_for(ctx, user)
            habit.difficulty, log = scoring.change_difficulty(
                today, body.difficulty, habit.difficulty, difficulty_log(habit),
                keep_from=today - timedelta(days=ctx.settings.backdate_days),
            )  # fmt: skip
            habit.difficulty_log = msgspec.json.encode(log).decode()
        if body.relationship is not msgspec.UNSET:
            habit.relationship = body.relationship
        if body.reminders is not msgspec.UNSET:
            habit.reminders = stored_reminders(body.reminders)
        if body.archived is not msgspec.UNSET:
            if habit.archived and not body.archived:
                await _check_room_for_habit(q, user)
            habit.archived = body.archived
        _check_kind(habit.kind, habit.target)
        await q.habits.update(habit)
        if (habit.schedule, habit.kind, habit.target) != rules_before:
            await rebuild_progress(ctx, q, habit, today_for(ctx, user))
        return habit_view(habit)


async def _evaluate(
    q: Transaction, habit: HabitRecord, today: date
) -> tuple[Cadence, streaks.Progress, list[tuple[date, int, bool]], list[streaks.DayRecord]]:
    """Cadence, streak state as of ``today``, the unsettled days' (day, value, skip), and
    the same days as the rules read them (breaks included).

    Today is always unsettled (settling stops before the backdating window), so the
    returned days include today's when there is one.
    """
    return (await _evaluate_all(q, [habit], today))[habit.id]


async def _evaluate_all(
    q: Transaction, habits: list[HabitRecord], today: date
) -> dict[
    str,
    tuple[Cadence, streaks.Progress, list[tuple[date, int, bool]], list[streaks.DayRecord]],
]:
    """``_evaluate`` of several habits, their check-ins read in one statement."""
    if not habits:
        return {}
    cadences = {habit.id: cadence_of(habit) for habit in habits}
    firsts = {habit.id: unsettled_from(habit, cadences[habit.id]) for habit in habits}
    values = await q.checkins.day_values_of(firsts, today)
    off = await days_off(q, habits[0].user_id, habits, min(firsts.values()), today)
    out = {}
    for habit in habits:
        cad = cadences[habit.id]
        unsettled = [d for d in off[habit.id] if d >= firsts[habit.id]]
        records = day_records(habit, values[habit.id], frozenset(unsettled))
        state = streaks.evaluate(progress_of(habit), cad, streaks.tally(cad, records), today)
        out[habit.id] = (cad, state, values[habit.id], records)
    return out


async def streaks_at_risk(
    q: Transaction, habits: list[HabitRecord], today: date
) -> list[tuple[HabitRecord, int]]:
    """The habits whose streak would be lost at the end of ``today``, and that streak
    (``delivery.streak_at_risk``)."""
    out = []
    for habit, (cad, _, _, records) in zip(
        habits, (await _evaluate_all(q, habits, today)).values(), strict=True
    ):
        streak = delivery.streak_at_risk(progress_of(habit), cad, records, today)
        if streak:
            out.append((habit, streak))
    return out


async def today_view(ctx: Context, user: UserRecord, day: date | None = None) -> schemas.Today:
    """Today's list, or that of ``day`` within the backdating window (a day a check-in may
    still go to): what it asked, what was done; streaks and strength are as they stand."""
    now = today_for(ctx, user)
    today = now if day is None else day
    check_window(ctx, today, now)
    async with ctx.read() as q:
        entries = []
        active = await q.habits.of_user(user.id, archived=False)
        evaluated = await _evaluate_all(q, active, now)
        for habit in active:
            cad, state, values, records = evaluated[habit.id]
            value, skipped = next(((v, s) for d, v, s in values if d == today), (0, False))
            done = not skipped and value >= habit.target
            entries.append(
                schemas.TodayHabit(
                    habit=habit_view(habit),
                    due=streaks.is_due(cad, records, today),
                    done=done,
                    skipped=skipped,
                    value=value,
                    streak=state.current,
                    strength=strength.percent(state.strength),
                    on_break=not skipped and any(r.day == today and r.on_break for r in records),
                )
            )
        points_today = await q.ledger.points_on_day(user.id, today)
        week = await q.checkins.totals_since(user.id, today - timedelta(days=6), today)
    results, relationships, ratio = balance.meter(
        results=week.results, relationships=week.relationships
    )
    return schemas.Today(
        day=today,
        habits=entries,
        points_today=points_today,
        balance=schemas.Balance7(results=results, relationships=relationships, ratio=ratio),
    )


async def habit_stats(ctx: Context, user: UserRecord, habit_id: UUID) -> schemas.HabitStats:
    today = today_for(ctx, user)
    async with ctx.read() as q:
        habit = await access.own_habit(q, user, habit_id)
        cad, state, _, _ = await _evaluate(q, habit, today)
        first = max(today - timedelta(days=27), habit.anchor_day)
        off = await days_off_one(q, habit, first, today)
        recent = day_records(habit, await q.checkins.day_values(habit.id, first, today), off)
        last_done = await q.checkins.last_done_on(habit.id, habit.target)
    return schemas.HabitStats(
        current_streak=state.current,
        best_streak=state.best,
        strength=strength.percent(state.strength),
        completion_rate_28d=streaks.completion_rate(
            cad, [r.day for r in recent if r.done], first, today, off
        ),
        total_checkins=habit.total_done,
        last_done_on=last_done,
        streak_freezes=state.freezes,
    )


async def calendar(
    ctx: Context, user: UserRecord, habit_id: UUID, first: date | None, last: date | None
) -> list[schemas.CalendarDay]:
    today = today_for(ctx, user)
    last = last or today
    # A year back, or from the first day there is when 'to' is in the year 1.
    first = first or last - timedelta(days=min(364, (last - date.min).days))
    if first > last:
        raise Invalid("'from' is after 'to'", field="from")
    if (last - first).days >= MAX_CALENDAR_DAYS:
        raise Invalid(f"at most {MAX_CALENDAR_DAYS} days at a time", field="from")
    async with ctx.read() as q:
        habit = await access.own_habit(q, user, habit_id)
        values = await q.checkins.day_values(habit.id, first, last)
    return [
        schemas.CalendarDay(day=d, value=v, done=not s and v >= habit.target, skipped=s)
        for d, v, s in values
    ]
