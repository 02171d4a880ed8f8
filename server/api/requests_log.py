"""Every request gets an id and one access-log line.

- **Request id.** A client's ``X-Request-ID`` (up to 64 letters, digits, ``.``, ``_``, ``-``)
  is kept, anything else replaced by a fresh one; it goes back in the ``X-Request-ID``
  header of the answer and in every problem detail (``request_id``), and into the log
  line, so a user's report can be found in the logs.
- **Access log** (logger ``rapport.access``, at info): method, route template, status,
  duration in ms, and a hash of the user's id (never a token or a password). With
  ``--log-format json`` every log line of the server is one JSON object
  (``server/logs.py``).
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import re
import time
import uuid
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Send

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "rapport_request_id", default=None
)
_GIVEN = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access = logging.getLogger("rapport.access")


def user_hash(user_id: str) -> str:
    """A stable pseudonym for a user in logs: the same user, the same 12 hex digits."""
    return hashlib.sha256(user_id.encode()).hexdigest()[:12]


class RequestLog:
    """ASGI middleware, outermost: it sees every request, router 404s included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _GIVEN.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            REQUEST_ID.reset(token)
            user: Any = scope.get("user")
            access.info(
                "%s %s %s", scope["method"], scope.get("path_template") or "-", status,
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "route": scope.get("path_template") or None,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "user": user_hash(user.id) if getattr(user, "id", None) else None,
                },
            )  # fmt: skip
