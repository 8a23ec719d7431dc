-- +goose Up
-- Times are Unix nanoseconds. Every table that orders rows uses
-- AUTOINCREMENT so that an id is never reused after a delete: a pending seq
-- orders a record's changes, and a dead letter id is given to operators.

-- Delivery ids seen, for duplicate detection (SPEC §3.2).
CREATE TABLE deliveries (
    side        TEXT   NOT NULL,
    delivery_id TEXT   NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (side, delivery_id)
);
CREATE INDEX deliveries_received_at ON deliveries (received_at);

-- One row per record ever delivered; ingest locks it so that a record's
-- pending changes are committed in sequence order across replicas.
CREATE TABLE records (
    side             TEXT   NOT NULL,
    object           TEXT   NOT NULL,
    record_id        TEXT   NOT NULL,
    last_received_at BIGINT NOT NULL,
    PRIMARY KEY (side, object, record_id)
);

-- The newest version accepted per record and version key; only moves forward.
CREATE TABLE record_versions (
    side        TEXT   NOT NULL,
    object      TEXT   NOT NULL,
    record_id   TEXT   NOT NULL,
    version_key TEXT   NOT NULL,
    version     BIGINT NOT NULL,
    PRIMARY KEY (side, object, record_id, version_key)
);

-- Accepted changes waiting to be written to the other side.
CREATE TABLE pending (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    side        TEXT    NOT NULL CHECK (side IN ('hubspot', 'salesforce')),
    object      TEXT    NOT NULL,
    record_id   TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    delivery_id TEXT    NOT NULL,
    version     BIGINT  NOT NULL,
    payload     TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    enqueued_at BIGINT  NOT NULL,
    due_at      BIGINT  NOT NULL,
    lease_token TEXT
);
CREATE INDEX pending_record ON pending (side, object, record_id, seq);
CREATE INDEX pending_due ON pending (side, due_at);
CREATE INDEX pending_delivery ON pending (side, delivery_id);

-- Who owns a record's pending changes (SPEC §3.4: one write in flight).
CREATE TABLE record_leases (
    side        TEXT   NOT NULL,
    object      TEXT   NOT NULL,
    record_id   TEXT   NOT NULL,
    token       TEXT   NOT NULL,
    lease_until BIGINT NOT NULL,
    PRIMARY KEY (side, object, record_id)
);

CREATE TABLE dead_letters (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    side        TEXT    NOT NULL,
    object      TEXT    NOT NULL,
    record_id   TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    delivery_id TEXT    NOT NULL,
    version     BIGINT  NOT NULL,
    payload     TEXT    NOT NULL,
    category    TEXT    NOT NULL,
    code        TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    attempts    INTEGER NOT NULL,
    enqueued_at BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL
);
CREATE INDEX dead_letters_record ON dead_letters (side, object, record_id);

-- Every delivery and decision, for `hubforce explain` (SPEC §3.13).
CREATE TABLE history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT    NOT NULL,
    side        TEXT    NOT NULL,
    object      TEXT    NOT NULL,
    record_id   TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    version     BIGINT  NOT NULL,
    decision    TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    fields      TEXT    NOT NULL,
    received_at BIGINT  NOT NULL
);
CREATE INDEX history_record ON history (side, object, record_id, id);
CREATE INDEX history_received_at ON history (received_at);

CREATE TABLE links (
    object        TEXT   NOT NULL,
    hubspot_id    TEXT   NOT NULL,
    salesforce_id TEXT   NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (object, hubspot_id),
    UNIQUE (object, salesforce_id)
);

CREATE TABLE checkpoints (
    key        TEXT   PRIMARY KEY,
    value      TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE checkpoints;
DROP TABLE links;
DROP TABLE history;
DROP TABLE dead_letters;
DROP TABLE record_leases;
DROP TABLE pending;
DROP TABLE record_versions;
DROP TABLE records;
DROP TABLE deliveries;
