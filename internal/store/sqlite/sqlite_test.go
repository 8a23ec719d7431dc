package sqlite_test

import (
	"context"
	"fmt"
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

func BenchmarkIngestSQLite(b *testing.B) {
	for _, bc := range []struct{ callers, batch int }{{1, 1}, {64, 1}, {64, 20}} {
		b.Run(fmt.Sprintf("callers=%d/batch=%d", bc.callers, bc.batch), func(b *testing.B) {
			storetest.BenchIngest(b, newDatabase, bc.callers, bc.batch)
		})
	}
}

func BenchmarkReceiveSQLite(b *testing.B) {
	for _, bc := range []struct{ callers, batch int }{{1, 10}, {64, 10}} {
		b.Run(fmt.Sprintf("callers=%d/batch=%d", bc.callers, bc.batch), func(b *testing.B) {
			storetest.BenchReceive(b, newDatabase, bc.callers, bc.batch)
		})
	}
}
