-- When the current initial password (初期パスワード) was issued: it stops
-- working after Policy::initial_password_lifetime unless changed.
ALTER TABLE users ADD COLUMN initial_password_issued_at BIGINT;
UPDATE users SET initial_password_issued_at = created_at WHERE must_change_password = 1;
