-- +goose Up
-- A claim looks only at changes no round holds (lease_token IS NULL): the
-- rounds in flight hold the oldest records, and stepping over their changes
-- made every claim's cost grow with the work in flight. The changes of a
-- round whose lease expired (a crashed process) are found by their token
-- and released first.
CREATE INDEX pending_leased ON pending (lease_token) WHERE lease_token IS NOT NULL;

-- +goose Down
DROP INDEX pending_leased;
