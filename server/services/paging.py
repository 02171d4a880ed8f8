"""Opaque list cursors: the position of the last item of a page, base64-encoded."""

from __future__ import annotations

import base64
import binascii

from server.services.errors import RapportError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class BadCursor(RapportError):
    status, slug, title = 400, "bad-cursor", "Invalid cursor"


def encode_cursor(*parts: str) -> str:
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, parts: int) -> tuple[str, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = tuple(base64.urlsafe_b64decode(padded.encode()).decode().split("|"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadCursor("cursor is not one this server gave out", field="cursor") from exc
    if len(values) != parts or not all(values):
        raise BadCursor("cursor is not one this server gave out", field="cursor")
    return values
