"""The notification worker: runs in each server process, every ``notify_interval_s``.

Each ``tick``:

1. **Reminders.** Habits whose next reminder is due (``habits.next_ring_at``) are looked at
   again with their owner's current zone, day start and quiet hours: a reminder whose moment
   has come (at most 30 minutes ago) on a day that still asks for the habit is queued, once
   (a unique key per habit, day and time), then the habit's next moment is stored.
2. **Streaks at risk**, the same way per user (``users.next_nudge_at``): some hours before
   the user's day ends, one nudge per habit whose streak of 3+ would be lost tonight.
3. **Weekly boards**: in the first day of a team's week, last week's board to the team's
   webhooks that want it.
Delivery runs in a loop of its own, so slow receivers never hold back the reminders:
pending messages whose time has come are claimed (another instance leaves them alone) and
sent, webhooks signed as Standard Webhooks say, Web Push encrypted with the server's VAPID
key. Each attempt is logged; a failure is retried with backoff and jitter
(``domain/delivery.py``).

A reminder is recorded as one "live" row whose unique key stands for the reminder itself;
webhook and push messages are queued with it in the same transaction only when that key
was new, and the live event goes to connected clients once that transaction has
committed. Two instances, or a restart, cannot ring it twice. A message that was sent but
whose result was not stored (the process died between the two) is sent again with the
same ``webhook-id``, which receivers use to drop repeats.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import httpx
import msgspec
from py_vapid import Vapid02  # type: ignore[import-untyped]
from standardwebhooks import Webhook

from server import metrics
from server.domain import delivery, reminders
from server.domain.calendar import local_day, zone
from server.ids import new_id
from server.services import habits as habit_rules
from server.services import notifications, teams, webpush
from server.services.context import Context
from server.services.outbound import Outbound, Refused
from server.services.reminders import asking_days, quiet_hours_of
from server.store.records import DeliveryRecord, HabitRecord, OutboxRecord
from server.store.transaction import Transaction

log = logging.getLogger("rapport.notify")
T = TypeVar("T")

BATCH = 200  # habits, users or messages looked at per step of a tick
MAX_ROUNDS = 500  # batches of one step in one tick, at most (100,000 things)
SENDING = 64  # messages in flight at once
CLAIM = timedelta(minutes=2)  # how long a claimed message is another instance's to leave
KEEP_FINISHED = timedelta(days=7)
MIN_PAUSE_S = 1.0
IDLE_S = 60.0  # the scheduler with nothing planned (the interval caps it)
SEND_POLL_S = 2.0  # the sender looks for messages other requests queued this often
AT_ONCE = 16  # habits or users worked on at once
HINT_DAYS = 8  # a habit due only on some weekdays still rings within a week


@dataclass(frozen=True)
class Outcome:
    message: OutboxRecord  # its new state
    attempt: DeliveryRecord  # the attempt, for the log
    gone: bool  # a push subscription the push service no longer knows


class Worker:
    def __init__(
        self, ctx: Context, outbound: Outbound, draw: Callable[[], float] = random.random
    ) -> None:
        self.ctx = ctx
        self.outbound = outbound
        self.draw = draw
        self._tasks: list[asyncio.Task[None]] = []
        self._queued = asyncio.Event()  # the scheduler queued messages: deliver now
        self._vapid: Vapid02 | None = None

    # -- running ------------------------------------------------------------------------

    def start(self, interval_s: float) -> None:
        self._tasks = [
            asyncio.create_task(self._loop(self.schedule, interval_s), name="rapport-ring"),
            asyncio.create_task(self._loop(self.send, interval_s), name="rapport-send"),
        ]

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.outbound.close()

    async def _loop(self, work: Callable[[], Awaitable[float]], interval_s: float) -> None:
        """Run ``work`` again and again; it says how long to wait (at most ``interval_s``,
        which also bounds how late a change made by another instance is noticed)."""
        while True:
            try:
                wait = min(interval_s, await work())
            except asyncio.CancelledError:
                raise
            except Exception:  # one bad pass must not end the worker
                log.exception("notification pass failed")
                wait = interval_s
            if work == self.send:
                self._queued.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._queued.wait(), wait)
            else:
                await asyncio.sleep(wait)

    async def tick(self) -> None:
        """One pass of each loop (the tests' way to run the worker on a fake clock)."""
        await self.schedule()
        await self.send()

    async def schedule(self) -> float:
        """Ring what is due, a batch at a time until nothing more is (so a minute at which
        thousands of reminders ring is worked off in that minute); how long to wait."""
        for step in (self.ring_reminders, self.nudge_streaks, self.weekly_boards):
            for _ in range(MAX_ROUNDS):
                if await step(self.ctx.clock()) < BATCH:
                    break
        async with self.ctx.write() as q:
            await q.notifications.forget_finished(self.ctx.clock() - KEEP_FINISHED)
        now = self.ctx.clock()
        async with self.ctx.read() as q:
            due = await q.notifications.next_due(now)
        return self._until(due, now, IDLE_S)

    async def send(self) -> float:
        """Deliver what is due, a batch at a time; how long to wait."""
        for _ in range(MAX_ROUNDS):
            if await self.deliver(self.ctx.clock()) < BATCH:
                break
        now = self.ctx.clock()
        async with self.ctx.read() as q:
            due = await q.notifications.next_attempt(now)
        return self._until(due, now, SEND_POLL_S)

    @staticmethod
    def _until(due: datetime | None, now: datetime, longest: float) -> float:
        if due is None:
            return longest
        return min(longest, max(MIN_PAUSE_S, (due - now).total_seconds()))

    async def _each(self, items: Sequence[T], work: Callable[[T], Awaitable[None]]) -> None:
        """``work`` on each item, a few at a time: each is a transaction of its own (one
        user's), and SQLite commits those that end together with one flush."""
        gate = asyncio.Semaphore(AT_ONCE)

        async def one(item: T) -> None:
            async with gate:
                await work(item)

        await asyncio.gather(*(one(item) for item in items))

    def _announce(self, live: list[tuple[str, str]]) -> None:
        """After the commit: live events to connected clients; wake the sender."""
        for user_id, payload in live:
            if self.ctx.publisher is not None:
                self.ctx.publisher.publish(payload.encode(), f"user:{user_id}")
        if live:
            self._queued.set()

    # -- reminders ----------------------------------------------------------------------

    async def ring_reminders(self, now: datetime) -> int:
        """Look at a batch of habits whose reminders may ring; how many."""
        async with self.ctx.read() as q:
            candidates = await q.notifications.ring_candidates(now, BATCH)
        await self._each(candidates, lambda c: self._ring(c[0], c[1], now))
        return len(candidates)

    async def _ring(self, user_id: str, habit_id: str, now: datetime) -> None:
        """Ring what is due of one habit and store when it rings next, from the habit and
        its owner's settings as they are inside this transaction (an edit or a move to
        another zone a moment ago counts)."""
        live: list[tuple[str, str]] = []
        async with self.ctx.write(user_id) as q:
            habit = await q.habits.get(user_id, habit_id)
            user = await q.users.by_id(user_id)
            if habit is None or user is None or habit.archived:
                return
            quiet = quiet_hours_of(user.quiet_start, user.quiet_end)
            today = local_day(now, user.timezone, user.day_start_hour)
            days = [today + timedelta(days=n) for n in range(-1, HINT_DAYS)]
            times = msgspec.json.decode(habit.reminders, type=list[str])
            rings = reminders.rings(days, times, user.timezone, user.day_start_hour, quiet)
            ringing = [r for r in rings if r.at <= now and not reminders.is_late(r.at, now)]
            if ringing:
                first, last = min(r.day for r in ringing), max(r.day for r in ringing)
                asking = (await asking_days(q, user_id, [habit], first, last))[habit.id]
                for ring in ringing:
                    if ring.day in asking:
                        live += await self._queue_reminder(q, habit, ring, now)
            following = min((r.at for r in rings if r.at > now), default=now + timedelta(days=1))
            await q.notifications.set_next_ring(habit.id, following)
        self._announce(live)

    async def _queue_reminder(
        self, q: Transaction, habit: HabitRecord, ring: reminders.Ring, now: datetime
    ) -> list[tuple[str, str]]:
        key = f"{habit.id}:{ring.day.isoformat()}:{ring.local_time}"
        data = {
            "habit_id": habit.id, "title": habit.title, "day": ring.day.isoformat(),
            "local_time": ring.local_time, "at": ring.at.isoformat(),
        }  # fmt: skip
        shown = {**data, "body": f"Time for {habit.title} ({ring.local_time})"}
        return await self._queue(q, habit.user_id, "habit.reminder", "reminder", key, data,
                                 now, push=shown)  # fmt: skip

    async def _queue(
        self, q: Transaction, user_id: str, event: str, live: str, key: str, data: dict[str, Any],
        now: datetime, *, push: dict[str, Any],
    ) -> list[tuple[str, str]]:  # fmt: skip
        """Record the event once (its live row, whose key stands for it); only when it is
        new are the webhook and push messages queued. The live event to send after the
        commit, if any."""
        payload = msgspec.json.encode({"event": live, "id": data["habit_id"], **data}).decode()
        first = notifications.message(f"{event}:{key}", "live", user_id, event, payload, now,
                                      user_id=user_id)  # fmt: skip
        first.state, first.finished_at = "sent", now
        if not await q.notifications.enqueue(first):
            return []
        await notifications.emit(q, user_id, event, key, data, now, push=push)
        return [(user_id, payload)]

    # -- streaks at risk ----------------------------------------------------------------

    async def nudge_streaks(self, now: datetime) -> int:
        """Look at a batch of users whose streak nudge may be due; how many."""
        async with self.ctx.read() as q:
            users = await q.notifications.nudge_candidates(now, BATCH)
        lead = timedelta(hours=self.ctx.settings.streak_risk_hours)
        await self._each(users, lambda user_id: self._nudge(user_id, now, lead))
        return len(users)

    async def _nudge(self, user_id: str, now: datetime, lead: timedelta) -> None:
        live: list[tuple[str, str]] = []
        async with self.ctx.write(user_id) as q:
            user = await q.users.by_id(user_id)
            if user is None:
                return
            today = local_day(now, user.timezone, user.day_start_hour)

            def moment(day: date) -> datetime:
                return delivery.day_end(day, user.timezone, user.day_start_hour) - lead

            quiet = quiet_hours_of(user.quiet_start, user.quiet_end)
            at = moment(today)
            local = at.astimezone(zone(user.timezone)).time().replace(tzinfo=None)
            due = at <= now and not reminders.is_late(at, now)
            if user.streak_at_risk and due and (quiet is None or not quiet.contains(local)):
                active = await q.habits.of_user(user.id, archived=False)
                for habit, streak in await habit_rules.streaks_at_risk(q, active, today):
                    data = {
                        "habit_id": habit.id, "title": habit.title, "day": today.isoformat(),
                        "streak": streak, "at": at.isoformat(),
                    }  # fmt: skip
                    shown = {
                        **data, "title": "Streak at risk",
                        "body": f"Your streak of {streak} for {habit.title} ends tonight",
                    }  # fmt: skip
                    key = f"{habit.id}:{today.isoformat()}"
                    live += await self._queue(q, user.id, "streak.at_risk", "streak_at_risk",
                                              key, data, now, push=shown)  # fmt: skip
            following = at if at > now else moment(today + timedelta(days=1))
            await q.notifications.set_next_nudge(user.id, following)
        self._announce(live)

    # -- weekly team boards -------------------------------------------------------------

    async def weekly_boards(self, now: datetime) -> int:
        """Queue last week's board for each team with a webhook, once; all in one pass
        (so it answers 0: no further batch)."""
        async with self.ctx.read() as q:
            found = await q.notifications.teams_with_webhooks()
        for team in found:
            monday = delivery.week_begun(now, team.timezone)
            began = datetime.combine(monday, datetime.min.time(), tzinfo=zone(team.timezone))
            if now - began > timedelta(days=1):
                continue  # the week is a day old: last week's board is old news
            last_week = monday - timedelta(days=7)
            key = f"{team.id}:{last_week.isoformat()}"
            async with self.ctx.read() as q:
                if await q.notifications.queued(f"team.board.weekly:{key}"):
                    continue
            async with self.ctx.write() as q:
                # The marker stands for the summary, as a live message does for a reminder.
                marker = notifications.message(
                    f"team.board.weekly:{key}", "mark", team.id, "team.board.weekly", "{}",
                    now, team_id=team.id,
                )  # fmt: skip
                marker.state = "sent"
                marker.finished_at = now
                if await q.notifications.enqueue(marker):
                    summary = await teams.weekly_board(q, team, last_week)
                    await notifications.emit_team(q, team.id, "team.board.weekly", key,
                                                  summary, now)  # fmt: skip
            self._queued.set()
        return 0

    # -- delivery -----------------------------------------------------------------------

    async def deliver(self, now: datetime) -> int:
        """Send a batch of what is due; how many messages were looked at. The results of
        the batch are stored together, in one transaction, for the messages this worker
        still holds (one deleted meanwhile, or claimed again by another instance after
        the claim ran out, is left alone)."""
        async with self.ctx.read() as q:
            due = await q.notifications.due(now, BATCH, delivery.PER_TARGET_IN_BATCH)
        mine = []
        held = now + CLAIM
        async with self.ctx.write() as q:
            for message in due:
                if await q.notifications.claim(message.id, now, held):
                    mine.append(message)
        gate = asyncio.Semaphore(SENDING)

        async def one(message: OutboxRecord) -> Outcome:
            async with gate:
                return await self._attempt(message)

        outcomes = await asyncio.gather(*(one(m) for m in mine))
        if outcomes:
            async with self.ctx.write() as q:
                for outcome in outcomes:
                    if not await q.notifications.settle(outcome.message, held):
                        continue
                    if outcome.attempt is not None:
                        await q.notifications.log(outcome.attempt)
                    if outcome.gone:
                        await q.notifications.delete_push(outcome.message.target_id)
                    elif outcome.message.state == "pending":  # failed; tried again later
                        await q.notifications.postpone_target(
                            outcome.message.target_id, outcome.message.next_attempt_at, now
                        )
        return len(due)

    async def _attempt(self, message: OutboxRecord) -> Outcome:
        """Try to send one message; what became of it (stored by ``deliver``). Never
        raises: whatever goes wrong is this message's failure, not the batch's."""
        status: int | None = None
        error: str | None = None
        final = gone = False
        try:
            status, gone = await self._send(message)
        except Refused as why:
            final, error = True, f"refused: {why}"
        except (httpx.HTTPError, TimeoutError, OSError) as failure:
            error = f"{type(failure).__name__}: {failure}"[:300]
        except Exception as failure:  # a bug or a target that can never work: give up
            log.exception("delivery of %s %s failed", message.channel, message.id)
            final, error = True, f"failed: {type(failure).__name__}"
        now = self.ctx.clock()
        sent = status is not None and delivery.succeeded(status)
        if status is not None and not sent:
            error = f"answered {status}"
        message.attempts += 1
        if sent or gone or final or delivery.gives_up(message.attempts):
            message.state = "sent" if sent else "failed"
            message.finished_at = now
        else:
            message.next_attempt_at = now + delivery.backoff(message.attempts, self.draw())
        result = "retry" if message.state == "pending" else message.state
        metrics.DELIVERIES.labels(message.channel, result).inc()
        if not sent:
            log.info("delivery %s of %s to %s failed: %s", message.attempts, message.event,
                     message.channel, error)  # fmt: skip
        attempt = DeliveryRecord(
            id=new_id(), message_id=message.id, target_id=message.target_id,
            event=message.event, attempt=message.attempts, status_code=status, error=error,
            at=now,
        )  # fmt: skip
        return Outcome(message, attempt, gone and message.channel == "push")

    async def _send(self, message: OutboxRecord) -> tuple[int, bool]:
        """(status, the target is gone for good)."""
        now = self.ctx.clock()
        if message.channel == "webhook":
            async with self.ctx.read() as q:
                hook = await q.notifications.webhook(message.target_id)
            if hook is None:
                raise Refused("the webhook was deleted")
            signed = Webhook(hook.secret).sign(message.id, now, message.payload)
            headers = {
                "content-type": "application/json",
                "user-agent": "Rapport-Webhooks/1.0",
                "webhook-id": message.id,
                "webhook-timestamp": str(int(now.timestamp())),
                "webhook-signature": signed,
            }
            answer = await self.outbound.post(hook.url, message.payload.encode(), headers)
            return answer.status_code, False
        async with self.ctx.read() as q:
            sub = await q.notifications.push(message.target_id)
        if sub is None:
            raise Refused("the push subscription was deleted")
        if self._vapid is None:
            self._vapid = await webpush.vapid_key(self.ctx)
        subject = self.ctx.settings.vapid_subject
        body, headers = await asyncio.to_thread(
            webpush.sealed, self._vapid, sub, message.payload.encode(), subject, now
        )
        answer = await self.outbound.post(sub.endpoint, body, headers)
        return answer.status_code, delivery.push_gone(answer.status_code)
