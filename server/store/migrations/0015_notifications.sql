-- Notifications. Webhooks belong to a user (user_id) or to a team (team_id), one of the
-- two; events is a JSON list of the event types sent (empty: all). Push subscriptions are
-- a browser's PushSubscription. Every message goes through the outbox, written in the
-- transaction that caused it; "dedupe" names what makes a message once (a reminder of one
-- habit, day and time for one target), so two instances or a restart never send it twice.
-- Each delivery attempt is logged in deliveries.
CREATE TABLE webhooks (
    id          TEXT PRIMARY KEY,
    user_id     TEXT REFERENCES users (id) ON DELETE CASCADE,
    team_id     TEXT REFERENCES teams (id) ON DELETE CASCADE,
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX webhooks_by_user ON webhooks (user_id);
CREATE INDEX webhooks_by_team ON webhooks (team_id);

CREATE TABLE push_subscriptions (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint    TEXT NOT NULL,
    p256dh      TEXT NOT NULL,
    auth        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (user_id, endpoint)
);

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    dedupe          TEXT NOT NULL UNIQUE,
    channel         TEXT NOT NULL,
    target_id       TEXT NOT NULL,
    user_id         TEXT REFERENCES users (id) ON DELETE CASCADE,
    team_id         TEXT REFERENCES teams (id) ON DELETE CASCADE,
    event           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_until   TEXT,
    finished_at     TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_by_target ON outbox (target_id, state);
CREATE INDEX outbox_by_user ON outbox (user_id);
CREATE INDEX outbox_by_team ON outbox (team_id);

CREATE TABLE deliveries (
    id          TEXT PRIMARY KEY,
    message_id  TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    target_id   TEXT NOT NULL,
    event       TEXT NOT NULL,
    attempt     INTEGER NOT NULL,
    status_code INTEGER,
    error       TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX deliveries_by_target ON deliveries (target_id, at);
CREATE INDEX deliveries_by_message ON deliveries (message_id);

-- When a habit's next reminder rings (a hint for the worker; NULL: work it out again).
ALTER TABLE habits ADD COLUMN next_ring_at TEXT;
CREATE INDEX habits_next_ring ON habits (next_ring_at);
-- When the user's streak-at-risk nudge is next considered (NULL: work it out again).
ALTER TABLE users ADD COLUMN next_nudge_at TEXT;
CREATE INDEX users_next_nudge ON users (next_nudge_at);
