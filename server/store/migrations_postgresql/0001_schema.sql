-- The schema of SQLite migrations 0001-0006 in PostgreSQL's dialect: one logical schema,
-- the same tables, columns, keys and indexes (tests/store/test_schema_parity.py compares
-- them). Days are `date`, instants `timestamptz`, flags `boolean`, ids `text` (UUIDs as
-- the API shows them; they order by time, and cursors compare them as text).

CREATE TABLE users (
    id                    text PRIMARY KEY,
    handle                text NOT NULL UNIQUE,
    display_name          text NOT NULL,
    password_hash         text NOT NULL,
    timezone              text NOT NULL,
    day_start_hour        integer NOT NULL CHECK (day_start_hour BETWEEN 0 AND 23),
    points                integer NOT NULL DEFAULT 0,
    xp                    integer NOT NULL DEFAULT 0,
    total_done            integer NOT NULL DEFAULT 0,
    balanced_days         integer NOT NULL DEFAULT 0,
    created_at            timestamptz NOT NULL,
    challenges_completed  integer NOT NULL DEFAULT 0,
    peer_confirmed        integer NOT NULL DEFAULT 0,
    version               integer NOT NULL DEFAULT 0,
    hidden_on_boards      boolean NOT NULL DEFAULT false
);

CREATE TABLE tokens (
    token_hash  text PRIMARY KEY,
    user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE habits (
    id              text PRIMARY KEY,
    user_id         text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title           text NOT NULL,
    category        text NOT NULL,
    schedule        text NOT NULL,  -- JSON, the schedule union
    kind            text NOT NULL,
    target          integer NOT NULL,
    difficulty      text NOT NULL,
    template        text,
    relationship    text,
    archived        boolean NOT NULL DEFAULT false,
    anchor_day      date NOT NULL,
    created_at      timestamptz NOT NULL,
    folded_through  date,
    streak_current  integer NOT NULL DEFAULT 0,
    streak_best     integer NOT NULL DEFAULT 0,
    freezes         integer NOT NULL DEFAULT 0,
    freezes_used    integer NOT NULL DEFAULT 0,
    strength        double precision NOT NULL DEFAULT 0,
    total_done      integer NOT NULL DEFAULT 0,
    difficulty_log  text NOT NULL DEFAULT '[]',
    priced_from     date
);
CREATE INDEX habits_user ON habits (user_id, archived, created_at, id);

CREATE TABLE checkins (
    id              text PRIMARY KEY,
    habit_id        text NOT NULL REFERENCES habits (id) ON DELETE CASCADE,
    user_id         text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day             date NOT NULL,
    value           integer NOT NULL,
    note            text,
    skip            boolean NOT NULL DEFAULT false,
    witness         text,
    request_digest  text NOT NULL,
    result          text NOT NULL,
    created_at      timestamptz NOT NULL,
    deleted_at      timestamptz
);
CREATE INDEX checkins_habit_day ON checkins (habit_id, day);

CREATE TABLE user_days (
    user_id        text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day            date NOT NULL,
    results        integer NOT NULL DEFAULT 0,
    relationships  integer NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
);

CREATE TABLE ledger (
    id            text PRIMARY KEY,  -- UUIDv7: orders by time
    user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    at            timestamptz NOT NULL,
    day           date NOT NULL,
    amount        integer NOT NULL,
    reason        text NOT NULL,
    habit_id      text,
    checkin_id    text,
    challenge_id  text,
    reverses      text
);
CREATE INDEX ledger_user ON ledger (user_id, id);
CREATE INDEX ledger_user_day ON ledger (user_id, day);
CREATE INDEX ledger_checkin ON ledger (checkin_id);
CREATE INDEX ledger_reverses ON ledger (reverses);
CREATE INDEX ledger_habit_day ON ledger (habit_id, day);

CREATE TABLE user_badges (
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slug       text NOT NULL,
    earned_at  timestamptz NOT NULL,
    PRIMARY KEY (user_id, slug)
);

CREATE TABLE teams (
    id             text PRIMARY KEY,
    name           text NOT NULL,
    timezone       text NOT NULL,
    created_at     timestamptz NOT NULL,
    member_count   integer NOT NULL DEFAULT 0,
    goal_category  text,
    goal_target    integer
);

CREATE TABLE team_members (
    team_id    text NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL,  -- owner | admin | member
    hidden     boolean NOT NULL DEFAULT false,
    alias      text NOT NULL UNIQUE,
    joined_at  timestamptz NOT NULL,
    joined_id  text NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id, team_id);

CREATE TABLE team_invites (
    id          text PRIMARY KEY,
    team_id     text NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    code_hash   text NOT NULL UNIQUE,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX team_invites_team ON team_invites (team_id);

CREATE TABLE board_scores (
    board    text NOT NULL,  -- 'team:<id>' or 'challenge:<id>'
    period   text NOT NULL,  -- 'week:2026-03-09', 'month:2026-03-01', 'all'
    user_id  text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    points   integer NOT NULL,
    PRIMARY KEY (board, period, user_id)
);
CREATE INDEX board_scores_rank ON board_scores (board, period, points, user_id);

CREATE TABLE team_goal_progress (
    team_id  text NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    week     text NOT NULL,
    done     integer NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, week)
);

CREATE TABLE challenges (
    id             text PRIMARY KEY,
    title          text NOT NULL,
    description    text NOT NULL,
    team_id        text REFERENCES teams (id) ON DELETE CASCADE,
    starts_on      date NOT NULL,
    ends_on        date NOT NULL,
    goal_category  text,
    goal_template  text,
    target         integer NOT NULL,
    reward_points  integer NOT NULL,
    template       text,
    created_by     text,
    created_at     timestamptz NOT NULL,
    participants   integer NOT NULL DEFAULT 0
);
CREATE INDEX challenges_team ON challenges (team_id, ends_on);
CREATE INDEX challenges_public ON challenges (ends_on) WHERE team_id IS NULL;
CREATE INDEX challenges_created_by ON challenges (created_by, created_at);

CREATE TABLE challenge_participants (
    challenge_id  text NOT NULL REFERENCES challenges (id) ON DELETE CASCADE,
    user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    completed_at  timestamptz,
    joined_at     timestamptz NOT NULL,
    alias         text,
    PRIMARY KEY (challenge_id, user_id)
);
CREATE INDEX challenge_participants_user ON challenge_participants (user_id);
CREATE UNIQUE INDEX challenge_participants_alias ON challenge_participants (challenge_id, alias);

CREATE TABLE confirmations (
    id           text PRIMARY KEY,
    checkin_id   text NOT NULL REFERENCES checkins (id) ON DELETE CASCADE,
    from_user    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    to_user      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    habit_title  text NOT NULL,
    day          date NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    status       text NOT NULL,  -- pending | confirmed | declined | cancelled
    decided_at   timestamptz
);
CREATE INDEX confirmations_to ON confirmations (to_user, status, expires_at);
CREATE INDEX confirmations_checkin ON confirmations (checkin_id);

CREATE TABLE changes (
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version    integer NOT NULL,
    kind       text NOT NULL,
    entity_id  text NOT NULL,
    PRIMARY KEY (user_id, version, kind, entity_id)
);
CREATE INDEX changes_entity ON changes (user_id, kind, entity_id, version);

CREATE TABLE server_keys (
    name   text PRIMARY KEY,
    value  text NOT NULL
);
