-- A signed export's points live in one account at a time: the exporting account (while it
-- exists) or the one account that imported the export after it was gone. A claim names the
-- export by its signature; it goes with the account that claimed it.
CREATE TABLE claimed_exports (
    signature   TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    claimed_at  TEXT NOT NULL
);
CREATE INDEX claimed_exports_user ON claimed_exports (user_id);
