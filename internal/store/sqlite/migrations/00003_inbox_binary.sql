-- +goose Up
-- The inbox holds the compact binary encoding of internal/store/codec.go.
-- SQLite stores a BLOB as given in a column declared TEXT, so nothing
-- changes here; the version keeps both dialects' numbering aligned.
SELECT 1;

-- +goose Down
SELECT 1;
