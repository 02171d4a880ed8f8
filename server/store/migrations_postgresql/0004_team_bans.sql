-- Members an owner or admin removed (SQLite's 0009_team_bans.sql says how it is used).
CREATE TABLE team_bans (
    team_id  text NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id  text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    since    timestamptz NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
