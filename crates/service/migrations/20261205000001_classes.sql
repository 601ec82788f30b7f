-- 研修: classes of practice offices, one trainer each. Everything of a
-- class is deleted at its end (store::classes::delete).

CREATE TABLE classes (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    seats BIGINT NOT NULL,
    -- The join code, keyed with the service key: looked up, never stored.
    join_code_mac TEXT NOT NULL UNIQUE,
    -- The same code sealed with the service key, for the trainer's projector.
    join_code_sealed TEXT NOT NULL,
    -- The trainer's sign-in secret, hashed the same way.
    trainer_secret_mac TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    closed_at BIGINT
);

-- A seat: a practice office with made-up credentials (sealed with the
-- service key, to be handed to whoever joins it), taken by the key of
-- the PC that joined.
CREATE TABLE class_seats (
    class_id TEXT NOT NULL REFERENCES classes(id),
    seat_number BIGINT NOT NULL,
    office_id TEXT NOT NULL UNIQUE REFERENCES offices(id),
    sealed_credentials TEXT NOT NULL,
    key_fingerprint TEXT,
    joined_at BIGINT,
    last_activity_at BIGINT,
    PRIMARY KEY (class_id, seat_number)
);
CREATE UNIQUE INDEX class_seats_key ON class_seats(class_id, key_fingerprint);

-- Wrong join codes per address, shared by all instances.
CREATE TABLE wrong_joins (
    address TEXT PRIMARY KEY,
    count BIGINT NOT NULL,
    last_at BIGINT NOT NULL
);

CREATE TABLE trainer_sessions (
    token_hash TEXT PRIMARY KEY,
    class_id TEXT NOT NULL REFERENCES classes(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
