"""The offline queue on its own: persistence, order, replays, refusals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from shared import schemas
from shared.client import RapportClient
from tests.conftest import MakeUser
from tui.offline import OfflineQueue, client_id

DAY = date(2026, 3, 11)


def body(**fields: object) -> schemas.CheckInCreate:
    return schemas.CheckInCreate(id=client_id(), day=DAY, **fields)  # type: ignore[arg-type]


def test_client_ids_are_time_ordered_and_unique() -> None:
    ids = [client_id() for _ in range(500)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 500
    assert all(i.version == 7 for i in ids)


def test_queue_survives_a_restart_in_order(tmp_path: Path) -> None:
    path = tmp_path / "pending.json"
    queue = OfflineQueue(path)
    habit = client_id()
    first, second = body(), body(skip=True)
    queue.add(habit, first)
    queue.add(habit, second)
    again = OfflineQueue(path)
    assert [e.id for e in again.entries()] == [first.id, second.id]
    assert again.entries()[1].body.skip
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert again.discard(first.id) is not None  # type: ignore[arg-type]
    assert [e.id for e in OfflineQueue(path).entries()] == [second.id]


def test_a_corrupt_queue_file_is_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "pending.json"
    path.write_text("{not json")
    assert len(OfflineQueue(path)) == 0
    assert (tmp_path / "pending.corrupt.json").read_text() == "{not json"


async def test_flush_delivers_replays_and_drops_refusals(make_user: MakeUser) -> None:
    ana: RapportClient = await make_user("ana")
    promise = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    listen = await ana.create_habit(schemas.HabitCreate(template="listen-actively"))
    already = body()
    await ana.check_in(promise.id, already)  # delivered before, answer lost

    queue = OfflineQueue(None)
    queue.add(promise.id, already)  # a replay: 200, counts as delivered
    queue.add(promise.id, body())  # a second yes/no check-in on the day: 409, dropped
    counted = body(value=2)
    queue.add(listen.id, counted)
    queue.add(listen.id, schemas.CheckInCreate(id=client_id(), day=date(2026, 3, 1)))  # 422
    report = await queue.flush(ana)

    assert [r.checkin.id for r in report.delivered] == [already.id, counted.id]
    assert [r.status for r in report.rejected] == [409, 422]
    assert report.remaining == 0
    assert report.stopped_by is None
    assert len((await ana.checkins(promise.id)).items) == 1
    assert sum(c.value for c in (await ana.checkins(listen.id)).items) == 2
    assert (await ana.me()).points == 5


async def test_another_account_on_the_same_server_leaves_the_queue_to_its_owner(
    make_user: MakeUser,
) -> None:
    """A queued check-in sent with someone else's token is refused (404), and a refusal
    drops it: logging in as another account must not lose the first one's check-ins."""
    ana: RapportClient = await make_user("ana")
    ben: RapportClient = await make_user("ben")
    ana_id, ben_id = (await ana.me()).id, (await ben.me()).id
    habit = await ana.create_habit(schemas.HabitCreate(template="deliver-on-a-promise"))
    queue = OfflineQueue(None)
    mine = body()
    queue.add(habit.id, mine, owner=ana_id)

    as_ben = await queue.flush(ben, ben_id)
    assert (as_ben.delivered, as_ben.rejected) == ([], [])
    assert [e.id for e in queue.entries()] == [mine.id]

    as_ana = await queue.flush(ana, ana_id)
    assert [r.checkin.id for r in as_ana.delivered] == [mine.id]
    assert len(queue) == 0


def test_the_pending_count_is_the_accounts_own() -> None:
    queue = OfflineQueue(None)
    ana, ben = client_id(), client_id()
    queue.add(client_id(), body(), owner=ana)
    queue.add(client_id(), body(), owner=ben)
    queue.add(client_id(), body())  # from before owners were kept: anyone's
    assert (queue.waiting_for(ana), queue.waiting_for(ben), queue.waiting_for(None)) == (2, 2, 3)
