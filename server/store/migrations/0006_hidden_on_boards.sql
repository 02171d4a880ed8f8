-- Fair play (issue 13): a user may hide from every board at once (PATCH /me
-- {"hidden_on_boards": true}), not only from one team's (team_members.hidden).
ALTER TABLE users ADD COLUMN hidden_on_boards INTEGER NOT NULL DEFAULT 0;

-- A hidden entry shows a random stand-in id, the same on every read of one board and
-- linked to nothing else; board cursors name it instead of the real id. Team boards take
-- it from the membership (team_members.alias). Challenge boards, public ones included,
-- take it from the participation, drawn when joining: a public challenge has no team, and
-- a per-board alias keeps one person's entries on different boards unlinkable.
ALTER TABLE challenge_participants ADD COLUMN alias TEXT;
-- Participations from before this migration get a random UUID (version 4 layout).
UPDATE challenge_participants SET alias =
    lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4'
    || substr(lower(hex(randomblob(2))), 2) || '-'
    || substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2)
    || '-' || lower(hex(randomblob(6)))
WHERE alias IS NULL;
CREATE UNIQUE INDEX challenge_participants_alias ON challenge_participants (challenge_id, alias);
