-- A team's weekly goal progress, kept per member (SQLite's 0008_team_goal_shares.sql says
-- why): each check-in adds to its own member's row, so teammates' check-ins never wait for
-- one another. Progress made before this migration stays on a row of no member ('').
ALTER TABLE team_goal_progress ADD COLUMN user_id text NOT NULL DEFAULT '';
ALTER TABLE team_goal_progress ALTER COLUMN user_id DROP DEFAULT;
ALTER TABLE team_goal_progress DROP CONSTRAINT team_goal_progress_pkey;
ALTER TABLE team_goal_progress ADD PRIMARY KEY (team_id, week, user_id);
