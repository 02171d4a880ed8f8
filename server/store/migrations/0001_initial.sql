-- Rapport schema, version 1. Portable SQL: TEXT ids (UUID strings), TEXT dates (ISO
-- YYYY-MM-DD) and instants (RFC 3339 UTC), INTEGER counters, REAL for habit strength.

CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    handle          TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    timezone        TEXT NOT NULL,
    day_start_hour  INTEGER NOT NULL CHECK (day_start_hour BETWEEN 0 AND 23),
    points          INTEGER NOT NULL DEFAULT 0,
    xp              INTEGER NOT NULL DEFAULT 0,
    total_done      INTEGER NOT NULL DEFAULT 0,
    balanced_days   INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);

-- Bearer tokens, stored only as SHA-256 digests of the opaque token.
CREATE TABLE tokens (
    token_hash  TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE habits (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    category        TEXT NOT NULL,
    schedule        TEXT NOT NULL,  -- JSON, the schedule union
    kind            TEXT NOT NULL,
    target          INTEGER NOT NULL,
    difficulty      TEXT NOT NULL,
    template        TEXT,
    relationship    TEXT,
    archived        INTEGER NOT NULL DEFAULT 0,
    anchor_day      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    -- The streak/strength fold of every period that can no longer change (domain.streaks).
    folded_through  TEXT,
    streak_current  INTEGER NOT NULL DEFAULT 0,
    streak_best     INTEGER NOT NULL DEFAULT 0,
    freezes         INTEGER NOT NULL DEFAULT 0,
    freezes_used    INTEGER NOT NULL DEFAULT 0,
    strength        REAL NOT NULL DEFAULT 0,
    total_done      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX habits_user ON habits (user_id, archived, created_at, id);

CREATE TABLE checkins (
    id              TEXT PRIMARY KEY,
    habit_id        TEXT NOT NULL REFERENCES habits (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day             TEXT NOT NULL,
    value           INTEGER NOT NULL,
    note            TEXT,
    skip            INTEGER NOT NULL DEFAULT 0,
    witness         TEXT,
    request_digest  TEXT NOT NULL,  -- what the client sent, for idempotent replays
    result          TEXT NOT NULL,  -- the CheckInResult JSON first answered
    created_at      TEXT NOT NULL,
    deleted_at      TEXT            -- undone: kept as a tombstone so the id is never reused
);
CREATE INDEX checkins_habit_day ON checkins (habit_id, day);

-- Per user and day: done habit-days per category (balance meter, balance bonus).
CREATE TABLE user_days (
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day            TEXT NOT NULL,
    results        INTEGER NOT NULL DEFAULT 0,
    relationships  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
);

-- Append-only points ledger. Undo appends reversing entries (``reverses``).
CREATE TABLE ledger (
    id            TEXT PRIMARY KEY,  -- UUIDv7: orders by time
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at            TEXT NOT NULL,
    day           TEXT NOT NULL,
    amount        INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    habit_id      TEXT,
    checkin_id    TEXT,
    challenge_id  TEXT,
    reverses      TEXT
);
CREATE INDEX ledger_user ON ledger (user_id, id);
CREATE INDEX ledger_user_day ON ledger (user_id, day);
CREATE INDEX ledger_checkin ON ledger (checkin_id);

CREATE TABLE user_badges (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slug       TEXT NOT NULL,
    earned_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, slug)
);
