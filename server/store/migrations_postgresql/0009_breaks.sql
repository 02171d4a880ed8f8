-- Planned breaks (SQLite's 0014_breaks.sql says what each column holds).
CREATE TABLE breaks (
    id          text PRIMARY KEY,
    user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    habit_id    text REFERENCES habits (id) ON DELETE CASCADE,
    starts_on   date NOT NULL,
    ends_on     date NOT NULL,
    reason      text,
    created_at  timestamptz NOT NULL
);
CREATE INDEX breaks_by_user ON breaks (user_id, starts_on);
CREATE INDEX breaks_by_habit ON breaks (habit_id, starts_on);
