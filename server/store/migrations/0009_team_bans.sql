-- Members an owner or admin removed: the invites that existed when they were removed no
-- longer let them back in; an invite made after that (the admins asking them again) does,
-- and joining with it lifts the ban. Leaving of one's own accord bans nothing.
CREATE TABLE team_bans (
    team_id     TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    since       TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
