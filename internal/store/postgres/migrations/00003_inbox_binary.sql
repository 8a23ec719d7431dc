-- +goose Up
-- The inbox holds the compact binary encoding of internal/store/codec.go
-- (JSON cost ten times the CPU on the acknowledgement path).
ALTER TABLE inbox ALTER COLUMN changes TYPE BYTEA USING convert_to(changes, 'UTF8');

-- +goose Down
ALTER TABLE inbox ALTER COLUMN changes TYPE TEXT USING convert_from(changes, 'UTF8');
