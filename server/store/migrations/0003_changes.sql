-- The change log behind delta sync: every write transaction bumps the user's version once
-- and records each entity it touched at that version. Per-user versions (not a global
-- sequence) commit in order on any database, because the bump locks the user's row.

ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE changes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    kind       TEXT NOT NULL,  -- profile | habit | checkin | ledger | badge | team | challenge
    entity_id  TEXT NOT NULL,
    PRIMARY KEY (user_id, version, kind, entity_id)
);
CREATE INDEX changes_entity ON changes (user_id, kind, entity_id, version);
