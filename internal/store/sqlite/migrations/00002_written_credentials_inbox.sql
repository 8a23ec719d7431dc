-- +goose Up
-- What the bridge last wrote to each record, one row per field, so that
-- SetWritten merges with a plain upsert (SPEC §3.3: the echo backstop).
CREATE TABLE written (
    side       TEXT   NOT NULL,
    object     TEXT   NOT NULL,
    record_id  TEXT   NOT NULL,
    field      TEXT   NOT NULL,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (side, object, record_id, field)
);

-- OAuth grants, sealed with AES-256-GCM under HUBFORCE_SECRET_KEY.
CREATE TABLE credentials (
    side       TEXT   PRIMARY KEY,
    sealed     TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Acknowledged webhook requests not yet judged (duplicates, versions) and
-- queued: one row per request, its changes as JSON.
CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    changes     TEXT    NOT NULL,
    received_at BIGINT  NOT NULL
);

-- +goose Down
DROP TABLE inbox;
DROP TABLE credentials;
DROP TABLE written;
