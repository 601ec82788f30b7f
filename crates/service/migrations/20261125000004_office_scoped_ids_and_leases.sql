-- User IDs are unique within an office, not across offices (as at the real
-- service, where a user signs in under their institution): an ID another
-- office uses is free here, and asking tells nothing about other offices.
-- The old column's UNIQUE constraint cannot be dropped portably (SQLite
-- would need the table rebuilt, and other tables refer to it), so the
-- column is renamed and made to hold office ID and user ID together —
-- unique in the same way per office — and `user_id` comes back beside it.
ALTER TABLE users RENAME COLUMN user_id TO office_user_key;
ALTER TABLE users ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
UPDATE users SET user_id = office_user_key;
UPDATE users SET office_user_key = office_id || '/' || user_id;
CREATE UNIQUE INDEX users_office_user_id ON users(office_id, user_id);

-- Which office a message concerns: the practice mailbox shows an office
-- only its own (rows from before this are shown to none).
ALTER TABLE outbox ADD COLUMN office_id TEXT;
ALTER TABLE practice_mailbox ADD COLUMN office_id TEXT;
CREATE INDEX practice_mailbox_office ON practice_mailbox(office_id, delivered_at);

-- The service instance holding a message's lease: one that has died is
-- known at once (see store::instances), so its messages need not wait for
-- the lease to run out.
ALTER TABLE outbox ADD COLUMN leased_by TEXT;
