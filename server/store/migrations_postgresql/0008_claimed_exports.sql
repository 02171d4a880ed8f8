-- Signed exports whose points an account took in (SQLite's 0013_claimed_exports.sql).
CREATE TABLE claimed_exports (
    signature   text PRIMARY KEY,
    user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    claimed_at  timestamptz NOT NULL
);
CREATE INDEX claimed_exports_user ON claimed_exports (user_id);
