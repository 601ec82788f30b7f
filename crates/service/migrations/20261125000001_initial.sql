-- Portable SQL: runs unchanged on SQLite and PostgreSQL.
-- Instants are Unix milliseconds (BIGINT); flags are 0/1 BIGINT; ids are TEXT.

-- 事業所: an office that already uses the electronic billing system.
CREATE TABLE offices (
    id TEXT PRIMARY KEY,
    office_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    electronic_billing_id TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    security_code_hash TEXT,
    email TEXT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    last_failed_at BIGINT,
    created_at BIGINT NOT NULL
);

-- Client certificates that prove an office (SHA-256 of the DER certificate).
CREATE TABLE office_certificates (
    fingerprint TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(id),
    subject TEXT NOT NULL,
    not_after BIGINT NOT NULL,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX office_certificates_office ON office_certificates(office_id);

-- 管理者ユーザ / 一般ユーザ.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(id),
    user_id TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    service_types TEXT NOT NULL,
    job_category TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    must_change_password BIGINT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    last_failed_at BIGINT,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT
);
CREATE INDEX users_office ON users(office_id);

-- A login whose password was accepted and whose one-time code is pending.
CREATE TABLE login_challenges (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices(id),
    user_row_id TEXT REFERENCES users(id),
    cert_fingerprint TEXT NOT NULL,
    channel TEXT,
    code_hash TEXT,
    code_sent_at BIGINT,
    code_expires_at BIGINT,
    code_attempts BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    completed_at BIGINT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    office_id TEXT NOT NULL REFERENCES offices(id),
    user_row_id TEXT REFERENCES users(id),
    cert_fingerprint TEXT NOT NULL,
    restricted BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);

-- 「このPCを記憶する」: skips the one-time code for 24 hours.
CREATE TABLE device_trusts (
    token_hash TEXT PRIMARY KEY,
    user_row_id TEXT NOT NULL REFERENCES users(id),
    cert_fingerprint TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX device_trusts_user ON device_trusts(user_row_id);

CREATE TABLE idempotency_keys (
    office_id TEXT NOT NULL REFERENCES offices(id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (office_id, idempotency_key)
);

-- Messages to send, written in the same transaction as their cause.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    last_error TEXT,
    delivered_at BIGINT
);
CREATE INDEX outbox_due ON outbox(delivered_at, next_attempt_at);

-- Practice mode (練習モード): what would have been sent, readable in the app.
CREATE TABLE practice_mailbox (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    delivered_at BIGINT NOT NULL
);

-- 資格確認端末 linked for the マイナ資格確認アプリ.
CREATE TABLE terminals (
    id TEXT PRIMARY KEY,
    office_id TEXT NOT NULL REFERENCES offices(id),
    name TEXT NOT NULL,
    public_key TEXT NOT NULL,
    status TEXT NOT NULL,
    challenge TEXT,
    challenge_expires_at BIGINT,
    registered_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    linked_at BIGINT,
    unlinked_at BIGINT
);
CREATE UNIQUE INDEX terminals_active_name ON terminals(office_id, name) WHERE unlinked_at IS NULL;

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    at BIGINT NOT NULL,
    event TEXT NOT NULL,
    outcome TEXT NOT NULL,
    office_id TEXT,
    user_id TEXT,
    cert_fingerprint TEXT,
    detail TEXT
);
CREATE INDEX audit_events_at ON audit_events(at);
