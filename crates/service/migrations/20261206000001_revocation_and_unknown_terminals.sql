-- Revocation by an operator (a lost or stolen PC): why, kept with when.
ALTER TABLE office_certificates ADD COLUMN revocation_reason TEXT;

-- Wrong activation codes sent for a terminal ID that does not exist,
-- counted as a waiting terminal's are, so that the answers — tries left,
-- then expired — never tell an ID that exists from one that does not.
-- Rows older than an activation code's lifetime are forgotten.
CREATE TABLE unknown_terminal_tries (
    terminal_id TEXT PRIMARY KEY,
    wrong_entries BIGINT NOT NULL,
    first_at BIGINT NOT NULL
);
CREATE INDEX unknown_terminal_tries_first_at ON unknown_terminal_tries(first_at);
