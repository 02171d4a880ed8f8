"""Identifiers: UUIDv7 strings, so that ids sort by creation time.

Within one process ids are strictly increasing, even inside one millisecond (RFC 9562,
method 1: a 12-bit counter after the timestamp), so "created before" is an id comparison.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last = (0, 0)  # (milliseconds, counter) of the previous id


def new_id() -> str:
    global _last
    with _lock:
        millis = time.time_ns() // 1_000_000
        last_millis, counter = _last
        if millis <= last_millis:
            millis, counter = last_millis, counter + 1
            if counter > 0xFFF:  # counter spent: borrow the next millisecond
                millis, counter = millis + 1, 0
        else:
            counter = int.from_bytes(os.urandom(1), "big")  # leave room to count up
        _last = (millis, counter)
    rand = int.from_bytes(os.urandom(8), "big") & (2**62 - 1)
    value = (millis & (2**48 - 1)) << 80 | 0x7 << 76 | counter << 64 | 0b10 << 62 | rand
    return str(uuid.UUID(int=value))
