-- Reminders: up to 5 local times a day per habit (a JSON list of "HH:MM"), and each
-- user's notification settings (quiet hours as "HH:MM", both or neither).
ALTER TABLE habits ADD COLUMN reminders TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN quiet_start TEXT;
ALTER TABLE users ADD COLUMN quiet_end TEXT;
ALTER TABLE users ADD COLUMN streak_at_risk INTEGER NOT NULL DEFAULT 1;
