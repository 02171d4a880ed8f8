-- Notifications (SQLite's 0015_notifications.sql says what each table and column holds).
CREATE TABLE webhooks (
    id          text PRIMARY KEY,
    user_id     text REFERENCES users (id) ON DELETE CASCADE,
    team_id     text REFERENCES teams (id) ON DELETE CASCADE,
    url         text NOT NULL,
    events      text NOT NULL,
    secret      text NOT NULL,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX webhooks_by_user ON webhooks (user_id);
CREATE INDEX webhooks_by_team ON webhooks (team_id);

CREATE TABLE push_subscriptions (
    id          text PRIMARY KEY,
    user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    endpoint    text NOT NULL,
    p256dh      text NOT NULL,
    auth        text NOT NULL,
    created_at  timestamptz NOT NULL,
    UNIQUE (user_id, endpoint)
);

CREATE TABLE outbox (
    id              text PRIMARY KEY,
    dedupe          text NOT NULL UNIQUE,
    channel         text NOT NULL,
    target_id       text NOT NULL,
    user_id         text REFERENCES users (id) ON DELETE CASCADE,
    team_id         text REFERENCES teams (id) ON DELETE CASCADE,
    event           text NOT NULL,
    payload         text NOT NULL,
    state           text NOT NULL,
    attempts        integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    claimed_until   timestamptz,
    finished_at     timestamptz
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_by_target ON outbox (target_id, state);
CREATE INDEX outbox_by_user ON outbox (user_id);
CREATE INDEX outbox_by_team ON outbox (team_id);

CREATE TABLE deliveries (
    id          text PRIMARY KEY,
    message_id  text NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    target_id   text NOT NULL,
    event       text NOT NULL,
    attempt     integer NOT NULL,
    status_code integer,
    error       text,
    at          timestamptz NOT NULL
);
CREATE INDEX deliveries_by_target ON deliveries (target_id, at);
CREATE INDEX deliveries_by_message ON deliveries (message_id);

ALTER TABLE habits ADD COLUMN next_ring_at timestamptz;
CREATE INDEX habits_next_ring ON habits (next_ring_at);
ALTER TABLE users ADD COLUMN next_nudge_at timestamptz;
CREATE INDEX users_next_nudge ON users (next_nudge_at);
