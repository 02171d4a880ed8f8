"""Accounts: register, log in and out, authenticate a bearer token, edit or delete a profile."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from datetime import timedelta
from uuid import UUID

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.domain import levels, roles
from server.domain.calendar import UnknownTimeZone, iana_names, zone
from server.ids import new_id
from server.services.context import Context
from server.services.errors import Conflict, Invalid, RateLimited, Unauthenticated
from server.services.limits import Limiter, Limits, take
from server.services.text import named
from server.store.records import UserRecord
from server.store.transaction import Transaction
from shared import schemas

TOKEN_PREFIX = "rpt_"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_time_zone(name: str) -> str:
    """An IANA zone name a person can mean (``Europe/Berlin``), or 422."""
    if name not in iana_names():
        raise Invalid(f"unknown time zone {name!r}: use an IANA name", field="timezone")
    try:
        zone(name)
    except UnknownTimeZone as exc:
        raise Invalid(f"unknown time zone {name!r}", field="timezone") from exc
    return name


def notifications_of(user: UserRecord) -> schemas.Notifications:
    quiet = None
    if user.quiet_start is not None and user.quiet_end is not None:
        quiet = schemas.QuietHours(start=user.quiet_start, end=user.quiet_end)
    return schemas.Notifications(streak_at_risk=user.streak_at_risk, quiet_hours=quiet)


async def user_view(ctx: Context, q: Transaction, user: UserRecord) -> schemas.User:
    level = levels.level_for_xp(user.xp)
    return schemas.User(
        id=UUID(user.id),
        handle=user.handle,
        display_name=user.display_name,
        timezone=user.timezone,
        day_start_hour=user.day_start_hour,
        level=level,
        xp=user.xp,
        level_xp=levels.xp_for_level(level),
        next_level_xp=levels.xp_for_level(level + 1),
        points=user.points,
        streak_freezes=await q.habits.total_held_freezes(user.id),
        created_at=user.created_at,
        hidden_on_boards=user.hidden_on_boards,
        notifications=notifications_of(user),
    )


async def _issue_token(ctx: Context, q: Transaction, user: UserRecord) -> schemas.AuthResult:
    now = ctx.clock()
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = now + timedelta(days=ctx.settings.token_ttl_days)
    await q.users.insert_token(token_digest(token), user.id, now, expires)
    return schemas.AuthResult(user=await user_view(ctx, q, user), token=token, expires_at=expires)


async def register(
    ctx: Context,
    body: schemas.RegisterRequest,
    *,
    hasher: PasswordHasher,
    limits: Limits,
    client: str | None = None,
) -> schemas.AuthResult:
    if client:
        await take(limits.registrations, f"client:{client}", "new accounts from here", ctx.clock())
    check_time_zone(body.timezone)
    password_hash = await asyncio.to_thread(hasher.hash, body.password)
    user = UserRecord(
        id=new_id(),
        handle=body.handle,
        display_name=named(body.display_name, "display_name") if body.display_name else body.handle,
        password_hash=password_hash,
        timezone=body.timezone,
        day_start_hour=body.day_start_hour,
        points=0,
        xp=0,
        total_done=0,
        balanced_days=0,
        created_at=ctx.clock(),
    )
    async with ctx.write() as q:
        if not await q.users.insert(user):
            raise Conflict(f"handle {body.handle!r} is taken", field="handle")
        return await _issue_token(ctx, q, user)


# Verified when the handle is unknown, so both failures take the same time.
_DUMMY_HASH: str | None = None


async def login(
    ctx: Context,
    body: schemas.LoginRequest,
    *,
    hasher: PasswordHasher,
    limits: Limits,
    client: str | None,
) -> schemas.AuthResult:
    now = ctx.clock()
    handle = body.handle.lower()
    address = client or "unknown"
    pair = f"{handle}|{address}"
    # Every try is counted before the password is checked, so guesses sent at once cannot
    # outrun the limits; a try that succeeds is given back.
    tries = (
        (limits.login_pairs, pair),
        (limits.login_addresses, address),
        (limits.login_handles, handle),
    )
    counted: list[tuple[Limiter, str]] = []
    for limiter, key in tries:
        waited = await limiter.take(key, now)
        if waited is not None:
            for taken, taken_key in counted:
                await taken.give_back(taken_key, now)
            raise RateLimited("too many failed logins; try again later", retry_after=waited)
        counted.append((limiter, key))
    async with ctx.read() as q:
        user = await q.users.by_handle(body.handle)
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = await asyncio.to_thread(hasher.hash, secrets.token_hex(16))
    stored = user.password_hash if user else _DUMMY_HASH
    try:
        ok: bool = await asyncio.to_thread(hasher.verify, stored, body.password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        raise Unauthenticated("wrong handle or password")
    await limits.login_pairs.forget(pair)
    for limiter, key in tries[1:]:
        await limiter.give_back(key, now)
    async with ctx.write() as q:
        return await _issue_token(ctx, q, user)


async def authenticate(ctx: Context, token: str) -> UserRecord | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    async with ctx.read(snapshot=False) as q:  # every request asks: one statement
        return await q.users.for_token(token_digest(token), ctx.clock())


async def logout(ctx: Context, token: str) -> None:
    async with ctx.write() as q:
        await q.users.revoke_token(token_digest(token), ctx.clock())


async def profile(ctx: Context, user: UserRecord) -> schemas.User:
    async with ctx.read() as q:
        return await user_view(ctx, q, user)


async def update_profile(
    ctx: Context, user: UserRecord, body: schemas.ProfilePatch
) -> schemas.User:
    if body.timezone is not msgspec.UNSET:
        check_time_zone(body.timezone)
    async with ctx.write(user.id) as q:
        current = await q.users.by_id(user.id)
        if current is None:
            raise Unauthenticated("account no longer exists")
        if body.display_name is not msgspec.UNSET:
            current.display_name = named(body.display_name, "display_name")
        if body.timezone is not msgspec.UNSET:
            current.timezone = body.timezone
        if body.day_start_hour is not msgspec.UNSET:
            current.day_start_hour = body.day_start_hour
        await q.users.update_profile(
            user.id, current.display_name, current.timezone, current.day_start_hour
        )
        if (
            body.hidden_on_boards is not msgspec.UNSET
            and body.hidden_on_boards != current.hidden_on_boards
        ):
            current.hidden_on_boards = body.hidden_on_boards
            await q.users.set_hidden_on_boards(user.id, current.hidden_on_boards)
        if body.notifications is not msgspec.UNSET:
            quiet = body.notifications.quiet_hours
            if quiet is not None and quiet.start == quiet.end:
                raise Invalid("quiet hours must start and end at different times",
                              field="notifications")  # fmt: skip
            current.quiet_start = quiet.start if quiet else None
            current.quiet_end = quiet.end if quiet else None
            current.streak_at_risk = body.notifications.streak_at_risk
            await q.users.set_notifications(
                user.id, current.quiet_start, current.quiet_end, current.streak_at_risk
            )
        if (
            body.timezone is not msgspec.UNSET
            or body.day_start_hour is not msgspec.UNSET
            or (body.notifications is not msgspec.UNSET)
        ):
            # When reminders and nudges ring depends on these: the worker works it out again.
            await q.notifications.rewake(user.id)
        return await user_view(ctx, q, current)


async def delete_account(ctx: Context, user: UserRecord) -> None:
    """Delete the user and everything of theirs. Their teams and challenges count them out
    first: an owner's team passes to its longest-standing admin (or member), and a team
    they were the last member of is deleted."""
    async with ctx.write(user.id) as q:
        for team, me in await q.teams.teams_of(user.id):
            if team.member_count <= 1:
                await q.teams.delete(team.id)
                continue
            if me.role == "owner":
                others = {
                    m.user_id: m
                    for m in await q.teams.members(team.id, limit=10_000)
                    if m.user_id != user.id
                }
                heir = others[
                    roles.successor((m.role, m.joined_at, m.user_id) for m in others.values())
                ]
                await q.teams.set_member(team.id, heir.user_id, role="owner", hidden=heir.hidden)
            await q.teams.remove_member(team.id, user.id)
        for challenge_id in await q.challenges.participations(user.id):
            await q.challenges.leave(challenge_id, user.id)
        await q.users.delete(user.id)
