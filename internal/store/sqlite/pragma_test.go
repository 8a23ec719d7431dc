package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

func TestPragmas(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	for _, tc := range []struct {
		db    string
		query string
		want  string
	}{
		{"write", "PRAGMA journal_mode", "wal"},
		{"write", "PRAGMA synchronous", "2"}, // FULL: fsync at every commit
		{"write", "PRAGMA busy_timeout", "10000"},
		{"read", "PRAGMA journal_mode", "wal"},
		{"read", "PRAGMA query_only", "1"},
	} {
		conn := db.Write
		if tc.db == "read" {
			conn = db.Read
		}
		var got string
		if err := conn.QueryRow(tc.query).Scan(&got); err != nil {
			t.Fatalf("%s %s: %v", tc.db, tc.query, err)
		}
		if got != tc.want {
			t.Errorf("%s %s = %s, want %s", tc.db, tc.query, got, tc.want)
		}
	}
	if _, err := db.Read.Exec(`CREATE TABLE x (y INTEGER)`); err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestOpenRejectsBadPaths(t *testing.T) {
	for _, p := range []string{"", "a.db?mode=ro", "a#b"} {
		if db, err := Open(context.Background(), p); err == nil {
			_ = db.Close()
			t.Errorf("Open(%q) succeeded", p)
		}
	}
}
