-- Fair play (docs/gamification.md, "Fair play").
--
-- A habit's difficulty changes apply from the next day: the log keeps, for the days still
-- inside the backdating window, which difficulty priced them. JSON list of [until, difficulty]
-- pairs, oldest first: days before ``until`` were priced by ``difficulty``.
ALTER TABLE habits ADD COLUMN difficulty_log TEXT NOT NULL DEFAULT '[]';

-- After an import this server could not verify (a Loop file, a hand-made file): the first
-- day the habit's streak may price a check-in from. NULL: the whole history is its own.
ALTER TABLE habits ADD COLUMN priced_from TEXT;

-- A challenge its maker described (not a catalog template), for everyone or for a team,
-- is for bragging rights and badges: it pays no points. Rewards already paid keep standing
-- (history keeps the rules it was paid under); no new ones are paid.
UPDATE challenges SET reward_points = 0 WHERE template IS NULL;

-- "Challenges this user started in the last 7 days" (the weekly cap).
CREATE INDEX challenges_created_by ON challenges (created_by, created_at);

-- A habit's open entries in the backdating window are read on every check-in and undo.
CREATE INDEX ledger_habit_day ON ledger (habit_id, day);

-- Secrets this server keeps for itself: the key that signs exports, so that an import
-- rebuilds points only from history this server recorded (never from a hand-made file).
CREATE TABLE server_keys (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
