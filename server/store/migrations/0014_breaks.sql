-- Planned breaks: a habit (habit_id) or all of a user's habits (habit_id NULL) paused on
-- the days starts_on..ends_on (the user's days, both included). Kept after they end: the
-- streak fold reads them when it settles those days.
CREATE TABLE breaks (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    habit_id    TEXT REFERENCES habits (id) ON DELETE CASCADE,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    reason      TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX breaks_by_user ON breaks (user_id, starts_on);
CREATE INDEX breaks_by_habit ON breaks (habit_id, starts_on);
