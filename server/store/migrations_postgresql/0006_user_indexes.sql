-- Indexes for the cascades of a user's deletion (SQLite's 0011_user_indexes.sql says why).
CREATE INDEX checkins_user ON checkins (user_id);
CREATE INDEX confirmations_from ON confirmations (from_user);
CREATE INDEX board_scores_user ON board_scores (user_id);
CREATE INDEX team_bans_user ON team_bans (user_id);
