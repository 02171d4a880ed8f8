"""A typed async client for the Rapport API (httpx + msgspec).

Every method returns the response Struct of ``shared.schemas``; an error answer raises
``ApiError`` carrying the problem details. Pass your own ``httpx.AsyncClient`` (for
example an in-process test client) or let the client open one for ``base_url``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import httpx
import msgspec

from shared import schemas

T = TypeVar("T")
_encoder = msgspec.json.Encoder()


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        problem: schemas.Problem | None,
        body: bytes,
        retry_after: int | None = None,
    ) -> None:
        self.status = status
        self.problem = problem
        self.body = body
        self.retry_after = retry_after
        detail = problem.detail if problem else body[:200].decode(errors="replace")
        super().__init__(f"{status}: {detail}")


class RapportClient:
    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        *,
        token: str | None = None,
        http: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._own_http = http is None
        self.http = http or httpx.AsyncClient(base_url=base_url, timeout=timeout)
        self.token = token

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    async def __aenter__(self) -> RapportClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- plumbing ------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        upload: tuple[bytes, str] | None = None,
    ) -> httpx.Response:
        """``body`` goes as JSON; ``upload`` is a file's bytes and their media type."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        content = None
        if body is not None:
            content = _encoder.encode(body)
            headers["Content-Type"] = "application/json"
        elif upload is not None:
            content, headers["Content-Type"] = upload
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        response = await self.http.request(
            method, path, content=content, params=query, headers=headers
        )
        if response.status_code >= 400:
            problem = None
            with contextlib.suppress(msgspec.DecodeError):
                problem = msgspec.json.decode(response.content, type=schemas.Problem)
            retry = response.headers.get("retry-after")
            raise ApiError(
                response.status_code,
                problem,
                response.content,
                int(retry) if retry and retry.isdigit() else None,
            )
        return response

    async def _call(
        self,
        kind: type[T],
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, Any] | None = None,
        upload: tuple[bytes, str] | None = None,
    ) -> T:
        response = await self.request(method, path, body=body, params=params, upload=upload)
        return msgspec.json.decode(response.content, type=kind)

    # -- auth and profile ----------------------------------------------------------------

    async def register(self, body: schemas.RegisterRequest) -> schemas.AuthResult:
        result = await self._call(schemas.AuthResult, "POST", "/api/v1/auth/register", body=body)
        self.token = result.token
        return result

    async def login(self, handle: str, password: str) -> schemas.AuthResult:
        body = schemas.LoginRequest(handle=handle, password=password)
        result = await self._call(schemas.AuthResult, "POST", "/api/v1/auth/login", body=body)
        self.token = result.token
        return result

    async def logout(self) -> None:
        await self.request("POST", "/api/v1/auth/logout")

    async def me(self) -> schemas.User:
        return await self._call(schemas.User, "GET", "/api/v1/me")

    async def update_me(self, body: schemas.ProfilePatch) -> schemas.User:
        return await self._call(schemas.User, "PATCH", "/api/v1/me", body=body)

    async def delete_me(self) -> None:
        await self.request("DELETE", "/api/v1/me")

    # -- catalog -------------------------------------------------------------------------

    async def catalog_habits(self) -> list[schemas.CatalogHabit]:
        return await self._call(list[schemas.CatalogHabit], "GET", "/api/v1/catalog/habits")

    async def catalog_challenges(self) -> list[schemas.CatalogChallenge]:
        return await self._call(list[schemas.CatalogChallenge], "GET", "/api/v1/catalog/challenges")

    async def rules(self) -> schemas.Rules:
        return await self._call(schemas.Rules, "GET", "/api/v1/catalog/rules")

    # -- habits --------------------------------------------------------------------------

    async def habits(
        self, *, archived: bool | None = False, limit: int = 50, cursor: str | None = None
    ) -> schemas.HabitPage:
        params = {"archived": _flag(archived), "limit": limit, "cursor": cursor}
        return await self._call(schemas.HabitPage, "GET", "/api/v1/habits", params=params)

    async def create_habit(self, body: schemas.HabitCreate) -> schemas.Habit:
        return await self._call(schemas.Habit, "POST", "/api/v1/habits", body=body)

    async def habit(self, habit_id: UUID) -> schemas.Habit:
        return await self._call(schemas.Habit, "GET", f"/api/v1/habits/{habit_id}")

    async def update_habit(self, habit_id: UUID, body: schemas.HabitPatch) -> schemas.Habit:
        return await self._call(schemas.Habit, "PATCH", f"/api/v1/habits/{habit_id}", body=body)

    async def delete_habit(self, habit_id: UUID) -> None:
        await self.request("DELETE", f"/api/v1/habits/{habit_id}")

    async def today(self, day: date | None = None) -> schemas.Today:
        """Today's list, or that of ``day`` within the server's backdating window."""
        params = {"day": day.isoformat()} if day is not None else None
        return await self._call(schemas.Today, "GET", "/api/v1/today", params=params)

    async def stats(self, habit_id: UUID) -> schemas.HabitStats:
        return await self._call(schemas.HabitStats, "GET", f"/api/v1/habits/{habit_id}/stats")

    async def calendar(
        self, habit_id: UUID, first: date | None = None, last: date | None = None
    ) -> list[schemas.CalendarDay]:
        return await self._call(
            list[schemas.CalendarDay],
            "GET",
            f"/api/v1/habits/{habit_id}/calendar",
            params={"from": first, "to": last},
        )

    # -- check-ins -----------------------------------------------------------------------

    async def check_in(
        self, habit_id: UUID, body: schemas.CheckInCreate | None = None
    ) -> schemas.CheckInResult:
        return await self._call(
            schemas.CheckInResult,
            "POST",
            f"/api/v1/habits/{habit_id}/checkins",
            body=body or schemas.CheckInCreate(),
        )

    async def checkins(
        self,
        habit_id: UUID,
        *,
        first: date | None = None,
        last: date | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> schemas.CheckInPage:
        params = {"from": first, "to": last, "limit": limit, "cursor": cursor}
        return await self._call(
            schemas.CheckInPage, "GET", f"/api/v1/habits/{habit_id}/checkins", params=params
        )

    async def undo(self, habit_id: UUID, checkin_id: UUID) -> None:
        await self.request("DELETE", f"/api/v1/habits/{habit_id}/checkins/{checkin_id}")

    # -- points, badges, balance ---------------------------------------------------------

    async def points(
        self,
        *,
        first: date | None = None,
        last: date | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> schemas.LedgerPage:
        params = {"from": first, "to": last, "limit": limit, "cursor": cursor}
        return await self._call(schemas.LedgerPage, "GET", "/api/v1/me/points", params=params)

    async def badges(self) -> list[schemas.EarnedBadge]:
        return await self._call(list[schemas.EarnedBadge], "GET", "/api/v1/me/badges")

    async def balance(self) -> schemas.BalanceReport:
        return await self._call(schemas.BalanceReport, "GET", "/api/v1/me/balance")

    # -- teams, challenges, confirmations ------------------------------------------------

    async def teams(self) -> list[schemas.Team]:
        return await self._call(list[schemas.Team], "GET", "/api/v1/teams")

    async def team(self, team_id: UUID) -> schemas.Team:
        """A team with its first page of members (members only)."""
        return await self._call(schemas.Team, "GET", f"/api/v1/teams/{team_id}")

    async def members(
        self, team_id: UUID, *, limit: int = 200, cursor: str | None = None
    ) -> schemas.MemberPage:
        params: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        return await self._call(
            schemas.MemberPage, "GET", f"/api/v1/teams/{team_id}/members", params=params
        )

    async def create_team(self, body: schemas.TeamCreate) -> schemas.Team:
        return await self._call(schemas.Team, "POST", "/api/v1/teams", body=body)

    async def create_invite(
        self, team_id: UUID, body: schemas.InviteCreate | None = None
    ) -> schemas.Invite:
        return await self._call(
            schemas.Invite,
            "POST",
            f"/api/v1/teams/{team_id}/invites",
            body=body or schemas.InviteCreate(),
        )

    async def join_team(self, code: str) -> schemas.Membership:
        body = schemas.JoinRequest(code=code)
        return await self._call(schemas.Membership, "POST", "/api/v1/teams/join", body=body)

    async def team_board(
        self,
        team_id: UUID,
        *,
        period: schemas.BoardPeriod = "week",
        view: str = "page",
        limit: int = 50,
        cursor: str | None = None,
    ) -> schemas.Leaderboard:
        params = {"period": period, "view": view, "limit": limit, "cursor": cursor}
        return await self._call(
            schemas.Leaderboard, "GET", f"/api/v1/teams/{team_id}/leaderboard", params=params
        )

    async def challenges(
        self, *, status: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> schemas.ChallengePage:
        params = {"status": status, "limit": limit, "cursor": cursor}
        return await self._call(schemas.ChallengePage, "GET", "/api/v1/challenges", params=params)

    async def create_challenge(self, body: schemas.ChallengeCreate) -> schemas.Challenge:
        return await self._call(schemas.Challenge, "POST", "/api/v1/challenges", body=body)

    async def join_challenge(self, challenge_id: UUID) -> schemas.Challenge:
        return await self._call(
            schemas.Challenge, "POST", f"/api/v1/challenges/{challenge_id}/join"
        )

    async def leave_challenge(self, challenge_id: UUID) -> schemas.Challenge:
        return await self._call(
            schemas.Challenge, "POST", f"/api/v1/challenges/{challenge_id}/leave"
        )

    async def challenge_board(
        self,
        challenge_id: UUID,
        *,
        view: str = "page",
        limit: int = 50,
        cursor: str | None = None,
    ) -> schemas.Leaderboard:
        return await self._call(
            schemas.Leaderboard,
            "GET",
            f"/api/v1/challenges/{challenge_id}/leaderboard",
            params={"view": view, "limit": limit, "cursor": cursor},
        )

    async def confirmations(self) -> list[schemas.PendingConfirmation]:
        return await self._call(list[schemas.PendingConfirmation], "GET", "/api/v1/confirmations")

    async def decide_confirmation(
        self, confirmation_id: UUID, confirm: bool
    ) -> schemas.ConfirmationOutcome:
        return await self._call(
            schemas.ConfirmationOutcome,
            "POST",
            f"/api/v1/confirmations/{confirmation_id}",
            body=schemas.ConfirmationDecision(confirm=confirm),
        )

    async def health(self) -> schemas.Health:
        return await self._call(schemas.Health, "GET", "/health")

    async def reminders(self, days: int = 2) -> list[schemas.UpcomingReminder]:
        """The reminders that ring from now through the next ``days`` days (1-14)."""
        return await self._call(
            list[schemas.UpcomingReminder], "GET", "/api/v1/me/reminders", params={"days": days}
        )

    async def breaks(self, habit_id: UUID | None = None) -> list[schemas.Break]:
        """A habit's planned breaks, or (None) all of the caller's."""
        path = "/api/v1/me/breaks" if habit_id is None else f"/api/v1/habits/{habit_id}/breaks"
        return await self._call(list[schemas.Break], "GET", path)

    async def add_break(self, habit_id: UUID | None, body: schemas.BreakCreate) -> schemas.Break:
        """Pause a habit (None: every habit) on the days ``body`` names."""
        path = "/api/v1/me/breaks" if habit_id is None else f"/api/v1/habits/{habit_id}/breaks"
        return await self._call(schemas.Break, "POST", path, body=body)

    async def end_break(self, break_id: UUID) -> None:
        """End a break today (the days behind stay a break)."""
        await self.request("DELETE", f"/api/v1/me/breaks/{break_id}")

    # -- moving data in and out ----------------------------------------------------------

    async def export(self) -> schemas.RapportExport:
        return await self._call(schemas.RapportExport, "GET", "/api/v1/me/export")

    async def start_import(
        self, data: bytes, media_type: str, *, category: schemas.Category | None = None
    ) -> schemas.ImportJob:
        """Upload a file to import (Rapport JSON, Loop ZIP or .db, Habitica JSON): the job."""
        return await self._call(
            schemas.ImportJob, "POST", "/api/v1/me/imports",
            params={"category": category}, upload=(data, media_type),
        )  # fmt: skip

    async def import_job(self, job_id: str) -> schemas.ImportJob:
        return await self._call(schemas.ImportJob, "GET", f"/api/v1/me/imports/{job_id}")

    async def import_jobs(self) -> list[schemas.ImportJob]:
        return await self._call(list[schemas.ImportJob], "GET", "/api/v1/me/imports")

    async def import_file(
        self,
        data: bytes,
        media_type: str,
        *,
        category: schemas.Category | None = None,
        poll_s: float = 0.2,
        on_progress: Callable[[schemas.ImportJob], object] | None = None,
    ) -> schemas.ImportJob:
        """Upload a file and wait for its job to finish (done or failed)."""
        job = await self.start_import(data, media_type, category=category)
        while job.state not in ("done", "failed"):
            if on_progress is not None:
                on_progress(job)
            await asyncio.sleep(poll_s)
            job = await self.import_job(job.id)
        return job


def _flag(value: bool | None) -> str | None:
    return None if value is None else str(value).lower()
