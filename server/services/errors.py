"""Errors the services raise. Each maps to one HTTP status, once, in ``api.problems``."""

from __future__ import annotations


class RapportError(Exception):
    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class Unauthenticated(RapportError):
    status, slug, title = 401, "unauthenticated", "Authentication required"


class NotFound(RapportError):
    status, slug, title = 404, "not-found", "Not found"


class Forbidden(RapportError):
    """The caller may see the thing but not do this to it (a member acting as an admin)."""

    status, slug, title = 403, "forbidden", "Forbidden"


class BadCursor(RapportError):
    status, slug, title = 400, "bad-cursor", "Invalid cursor"

    def __init__(self, *, field: str = "cursor") -> None:
        super().__init__("cursor is not one this server gave out", field=field)


class Conflict(RapportError):
    status, slug, title = 409, "conflict", "Conflict"


class Invalid(RapportError):
    """Well-formed input that breaks a rule (unknown time zone, unknown template...)."""

    status, slug, title = 422, "invalid", "Invalid input"


class OutsideBackdatingWindow(Invalid):
    slug, title = "outside-backdating-window", "Day outside the backdating window"


class RateLimited(RapportError):
    status, slug, title = 429, "rate-limited", "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class LimitReached(Conflict):
    """A documented cap (``domain.caps``) would be exceeded."""

    slug, title = "limit-reached", "Limit reached"


class Busy(RapportError):
    """The change collided with a concurrent one and was rolled back whole; retrying it
    (with the same ids) is safe."""

    status, slug, title = 503, "busy", "Try again"

    def __init__(self, detail: str, *, retry_after: int = 1) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class UnsupportedMediaType(RapportError):
    """A body sent as something other than what the route reads (JSON, or a ZIP)."""

    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"
