package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
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
	u := newSchema(t)
	if err := store.Migrate(context.Background(), u); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return u
}

// newSchema makes an empty schema for one test, so that tests and packages
// running in parallel never see each other's rows, and drops it when the
// test ends. The URL it returns selects it through search_path.
func newSchema(t testing.TB) string {
	t.Helper()
	base := skipWithoutPostgres(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", urlVar, err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "hubforce_test_" + hex.EncodeToString(b)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", urlVar, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func TestStore(t *testing.T) {
	skipWithoutPostgres(t)
	storetest.Run(t, newDatabase)
}

// Replicas starting together each run the migrations; the advisory lock
// makes one of them apply them and the others find them applied.
func TestConcurrentMigrations(t *testing.T) {
	u := newSchema(t)
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
	if s, err := store.Open(context.Background(), newSchema(t)); err == nil {
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
