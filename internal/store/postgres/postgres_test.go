package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
	"github.com/hubforce/hubforce/internal/store/storetest"
	"github.com/hubforce/hubforce/internal/testkit"
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

// The store keeps the planner's statistics of its queue tables itself:
// after a burst of pending changes, pending is analysed within seconds
// even where autovacuum is off (as on the CI machine) or has not woken yet.
func TestQueueStatisticsFollowABurst(t *testing.T) {
	_, maintained := burst(t)
	if ok, err := maintained("last_analyze", "last_autoanalyze"); err != nil || ok {
		t.Fatalf("pending analysed before the test waited (%v, %v): the test would prove nothing", ok, err)
	}
	if err := testkit.Eventually(context.Background(), 30*time.Second, func() (bool, error) {
		return maintained("last_analyze", "last_autoanalyze")
	}); err != nil {
		t.Fatalf("pending was not analysed after a burst of 2000 changes: %v", err)
	}
}

// TestQueueIsVacuumedAfterChurn: every change delivered leaves dead rows in
// pending (its claim's update, its deletion); where autovacuum lags a burst
// (or is off, as on this project's CI machine) the store clears them itself,
// or every claim and queue count reads through them.
func TestQueueIsVacuumedAfterChurn(t *testing.T) {
	s, maintained := burst(t)
	ctx := context.Background()
	for delivered := 0; delivered < 2000; {
		items, err := s.Claim(ctx, hubforce.Salesforce, "test", 500, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 0 {
			t.Fatalf("claimed nothing after %d of 2000", delivered)
		}
		if err := s.Complete(ctx, items); err != nil {
			t.Fatal(err)
		}
		delivered += len(items)
	}
	if err := testkit.Eventually(ctx, 30*time.Second, func() (bool, error) {
		return maintained("last_vacuum", "last_autovacuum")
	}); err != nil {
		t.Fatalf("pending was not vacuumed after 2000 changes were delivered: %v", err)
	}
}

// burst opens a store on a new database with 2000 changes pending, and
// says whether pending has had the maintenance whose time the named
// pg_stat_user_tables columns keep (the store's own, or autovacuum's).
func burst(t *testing.T) (store.Store, func(own, auto string) (bool, error)) {
	t.Helper()
	skipWithoutPostgres(t)
	ctx := context.Background()
	u := newDatabase(t)
	s, err := store.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	base := time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)
	var changes []hubforce.Change
	for i := range 2000 {
		changes = append(changes, hubforce.Change{Side: hubforce.HubSpot, Object: hubforce.Contact, RecordID: fmt.Sprint(i),
			Kind: hubforce.KindUpdate, DeliveryID: fmt.Sprintf("d%d", i), Version: base.Add(time.Duration(i) * time.Millisecond),
			Fields: map[string]string{"email": fmt.Sprintf("p%d@example.com", i)}})
	}
	if _, err := s.Ingest(ctx, changes); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return s, func(own, auto string) (bool, error) {
		var n int
		// The column names are the tests' own.
		err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_user_tables
			WHERE schemaname = current_schema() AND relname = 'pending'
			AND greatest(`+own+`, `+auto+`) IS NOT NULL`).Scan(&n)
		return n == 1, err
	}
}
