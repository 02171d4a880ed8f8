-- Teams, boards, team goals, challenges and peer confirmations.

CREATE TABLE teams (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    timezone              TEXT NOT NULL,
    created_at            TEXT NOT NULL,
    member_count          INTEGER NOT NULL DEFAULT 0,
    -- The weekly cooperative goal: done check-ins of every member (NULL target: no goal).
    goal_category         TEXT,
    goal_target           INTEGER
);

CREATE TABLE team_members (
    team_id     TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL,  -- owner | admin | member
    hidden      INTEGER NOT NULL DEFAULT 0,  -- opted out of being shown on boards
    -- Random stand-in id shown (and used in board cursors) while the member is hidden.
    alias       TEXT NOT NULL UNIQUE,
    joined_at   TEXT NOT NULL,
    -- A UUIDv7 drawn at joining: entries with smaller ids were earned before (boards).
    joined_id   TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id, team_id);

CREATE TABLE team_invites (
    id          TEXT PRIMARY KEY,
    team_id     TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    code_hash   TEXT NOT NULL UNIQUE,  -- SHA-256 of the code; the code itself is shown once
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX team_invites_team ON team_invites (team_id);

-- Leaderboards, kept in step with the ledger inside each write transaction. One row per
-- (board, period, member with points); a page is an index range scan.
CREATE TABLE board_scores (
    board       TEXT NOT NULL,  -- 'team:<id>' or 'challenge:<id>'
    period      TEXT NOT NULL,  -- 'week:2026-03-09', 'month:2026-03-01', 'all'
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    points      INTEGER NOT NULL,
    PRIMARY KEY (board, period, user_id)
);
CREATE INDEX board_scores_rank ON board_scores (board, period, points, user_id);

CREATE TABLE team_goal_progress (
    team_id     TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    week        TEXT NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, week)
);

CREATE TABLE challenges (
    id              TEXT PRIMARY KEY,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    team_id         TEXT REFERENCES teams (id) ON DELETE CASCADE,
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    goal_category   TEXT,
    goal_template   TEXT,
    target          INTEGER NOT NULL,
    reward_points   INTEGER NOT NULL,
    template        TEXT,
    created_by      TEXT,
    created_at      TEXT NOT NULL,
    participants    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX challenges_team ON challenges (team_id, ends_on);
CREATE INDEX challenges_public ON challenges (ends_on) WHERE team_id IS NULL;

CREATE TABLE challenge_participants (
    challenge_id    TEXT NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- progress lives on the challenge's board (board_scores, period 'all')
    completed_at    TEXT,
    joined_at       TEXT NOT NULL,
    PRIMARY KEY (challenge_id, user_id)
);
CREATE INDEX challenge_participants_user ON challenge_participants (user_id);

CREATE TABLE confirmations (
    id            TEXT PRIMARY KEY,
    checkin_id    TEXT NOT NULL REFERENCES checkins (id) ON DELETE CASCADE,
    from_user     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_user       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    habit_title   TEXT NOT NULL,
    day           TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    status        TEXT NOT NULL,  -- pending | confirmed | declined | cancelled
    decided_at    TEXT
);
CREATE INDEX confirmations_to ON confirmations (to_user, status, expires_at);
CREATE INDEX confirmations_checkin ON confirmations (checkin_id);

ALTER TABLE users ADD COLUMN challenges_completed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN peer_confirmed INTEGER NOT NULL DEFAULT 0;
