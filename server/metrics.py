"""The server's Prometheus metrics (``GET /metrics``), one set per process.

Request counts and latencies by route template come from Litestar's Prometheus
middleware (``rapport_requests_total``, ``rapport_request_duration_seconds``, ...); the
rest are ours, kept here so every layer counts into the same objects:

- ``rapport_checkins_total``: check-ins recorded (replays of a known id not counted);
- ``rapport_sqlite_commit_batch_blocks`` and ``rapport_sqlite_commit_seconds``: group
  commit on SQLite, write blocks per COMMIT and how long the COMMIT (and fsync) took;
- ``rapport_pool_connections{state}``: PostgreSQL connections of this process, in use and
  idle (read when scraped);
- ``rapport_outbox_pending``: notification messages waiting (read when scraped);
- ``rapport_deliveries_total{channel, result}``: delivery attempts (sent, retry, failed);
- ``rapport_event_stream_subscribers``: open ``/events`` streams.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

CHECKINS = Counter("rapport_checkins", "Check-ins recorded (replays of a known id not counted)")
COMMIT_BLOCKS = Histogram(
    "rapport_sqlite_commit_batch_blocks",
    "Write blocks committed together by one SQLite COMMIT (group commit)",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
COMMIT_SECONDS = Histogram(
    "rapport_sqlite_commit_seconds",
    "How long one SQLite COMMIT took, fsync included",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
)
POOL = Gauge("rapport_pool_connections", "PostgreSQL connections of this process", ["state"])
OUTBOX = Gauge("rapport_outbox_pending", "Notification messages waiting to be delivered")
DELIVERIES = Counter(
    "rapport_deliveries", "Delivery attempts of webhooks and Web Push", ["channel", "result"]
)
SUBSCRIBERS = Gauge("rapport_event_stream_subscribers", "Open server-sent event streams")


def observe_commit(blocks: int, seconds: float) -> None:
    COMMIT_BLOCKS.observe(blocks)
    COMMIT_SECONDS.observe(seconds)
