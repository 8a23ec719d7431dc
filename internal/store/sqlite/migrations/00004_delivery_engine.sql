-- +goose Up
-- Live webhooks go ahead of reconciliation and backfill (0 live, 1
-- background), and a change held back by its side (an outage, paused
-- credentials or budget) says so, so that it can go out as soon as the side
-- recovers instead of at its next backoff time.
ALTER TABLE pending ADD COLUMN priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pending ADD COLUMN waiting_on TEXT NOT NULL DEFAULT '';
CREATE INDEX pending_claim ON pending (side, priority, seq);

-- When a lease was taken: a claim may take over a lease only when it has
-- expired by the claim's own clock, compared in one multi-row upsert.
ALTER TABLE record_leases ADD COLUMN claimed_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX record_leases_token ON record_leases (token);

-- Per field, the value seen at the version (a hash, so that the memory costs
-- the same for every value): an equal version is a duplicate only when the
-- value is the same too (SPEC §3.2). NULL for version slots that carry no
-- value (creations, associations).
ALTER TABLE record_versions ADD COLUMN value_hash TEXT;

-- +goose Down
DROP INDEX record_leases_token;
DROP INDEX pending_claim;
ALTER TABLE record_versions DROP COLUMN value_hash;
ALTER TABLE record_leases DROP COLUMN claimed_at;
ALTER TABLE pending DROP COLUMN waiting_on;
ALTER TABLE pending DROP COLUMN priority;
