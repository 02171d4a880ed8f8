"""Checking a move between databases (``rapport-server migrate-data``): every user's data
reads the same on both sides, and the target's derived state agrees with its history."""

from __future__ import annotations

import msgspec

from server.services import audit, portability
from server.services.context import Context


async def differences(source: Context, target: Context) -> list[str]:
    """What differs: users whose export is not the same on both sides, and any drift the
    target's check finds. Empty when the move lost nothing."""
    found: list[str] = []
    async with source.read() as q:
        ids = await q.users.all_ids()
    for user_id in ids:
        async with source.read() as q:
            before = await q.users.by_id(user_id)
        async with target.read() as q:
            after = await q.users.by_id(user_id)
        if before is None or after is None:
            found.append(f"user {user_id}: missing on the target")
            continue
        if _comparable(await portability.export_data(source, before)) != _comparable(
            await portability.export_data(target, after)
        ):
            found.append(f"user {user_id} ({before.handle}): the export differs")
    report = await audit.check(target)
    found += [f"drift: user {d.user_id}: {d.what}" for d in report.drifts]
    async with target.read() as q:
        if len(await q.users.all_ids()) != len(ids):
            found.append("the target has users the source does not")
    return found


def _comparable(export: object) -> bytes:
    """The export without what depends on the moment it was made."""
    data = msgspec.to_builtins(export)
    assert isinstance(data, dict)
    data.pop("exported_at", None)
    data.pop("signature", None)
    return msgspec.json.encode(data)
