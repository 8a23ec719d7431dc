package postgres_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/hubforce/hubforce/internal/store"
	"github.com/hubforce/hubforce/internal/store/storetest"
)

const urlVar = "HUBFORCE_TEST_POSTGRES_URL"

func skipWithoutPostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(urlVar)
	if base == "" {
		t.Skipf("%s is not set; set it to a PostgreSQL URL (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL store tests", urlVar)
	}
	return base
}

// newDatabase makes a migrated schema of its own for one test.
func newDatabase(t testing.TB) string {
	t.Helper()
	u := storetest.PostgresSchema(t)
	if err := store.Migrate(context.Background(), u); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return u
}

func TestStore(t *testing.T) {
	skipWithoutPostgres(t)
	storetest.Run(t, newDatabase)
}

// Replicas starting together each run the migrations; the advisory lock
// makes one of them apply them and the others find them applied.
func TestConcurrentMigrations(t *testing.T) {
	u := storetest.PostgresSchema(t)
	errs := make(chan error, 3)
	for range 3 {
		go func() { errs <- store.Migrate(context.Background(), u) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatalf("migrate: %v", err)
		}
	}
	storetest.Open(t, u)
}

func TestOpenRefusesUnmigratedDatabase(t *testing.T) {
	if s, err := store.Open(context.Background(), storetest.PostgresSchema(t)); err == nil {
		_ = s.Close()
		t.Fatal("opened a database without its schema")
	}
}

func BenchmarkIngestPostgres(b *testing.B) {
	for _, bc := range []struct{ callers, batch int }{{1, 1}, {64, 1}, {64, 20}} {
		b.Run(fmt.Sprintf("callers=%d/batch=%d", bc.callers, bc.batch), func(b *testing.B) {
			storetest.BenchIngest(b, newDatabase, bc.callers, bc.batch)
		})
	}
}

func BenchmarkReceivePostgres(b *testing.B) {
	for _, bc := range []struct{ callers, batch int }{{1, 10}, {64, 10}} {
		b.Run(fmt.Sprintf("callers=%d/batch=%d", bc.callers, bc.batch), func(b *testing.B) {
			storetest.BenchReceive(b, newDatabase, bc.callers, bc.batch)
		})
	}
}
