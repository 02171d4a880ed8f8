-- Abuse limits shared by every instance: for each (limit, key) the times of its recent
-- hits (SQLite migration 0007; a single SQLite process counts in memory).
CREATE TABLE rate_logs (
    name     text NOT NULL,
    key      text NOT NULL,
    hits     text NOT NULL,  -- JSON list of epoch seconds, oldest first, within the window
    last_at  timestamptz NOT NULL,
    PRIMARY KEY (name, key)
);
CREATE INDEX rate_logs_last ON rate_logs (last_at);
