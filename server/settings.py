"""Service settings: one Struct, read from ``RAPPORT_*`` environment variables.

Every field ``name`` is set by ``RAPPORT_<NAME>`` (upper case); command-line flags of
``rapport-server`` override the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from msgspec import Meta


def default_database() -> str:
    """``$XDG_DATA_HOME/rapport/rapport.db`` (``~/.local/share/...`` when unset)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "rapport" / "rapport.db")


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    host: str = "127.0.0.1"
    port: Annotated[int, Meta(ge=0, le=65535)] = 8000
    # Addresses of reverse proxies whose X-Forwarded-For names the client (comma-separated,
    # e.g. "127.0.0.1,10.0.0.2"); empty: the peer is the client. Behind a proxy this must be
    # set, or every client shares the proxy's address and its per-address limits.
    trusted_proxies: str = ""
    database: str = msgspec.field(default_factory=default_database)
    # How many days before today a check-in or undo may still be logged.
    backdate_days: Annotated[int, Meta(ge=0, le=7)] = 1
    token_ttl_days: Annotated[int, Meta(ge=1, le=3650)] = 90
    # Failed logins of one handle from one address before a pause of a minute, which
    # doubles with each further failure (up to an hour); a success starts afresh.
    login_failures_per_minute: Annotated[int, Meta(ge=1)] = 10
    # Failed logins a sliding minute from one address (any handles), and of one handle
    # (from any addresses): ceilings that one address's guesses cannot reach alone.
    login_failures_per_address_per_minute: Annotated[int, Meta(ge=1)] = 30
    login_failures_per_handle_per_minute: Annotated[int, Meta(ge=1)] = 100
    # New accounts per client address, and writes (POST/PATCH/DELETE) per user, a minute.
    registrations_per_minute: Annotated[int, Meta(ge=1)] = 20
    writes_per_minute: Annotated[int, Meta(ge=1)] = 600
    # FULL: an acknowledged write survives power loss too (see docs/operations.md).
    synchronous: Literal["NORMAL", "FULL"] = "FULL"
    read_connections: Annotated[int, Meta(ge=1, le=32)] = 2
    # PostgreSQL: connections per instance, and the longest a statement may run.
    pool_size: Annotated[int, Meta(ge=1, le=500)] = 10
    statement_timeout_ms: Annotated[int, Meta(ge=100, le=600_000)] = 5_000
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # text: for people; json: one object per line (request id, route, status, duration,
    # a hash of the user's id), for log shippers.
    log_format: Literal["text", "json"] = "text"
    # Notifications: the worker looks for reminders to ring and messages to send this
    # often (0: no worker in this process). Outgoing requests never reach loopback,
    # private or link-local addresses unless allowed (on-premise installs, tests).
    notify_interval_s: Annotated[float, Meta(ge=0, le=60)] = 15.0
    webhooks_allow_private: bool = False
    # The streak-at-risk nudge comes this many hours before the user's day ends.
    streak_risk_hours: Annotated[int, Meta(ge=1, le=12)] = 3
    # Who runs this server, for push services (RFC 8292 "sub"): a mailto: or https: URL.
    vapid_subject: str = "mailto:admin@localhost"
    # GET /metrics asks for this bearer token when set (empty: open to whoever reaches it).
    metrics_token: str = ""

    def as_env(self) -> dict[str, str]:
        """These settings as the ``RAPPORT_*`` variables that ``from_env`` reads back."""
        return {
            f"RAPPORT_{name.upper()}": str(getattr(self, name)) for name in self.__struct_fields__
        }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from ``RAPPORT_*`` variables, then ``overrides`` that are not None."""
        environ = os.environ if environ is None else environ
        raw: dict[str, object] = {}
        for name in cls.__struct_fields__:
            value = environ.get(f"RAPPORT_{name.upper()}")
            if value is not None:
                raw[name] = value
        raw.update({k: v for k, v in overrides.items() if v is not None})
        return msgspec.convert(raw, cls, strict=False)
