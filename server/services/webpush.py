"""Web Push: the server's VAPID key (RFC 8292) and messages encrypted for a subscription
(RFC 8291, aes128gcm), with ``py_vapid`` and ``pywebpush``'s encoder; the request itself
goes out through ``services/outbound.py`` like every other.

The key pair is made once and kept in the database (``server_keys``), so every instance
signs with the same key and subscriptions survive restarts.
"""

from __future__ import annotations

import asyncio
import base64
import functools
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02  # type: ignore[import-untyped]
from pywebpush import WebPusher  # type: ignore[import-untyped]

from server.services.context import Context
from server.store.records import PushSubscriptionRecord

VAPID_KEY = "vapid_private_pem"
TOKEN_LIFETIME = timedelta(hours=12)
# A reminder is worth nothing half an hour late: the push service may drop it after that.
TTL_S = 1800


def _fresh_pem() -> str:
    vapid = Vapid02()
    vapid.generate_keys()
    return bytes(vapid.private_pem()).decode("ascii")


@functools.lru_cache(maxsize=4)
def _parsed(pem: str) -> Vapid02:
    return Vapid02.from_pem(pem.encode("ascii"))


async def vapid_key(ctx: Context) -> Vapid02:
    """The server's VAPID key: read (a read, no write, for every ``vapid-public-key``
    request), made the first time it is asked for (key generation in a thread)."""
    async with ctx.read(snapshot=False) as q:
        pem = await q.users.server_key_if_any(VAPID_KEY)
    if pem is None:
        fresh = await asyncio.to_thread(_fresh_pem)
        async with ctx.write() as q:
            pem = await q.users.server_key(VAPID_KEY, fresh)  # another instance may win
    return _parsed(pem)


def public_key(vapid: Vapid02) -> str:
    """The public key as browsers take it (``applicationServerKey``): base64url of the
    uncompressed P-256 point, no padding."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def sealed(
    vapid: Vapid02, sub: PushSubscriptionRecord, payload: bytes, subject: str, now: datetime
) -> tuple[bytes, dict[str, str]]:
    """The request to the push service: ``payload`` encrypted for the subscription and the
    headers signed with the server's key. CPU work (ECDH, ECDSA): run it in a thread."""
    return encrypted(sub, payload), headers(vapid, sub.endpoint, subject, now)


def encrypted(sub: PushSubscriptionRecord, payload: bytes) -> bytes:
    """``payload`` encrypted for the subscription (aes128gcm, RFC 8291)."""
    pusher = WebPusher({"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}})
    return bytes(pusher.encode(payload, "aes128gcm")["body"])


def headers(vapid: Vapid02, endpoint: str, subject: str, now: datetime) -> dict[str, str]:
    """The request headers: the VAPID token for the push service's origin, and how long
    it may keep the message."""
    parts = urlsplit(endpoint)
    claims = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "sub": subject,
        "exp": int((now + TOKEN_LIFETIME).timestamp()),
    }
    signed: dict[str, str] = vapid.sign(claims)
    return {
        **signed,
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "TTL": str(TTL_S),
        "Urgency": "normal",
    }
