-- Deleting a user cascades to every row that names them. A child column without an index
-- makes each deletion read the whole child table (on SQLite inside the one writer, while
-- everyone waits): the tables whose user column led no index get one.
CREATE INDEX checkins_user ON checkins (user_id);
CREATE INDEX confirmations_from ON confirmations (from_user);
CREATE INDEX board_scores_user ON board_scores (user_id);
CREATE INDEX team_bans_user ON team_bans (user_id);
