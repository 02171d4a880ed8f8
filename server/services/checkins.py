"""Check-ins and their undo: one write transaction each.

A check-in writes the check-in row, the habit's settled streak state, the points ledger
entries, the user's totals, the day's category counts and any badges, all together or
not at all. Replaying the same client id with the same body answers the first result
again; undo appends reversing ledger entries and never rewrites history.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime, timedelta
from uuid import UUID

import msgspec

from server import metrics
from server.domain import balance, levels, scoring, streaks
from server.domain import challenges as rules
from server.domain.schedule import Cadence
from server.ids import new_id
from server.services import access, goals, notifications, points
from server.services.context import Context
from server.services.errors import Conflict, Invalid, OutsideBackdatingWindow
from server.services.habits import (
    cadence_of,
    check_window,
    day_records,
    days_off_one,
    difficulty_log,
    progress_of,
    store_progress,
    today_for,
    unsettled_from,
)
from server.services.paging import cut, decode_cursor, encode_cursor
from server.services.points import Posting
from server.store.records import (
    CheckinRecord,
    ConfirmationRecord,
    DayTotals,
    HabitRecord,
    LedgerRecord,
    UserRecord,
)
from server.store.transaction import Transaction
from shared import schemas

_result_decoder = msgspec.json.Decoder(schemas.CheckInResult)
_encoder = msgspec.json.Encoder()
# Ledger reasons of a witnessed check-in: the doer's bonus and the witness's.
PEER_REASONS = ("peer_confirmed", "peer_witness")


def _digest(habit_id: UUID, body: schemas.CheckInCreate) -> str:
    return hashlib.sha256(str(habit_id).encode() + _encoder.encode(body)).hexdigest()


def checkin_view(c: CheckinRecord) -> schemas.CheckIn:
    return schemas.CheckIn(
        id=UUID(c.id),
        habit_id=UUID(c.habit_id),
        day=c.day,
        value=c.value,
        note=c.note,
        skip=c.skip,
        created_at=c.created_at,
        witness=UUID(c.witness) if c.witness else None,
    )


def _check_not_settled(habit: HabitRecord, period: date | None) -> None:
    if period is not None and habit.folded_through and period <= habit.folded_through:
        raise OutsideBackdatingWindow("that period is already settled", field="day")


def _freeze_covered_gap(
    habit: HabitRecord, cad: Cadence, records: list[streaks.DayRecord], day: date
) -> bool:
    """Did a freeze keep the streak alive between the last activity and ``day``?"""
    period = cad.period_of(day)
    if period is None:
        return False
    earlier = streaks.tally(cad, [r for r in records if r.day < period])
    state = progress_of(habit)
    last = earlier[-1].period if earlier else state.folded_through
    if last is None:
        return False
    just_after = cad.period_end(last) + timedelta(days=1)
    before_gap = streaks.evaluate(state, cad, earlier, just_after)
    at_day = streaks.evaluate(state, cad, earlier, day)
    return at_day.freezes_used > before_gap.freezes_used and at_day.current > 0


async def check_in(
    ctx: Context, user: UserRecord, habit_id: UUID, body: schemas.CheckInCreate
) -> tuple[schemas.CheckInResult, bool]:
    """The result, and whether it was recorded now (False: a replay of the same id)."""
    now = ctx.clock()
    today = today_for(ctx, user)
    day = body.day or today
    checkin_id = str(body.id) if body.id else new_id()
    digest = _digest(habit_id, body)
    async with ctx.write(user.id) as q:
        existing = await q.checkins.get(checkin_id)
        if existing is not None:
            if (
                existing.user_id == user.id
                and existing.request_digest == digest
                and existing.deleted_at is None
            ):
                return _result_decoder.decode(existing.result), False
            raise Conflict("this check-in id was already used with another body", field="id")
        habit = await access.own_habit(q, user, habit_id)
        if habit.archived:
            raise Conflict("the habit is archived; unarchive it to check in")
        check_window(ctx, day, today)
        if body.witness is not None:
            witnessed = ctx.catalog.witnessed(habit.template)
            await _check_witness(q, user, habit, body, now, template_witnessed=witnessed)
        if body.skip and body.value != 1:
            raise Invalid("a skip carries no value", field="value")
        if habit.kind == "check" and body.value != 1:
            raise Invalid("a yes/no habit takes value 1; use a count habit", field="value")
        cad = cadence_of(habit)
        _check_not_settled(habit, cad.period_of(day))

        values = await q.checkins.day_values(habit.id, unsettled_from(habit, cad), today)
        off = await days_off_one(q, habit, unsettled_from(habit, cad), today)
        on_day = next(((v, s) for d, v, s in values if d == day), None)
        if on_day is not None:
            value_so_far, skipped = on_day
            if skipped:
                raise Conflict(f"{day} was skipped; undo the skip first", field="day")
            if body.skip:
                raise Conflict(f"{day} already has a check-in; it cannot be skipped", field="day")
            if habit.kind == "check":
                raise Conflict(f"already done on {day}", field="day")
        else:
            value_so_far = 0
        updated = [(d, v, s) for d, v, s in values if d != day]
        updated.append((day, value_so_far + (0 if body.skip else body.value), body.skip))
        updated.sort()
        after_records = day_records(habit, updated, off)
        progress = progress_of(habit)
        after = streaks.evaluate(progress, cad, streaks.tally(cad, after_records), today)

        was_done = not body.skip and value_so_far >= habit.target
        now_done = not body.skip and value_so_far + body.value >= habit.target
        done_delta = balanced_delta = 0
        window_first = today - timedelta(days=ctx.settings.backdate_days)
        postings, origin, pays = await _reprice(
            q, habit, cad, progress, after_records, (window_first, today), now,
            new_day=(day, checkin_id) if now_done and not was_done else None,
        )  # fmt: skip
        paid = sum(e.amount for e, _ in postings if e.day == day and e.reason == "checkin")
        # Milestones this check-in pays for the first time (a backdated day may cross one
        # on a later day): new entries, not corrections of earlier ones.
        crossed = sorted(
            int(e.reason.removeprefix("milestone:"))
            for e, placed_by in postings
            if e.reason.startswith("milestone:") and placed_by is e and e.amount > 0
        )
        postings += await _rebalance(q, user.id, habit, pays, now, checkin_id)

        freeze_used = False
        if origin is not None:
            done_delta = 1
            totals = await q.checkins.add_to_day(user.id, day, habit.category, 1)
            balanced_delta = _balanced_change(totals, habit.category, +1)
            freeze_used = _freeze_covered_gap(habit, cad, after_records, day)
            postings += await goals.day_done_changed(
                q, user, habit, day, delta=1, origin=origin, now=now
            )
        awarded = await points.post(q, user.id, postings, done=done_delta, balanced=balanced_delta)
        no_points = _no_points(body.skip, was_done, now_done, paid, cad, day)

        await _settle(ctx, q, habit, progress, cad, after_records, today, done_delta)

        fresh = await q.users.by_id(user.id)
        assert fresh is not None
        earned = await points.award_badges_to(ctx, q, fresh, streak=after.current, now=now)

        record = CheckinRecord(
            id=checkin_id, habit_id=habit.id, user_id=user.id, day=day,
            value=0 if body.skip else body.value, note=body.note, skip=body.skip,
            witness=str(body.witness) if body.witness else None, request_digest=digest,
            result="", created_at=now, deleted_at=None,
        )  # fmt: skip
        result = schemas.CheckInResult(
            checkin=checkin_view(record),
            streak=schemas.StreakSummary(current=after.current, best=after.best),
            points_awarded=awarded,
            points_total=fresh.points,
            level=levels.level_for_xp(fresh.xp),
            badges_earned=earned,
            freeze_used=freeze_used,
            no_points=no_points,
            milestones=crossed,
        )
        record.result = _encoder.encode(result).decode()
        await q.checkins.insert(record)
        await _announce(q, user, habit, record, result, now)
        if body.witness is not None:
            await q.confirmations.insert(
                ConfirmationRecord(
                    id=new_id(), checkin_id=record.id, from_user=user.id,
                    to_user=str(body.witness), habit_title=habit.title, day=day,
                    created_at=now, expires_at=now + rules.CONFIRMATION_TTL, status="pending",
                    decided_at=None,
                )
            )  # fmt: skip
    metrics.CHECKINS.inc()  # committed
    return result, True


RESCORE = "rescore:"


async def _reprice(
    q: Transaction,
    habit: HabitRecord,
    cad: Cadence,
    progress: streaks.Progress,
    records: list[streaks.DayRecord],
    window: tuple[date, date],
    now: datetime,
    *,
    new_day: tuple[date, str] | None = None,
) -> tuple[list[Posting], LedgerRecord | None, dict[date, bool]]:
    """Bring the habit's check-in and milestone entries for the days of ``window`` (the
    backdating window: its first day and today) in line with what the rules say those days
    earn now. Days after today (a move west made "today" earlier) are left alone, and so are
    days already folded into the habit's progress (``records`` starts after them).

    ``new_day`` is a day that just became done, with its check-in id: it gets its
    ``checkin`` entry (0 when it earns nothing, so the day still has the entry that says
    when it was counted). Other days are only adjusted: an entry whose day is no longer done
    is reversed, one whose amount changed (a backdated day moved the streak, or took the
    period's quota) gets a ``rescore:`` entry for the difference, counted on the boards
    where the original counted. Returns the postings, ``new_day``'s ``checkin`` entry, and
    the days of the window on which the habit's check-ins started or stopped paying (True:
    they pay now), the only days whose balance bonus this change can move.
    """
    first, last = window
    first = max(first, unsettled_from(habit, cad))
    log = difficulty_log(habit)
    expected: dict[tuple[date, str], int] = {}
    for earning in scoring.earnings(
        progress, cad, records, first=first,
        difficulty=lambda d: scoring.difficulty_on(d, habit.difficulty, log),
        priced_from=habit.priced_from,
    ):  # fmt: skip
        expected[(earning.day, "checkin")] = earning.points
        for m in earning.milestones:
            expected[(earning.day, f"milestone:{m}")] = scoring.milestone_bonus(m)
    held: dict[tuple[date, str], list[LedgerRecord]] = defaultdict(list)
    for e in await q.ledger.open_habit_entries(habit.id, first):
        if e.day > last:
            continue
        reason = e.reason.removeprefix(RESCORE)
        if reason == "checkin" or reason.startswith("milestone:"):
            held[(e.day, reason)].append(e)
    paid_days = {d for d, reason in held if reason == "checkin"}
    if new_day is not None:
        paid_days.add(new_day[0])

    postings: list[Posting] = []
    origin: LedgerRecord | None = None
    for day, reason in sorted(set(expected) | set(held)):
        want, have = expected.get((day, reason)), held.get((day, reason), [])
        if want is None:
            postings += [points.taking_back(e, now) for e in have]
        elif day not in paid_days:
            continue  # a day no check-in paid (imported history): left as it is
        elif not have:
            checkin_id = new_day[1] if new_day and new_day[0] == day else None
            entry = LedgerRecord(
                id=new_id(), user_id=habit.user_id, at=now, day=day, amount=want,
                reason=reason, habit_id=habit.id, checkin_id=checkin_id,
            )  # fmt: skip
            postings.append(points.fresh(entry))
            if reason == "checkin" and new_day and new_day[0] == day:
                origin = entry
        elif (held_sum := sum(e.amount for e in have)) != want:
            entry = LedgerRecord(
                id=new_id(), user_id=habit.user_id, at=now, day=day, amount=want - held_sum,
                reason=RESCORE + reason, habit_id=habit.id, checkin_id=have[0].checkin_id,
            )  # fmt: skip
            postings.append(Posting(entry, have[0]))
    paid_before = {
        day: sum(e.amount for e in entries) > 0
        for (day, reason), entries in held.items()
        if reason == "checkin"
    }
    pays_now = {
        day: day in paid_days and amount > 0
        for (day, reason), amount in expected.items()
        if reason == "checkin"
    }
    changed = {
        day: paying
        for day in paid_before.keys() | pays_now.keys()
        if (paying := pays_now.get(day, False)) != paid_before.get(day, False)
    }
    return postings, origin, changed


async def _rebalance(
    q: Transaction,
    user_id: str,
    habit: HabitRecord,
    pays: dict[date, bool],
    now: datetime,
    checkin_id: str | None,
) -> list[Posting]:
    """Give or take back the balance bonus of the days in ``pays``: a day earns it when
    check-ins of both categories pay on it (``pays`` says whether ``habit``'s do)."""
    postings: list[Posting] = []
    for day, habit_pays in sorted(pays.items()):
        categories = await q.ledger.paid_categories(user_id, day, exclude_habit=habit.id)
        if habit_pays:
            categories.add(habit.category)
        bonus = await q.ledger.open_day_entry(user_id, day, "balance_bonus")
        if balance.is_balanced(categories) and bonus is None:
            entry = LedgerRecord(
                id=new_id(), user_id=user_id, at=now, day=day, amount=scoring.BALANCE_BONUS,
                reason="balance_bonus", checkin_id=checkin_id,
            )  # fmt: skip
            postings.append(points.fresh(entry))
        elif not balance.is_balanced(categories) and bonus is not None:
            postings.append(points.taking_back(bonus, now))
    return postings


def _balanced_change(totals: DayTotals, category: str, delta: int) -> int:
    """+1 or -1 when moving ``category``'s done count by ``delta`` (to ``totals``) made the
    day balanced or unbalanced (done days, as the balance meter counts them), else 0."""
    after = _categories(totals)
    count_before = getattr(totals, category) - delta
    before = (after | {category}) if count_before > 0 else (after - {category})
    return int(balance.is_balanced(after)) - int(balance.is_balanced(before))


def _no_points(
    skip: bool, was_done: bool, now_done: bool, paid: int, cad: Cadence, day: date
) -> schemas.NoPoints | None:
    """Why this check-in earned no check-in points, or None when it did."""
    reason: scoring.NoPointsReason
    if skip:
        reason = "skipped"
    elif not now_done:
        reason = "target_not_reached"
    elif was_done:
        reason = "already_done"
    elif paid == 0:
        reason = scoring.NOT_DUE if cad.period_of(day) is None else scoring.QUOTA_MET
    else:
        return None
    return schemas.NoPoints(reason=reason, detail=scoring.NO_POINTS[reason])


async def _check_witness(
    q: Transaction,
    user: UserRecord,
    habit: HabitRecord,
    body: schemas.CheckInCreate,
    now: datetime,
    *,
    template_witnessed: bool,
) -> None:
    if not rules.may_take_witness(habit.category, template_witnessed):
        raise Invalid(
            "only relationships habits and habits adopted from a catalog template with a"
            " witness (such as deliver-on-a-promise) take a witness",
            field="witness",
        )
    if body.skip:
        raise Invalid("a skip takes no witness", field="witness")
    if str(body.witness) == user.id:
        raise Invalid("you cannot witness your own check-in", field="witness")
    if not await q.teams.share_a_team(user.id, str(body.witness)):
        raise Invalid("the witness must share a team with you", field="witness")
    asked = await q.confirmations.count(
        column="from_user", user_id=user.id, status=["pending", "confirmed", "declined"],
        since=now - timedelta(days=1),
    )  # fmt: skip
    if asked >= rules.CONFIRMATIONS_PER_DAY:
        raise Invalid(f"at most {rules.CONFIRMATIONS_PER_DAY} confirmations a day", field="witness")


async def _settle(
    ctx: Context,
    q: Transaction,
    habit: HabitRecord,
    progress: streaks.Progress,
    cad: Cadence,
    records: list[streaks.DayRecord],
    today: date,
    done_delta: int,
) -> None:
    """Fold the habit's periods that can no longer change into its stored progress."""
    before = today - timedelta(days=ctx.settings.backdate_days)
    store_progress(habit, streaks.settle(progress, cad, streaks.tally(cad, records), before))
    habit.total_done += done_delta
    await q.habits.save_progress(habit)


async def _announce(
    q: Transaction,
    user: UserRecord,
    habit: HabitRecord,
    record: CheckinRecord,
    result: schemas.CheckInResult,
    now: datetime,
) -> None:
    """The check-in and the badges it earned, to the user's webhooks (same transaction)."""
    data = {
        "checkin_id": record.id, "habit_id": habit.id, "title": habit.title,
        "day": record.day.isoformat(), "value": record.value, "skip": record.skip,
        "points_awarded": result.points_awarded, "streak": result.streak.current,
    }  # fmt: skip
    await notifications.emit(q, user.id, "checkin.created", record.id, data, now)
    for badge in result.badges_earned:
        shown = {"slug": badge.slug, "title": badge.title, "description": badge.description}
        await notifications.emit(q, user.id, "badge.earned", f"{badge.slug}:{record.id}",
                                 shown, now)  # fmt: skip


def _categories(totals: DayTotals) -> set[str]:
    return {c for c in balance.CATEGORIES if getattr(totals, c) > 0}


async def undo_check_in(ctx: Context, user: UserRecord, habit_id: UUID, checkin_id: UUID) -> None:
    now = ctx.clock()
    today = today_for(ctx, user)
    async with ctx.write(user.id) as q:
        checkin, habit = await access.own_checkin(q, user, habit_id, checkin_id)
        check_window(ctx, checkin.day, today)
        cad = cadence_of(habit)
        _check_not_settled(habit, cad.period_of(checkin.day))

        values = await q.checkins.day_values(habit.id, unsettled_from(habit, cad), today)
        off = await days_off_one(q, habit, unsettled_from(habit, cad), today)
        before_records = day_records(habit, values, off)
        updated = []
        for d, v, s in values:
            if d == checkin.day:
                v -= checkin.value
                remaining = await q.checkins.of_habit(habit.id, first=d, last=d)
                if not any(c.id != checkin.id for c in remaining):
                    continue
                s = s and not checkin.skip
            updated.append((d, v, s))
        after_records = day_records(habit, updated, off)
        was_done = any(r.day == checkin.day and r.done for r in before_records)
        now_done = any(r.day == checkin.day and r.done for r in after_records)
        await q.checkins.mark_deleted(checkin.id, user.id, now)

        done_delta = balanced_delta = 0
        window_first = today - timedelta(days=ctx.settings.backdate_days)
        postings, _, pays = await _reprice(
            q, habit, cad, progress_of(habit), after_records, (window_first, today), now
        )
        postings += await _rebalance(q, user.id, habit, pays, now, None)
        if was_done and not now_done:
            done_delta = -1
            totals = await q.checkins.add_to_day(user.id, checkin.day, habit.category, -1)
            balanced_delta = _balanced_change(totals, habit.category, -1)
            origin = next(
                (o for _, o in postings if o.reason == "checkin" and o.day == checkin.day), None
            )
            if origin is not None:
                postings += await goals.day_done_changed(
                    q, user, habit, checkin.day, delta=-1, origin=origin, now=now
                )
        await points.post(q, user.id, postings)
        await _withdraw_confirmations(q, checkin, now)

        await _settle(ctx, q, habit, progress_of(habit), cad, after_records, today, done_delta)
        await q.users.add_to_totals(user.id, done=done_delta, balanced=balanced_delta)


async def delete_habit(ctx: Context, user: UserRecord, habit_id: UUID) -> None:
    """Delete a habit and take back everything its check-ins earned, as if each had been
    undone: points, milestones, balance bonuses of days no longer balanced, challenge
    progress and rewards, team goal progress, peer bonuses, done-day counts. (Archiving
    keeps all of it.) So creating, checking in and deleting a habit, however often, nets
    nothing, and the totals match a recomputation from the surviving check-ins."""
    now = ctx.clock()
    async with ctx.write(user.id) as q:
        habit = await access.own_habit(q, user, habit_id)
        for c in await q.checkins.all_of_habit(habit.id):
            if c.witness is not None and c.deleted_at is None:
                await _withdraw_confirmations(q, c, now)
        earned = [
            e
            for e in await q.ledger.open_habit_entries(habit.id, date.min)
            if e.reason not in PEER_REASONS
        ]
        postings: list[Posting] = [points.taking_back(e, now) for e in earned]
        origins = {e.day: e for e in earned if e.reason == "checkin"}
        values = await q.checkins.day_values(habit.id, date.min, date.max)
        done_days = [r.day for r in day_records(habit, values, frozenset()) if r.done]
        pays = {e.day: False for e in earned if e.reason == "checkin"}
        postings += await _rebalance(q, user.id, habit, pays, now, None)
        balanced_delta = 0
        for day in done_days:
            totals = await q.checkins.add_to_day(user.id, day, habit.category, -1)
            balanced_delta += _balanced_change(totals, habit.category, -1)
            if day in origins:
                postings += await goals.day_done_changed(
                    q, user, habit, day, delta=-1, origin=origins[day], now=now
                )
        await points.post(q, user.id, postings, done=-len(done_days), balanced=balanced_delta)
        await q.habits.delete(habit.id, user.id)


async def _withdraw_confirmations(q: Transaction, checkin: CheckinRecord, now: datetime) -> None:
    """An undone check-in needs no witness: pending requests are cancelled, and confirmed
    ones give back both bonuses."""
    for confirmation in await q.confirmations.for_checkin(checkin.id):
        if confirmation.status == "pending":
            await q.confirmations.set_status(confirmation.id, "cancelled", now)
        elif confirmation.status == "confirmed":
            await q.confirmations.set_status(confirmation.id, "cancelled", now)
            await q.users.bump_counter(confirmation.from_user, "peer_confirmed", -1)
            for user_id in (confirmation.from_user, confirmation.to_user):
                paid = await q.ledger.open_entries(
                    user_id, reasons=PEER_REASONS, checkin_id=checkin.id
                )
                await points.post(q, user_id, [points.taking_back(e, now) for e in paid])


async def list_checkins(
    ctx: Context,
    user: UserRecord,
    habit_id: UUID,
    *,
    first: date | None,
    last: date | None,
    limit: int,
    cursor: str | None,
) -> schemas.CheckInPage:
    after = decode_cursor(cursor, 2) if cursor else None
    async with ctx.read() as q:
        habit = await access.own_habit(q, user, habit_id)
        rows = await q.checkins.of_habit(
            habit.id,
            first=first,
            last=last,
            after=(after[0], after[1]) if after else None,
            limit=limit + 1,
        )
    page, next_cursor = cut(rows, limit, lambda c: encode_cursor(c.day.isoformat(), c.id))
    return schemas.CheckInPage(items=[checkin_view(c) for c in page], next_cursor=next_cursor)
