-- Abuse limits shared by every instance on one database (PostgreSQL deployments): for each
-- (limit, key) the times of its recent hits. A single SQLite process counts in memory and
-- leaves this table empty; it exists so both stores keep one schema.
CREATE TABLE rate_logs (
    name     TEXT NOT NULL,  -- login_failures | registrations | writes
    key      TEXT NOT NULL,  -- a handle, an address, a user id
    hits     TEXT NOT NULL,  -- JSON list of epoch seconds, oldest first, within the window
    last_at  TEXT NOT NULL,
    PRIMARY KEY (name, key)
);
CREATE INDEX rate_logs_last ON rate_logs (last_at);
