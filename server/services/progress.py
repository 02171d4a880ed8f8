"""The user's progress beyond single habits: the points ledger, badges and balance."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from server.domain import balance
from server.services.context import Context
from server.services.errors import Invalid
from server.services.habits import today_for
from server.services.paging import cut, decode_cursor, encode_cursor
from server.store.records import LedgerRecord, UserRecord
from shared import schemas


def ledger_entry_view(e: LedgerRecord) -> schemas.LedgerEntry:
    return schemas.LedgerEntry(
        id=UUID(e.id),
        at=e.at,
        day=e.day,
        amount=e.amount,
        reason=e.reason,
        habit_id=UUID(e.habit_id) if e.habit_id else None,
        checkin_id=UUID(e.checkin_id) if e.checkin_id else None,
        challenge_id=UUID(e.challenge_id) if e.challenge_id else None,
    )


async def ledger(
    ctx: Context,
    user: UserRecord,
    *,
    first: date | None,
    last: date | None,
    limit: int,
    cursor: str | None,
) -> schemas.LedgerPage:
    if first and last and first > last:
        raise Invalid("'from' is after 'to'", field="from")
    after = decode_cursor(cursor, 1)[0] if cursor else None
    async with ctx.read() as q:
        rows = await q.ledger.page(user.id, first=first, last=last, after=after, limit=limit + 1)
    page, next_cursor = cut(rows, limit, lambda e: encode_cursor(e.id))
    return schemas.LedgerPage(items=[ledger_entry_view(e) for e in page], next_cursor=next_cursor)


async def earned_badges(ctx: Context, user: UserRecord) -> list[schemas.EarnedBadge]:
    async with ctx.read() as q:
        held = await q.ledger.badges(user.id)
    views = []
    for badge in held:
        definition = ctx.catalog.badge(badge.slug)
        views.append(
            schemas.EarnedBadge(
                slug=badge.slug,
                title=definition.title if definition else badge.slug,
                description=definition.description if definition else "",
                earned_at=badge.earned_at,
            )
        )
    return views


async def balance_report(ctx: Context, user: UserRecord) -> schemas.BalanceReport:
    today = today_for(ctx, user)
    async with ctx.read() as q:
        week = await q.checkins.totals_since(user.id, today - timedelta(days=6), today)
        month = await q.checkins.totals_since(user.id, today - timedelta(days=27), today)

    def window(results: int, relationships: int) -> schemas.BalanceWindow:
        r, rel, ratio = balance.meter(results=results, relationships=relationships)
        return schemas.BalanceWindow(results=r, relationships=rel, ratio=ratio)

    return schemas.BalanceReport(
        last_7_days=window(week.results, week.relationships),
        last_28_days=window(month.results, month.relationships),
    )
