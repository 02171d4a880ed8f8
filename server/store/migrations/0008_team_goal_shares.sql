-- A team's weekly goal progress, kept per member: each check-in adds to its own member's
-- row, and the team's progress is their sum. With one row per team and week, every
-- teammate's check-in had to wait for that row (on PostgreSQL, locked until each check-in
-- committed): a team of a thousand checking in at nine o'clock went one at a time.
-- Progress made before this migration stays on a row of no member (user_id '').
CREATE TABLE team_goal_shares (
    team_id     TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    week        TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, week, user_id)
);
INSERT INTO team_goal_shares (team_id, week, user_id, done)
    SELECT team_id, week, '', done FROM team_goal_progress;
DROP TABLE team_goal_progress;
ALTER TABLE team_goal_shares RENAME TO team_goal_progress;
