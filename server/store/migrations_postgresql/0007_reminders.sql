-- Reminders (SQLite's 0012_reminders.sql says what each column holds).
ALTER TABLE habits ADD COLUMN reminders text NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN quiet_start text;
ALTER TABLE users ADD COLUMN quiet_end text;
ALTER TABLE users ADD COLUMN streak_at_risk boolean NOT NULL DEFAULT true;
