-- Imports run as jobs: the upload is answered at once (202) and the work goes on in the
-- background; the row tells the user (from any instance) how far it got and how it ended.
-- updated_at is the running instance's heartbeat: an unfinished job whose heartbeat is
-- old was cut off by a stop, and nothing of it was stored (the import is one transaction).
CREATE TABLE import_jobs (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    format      TEXT NOT NULL,
    state       TEXT NOT NULL,
    rows_read   INTEGER NOT NULL DEFAULT 0,
    habits      INTEGER NOT NULL DEFAULT 0,
    report      TEXT,
    error       TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX import_jobs_by_user ON import_jobs (user_id, created_at);
