package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/hubforce/hubforce/internal/store"
	"github.com/hubforce/hubforce/internal/store/storetest"
)

// newDatabase makes a migrated database file in the test's temporary
// directory.
func newDatabase(t testing.TB) string {
	t.Helper()
	url := "sqlite:" + filepath.Join(t.TempDir(), "hubforce.db")
	if err := store.Migrate(context.Background(), url); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return url
}

func TestStore(t *testing.T) {
	storetest.Run(t, newDatabase)
}

func TestOpenRefusesUnmigratedDatabase(t *testing.T) {
	url := "sqlite:" + filepath.Join(t.TempDir(), "fresh.db")
	if s, err := store.Open(context.Background(), url); err == nil {
		_ = s.Close()
		t.Fatal("opened a database without its schema")
	}
	if err := store.Migrate(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	// Migrating again is a no-op.
	if err := store.Migrate(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	storetest.Open(t, url)
}
