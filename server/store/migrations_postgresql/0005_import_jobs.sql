-- Imports run as jobs (SQLite's 0010_import_jobs.sql says how the row is used).
CREATE TABLE import_jobs (
    id          text PRIMARY KEY,
    user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    format      text NOT NULL,
    state       text NOT NULL,
    rows_read   integer NOT NULL DEFAULT 0,
    habits      integer NOT NULL DEFAULT 0,
    report      text,
    error       text,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    finished_at timestamptz
);
CREATE INDEX import_jobs_by_user ON import_jobs (user_id, created_at);
