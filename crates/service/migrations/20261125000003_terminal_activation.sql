-- 3-4 as it is done: a terminal is issued with a one-time activation code
-- (利用開始コード) before any device has a key, so the public key becomes
-- optional and the terminal gets a kind (this PC, or a phone or tablet).
-- The table is rebuilt (SQLite cannot drop NOT NULL); every statement is
-- portable between SQLite and PostgreSQL.
CREATE TABLE terminals_v2 (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    public_key TEXT,
    status TEXT NOT NULL,
    activation_mac TEXT,
    activation_expires_at BIGINT,
    activation_wrong_entries BIGINT NOT NULL DEFAULT 0,
    challenge TEXT,
    challenge_expires_at BIGINT,
    registered_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    linked_at BIGINT,
    unlinked_at BIGINT
);
INSERT INTO terminals_v2 (id, office_id, name, kind, public_key, status, challenge, challenge_expires_at, registered_by, created_at, linked_at, unlinked_at)
    SELECT id, office_id, name, 'this_pc', public_key, status, challenge, challenge_expires_at, registered_by, created_at, linked_at, unlinked_at FROM terminals;
DROP TABLE terminals;
ALTER TABLE terminals_v2 RENAME TO terminals;
CREATE UNIQUE INDEX terminals_active_name ON terminals(office_id, name) WHERE unlinked_at IS NULL;
