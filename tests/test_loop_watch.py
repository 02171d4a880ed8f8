"""The suite's event-loop watch (``tests.conftest.LoopWatch``) sees a callback that holds
the loop with CPU work, and does not count time the loop merely waits."""

from __future__ import annotations

import asyncio
import time

from tests.conftest import LoopWatch


async def test_the_watch_sees_cpu_work_on_the_loop_and_not_waiting() -> None:
    watch = LoopWatch()
    task = asyncio.create_task(watch.run())
    await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)  # waiting holds nothing
    assert watch.worst < 0.1
    deadline = time.thread_time() + 0.2
    while time.thread_time() < deadline:  # 0.2 s of CPU with no await: the loop is held
        pass
    await asyncio.sleep(0.05)
    watch.stopped = True
    await task
    assert watch.worst >= 0.2
