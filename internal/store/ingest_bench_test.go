package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
)

// BenchmarkIngest prices the per-field memory of SPEC §3.2 (the hash of the
// value seen at each field's version): the same stream of Salesforce-like
// snapshots (eleven fields, one of them changed each time, over a bounded
// set of records) ingested with and without value hashes. Besides ns/op it
// reports the record_versions rows and bytes per change and the database's
// growth per change; compare the two runs as ratios.
func BenchmarkIngest(b *testing.B) {
	for _, hashes := range []bool{true, false} {
		b.Run("value_hashes="+strconv.FormatBool(hashes), func(b *testing.B) {
			benchIngestSnapshots(b, hashes)
		})
	}
}

const benchRecords, benchBatch = 500, 20

var benchFields = []string{"Email", "FirstName", "LastName", "Phone", "MobilePhone", "Title",
	"MailingStreet", "MailingCity", "MailingState", "MailingPostalCode", "MailingCountry"}

func benchIngestSnapshots(b *testing.B, hashes bool) {
	ctx := context.Background()
	url := "sqlite:" + filepath.Join(b.TempDir(), "bench.db")
	if err := Migrate(ctx, url); err != nil {
		b.Fatal(err)
	}
	opts := []Option{WithDrainTimeout(time.Minute)}
	if !hashes {
		opts = append(opts, func(c *config) { c.noValueHashes = true })
	}
	st, err := Open(ctx, url, opts...)
	if err != nil {
		b.Fatal(err)
	}
	s := st.(*sqlStore)
	defer func() {
		if err := s.Close(); err != nil {
			b.Error(err)
		}
	}()
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	snapshot := func(n int) hubforce.Change {
		rec := n % benchRecords
		fields := make(map[string]string, len(benchFields))
		for i, f := range benchFields {
			fields[f] = fmt.Sprintf("%s of record %d", f, rec)
			if i == n/benchRecords%len(benchFields) {
				fields[f] = fmt.Sprintf("%s edit %d", f, n)
			}
		}
		fields["Email"] = fmt.Sprintf("r%d@example.com", rec)
		return hubforce.Change{Side: hubforce.Salesforce, Object: hubforce.Contact,
			RecordID: fmt.Sprintf("003%015d", rec), Kind: hubforce.KindUpdate,
			DeliveryID: fmt.Sprintf("04l%015d", n), Version: base.Add(time.Duration(n) * time.Second), Fields: fields}
	}
	// Every record is known before the timer starts, so that the run
	// measures steady state: rows updated in place, not first inserts.
	n := 0
	ingest := func() {
		batch := make([]hubforce.Change, 0, benchBatch)
		for range benchBatch {
			batch = append(batch, snapshot(n))
			n++
		}
		if _, err := s.Ingest(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	for n < benchRecords {
		ingest()
	}
	sizeBefore := dbSize(b, s)
	b.ResetTimer()
	for range b.N {
		ingest()
	}
	b.StopTimer()
	changes := float64(b.N * benchBatch)
	var rows, hashBytes, rowBytes int64
	if err := s.b.read.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(length(value_hash)), 0),
		coalesce(sum(length(side) + length(object) + length(record_id) + length(version_key) + 8 + coalesce(length(value_hash), 0)), 0)
		FROM record_versions`).Scan(&rows, &hashBytes, &rowBytes); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(changes/b.Elapsed().Seconds(), "changes/s")
	b.ReportMetric(float64(rows), "version_rows")
	b.ReportMetric(float64(rows)/float64(benchRecords), "version_rows/record")
	b.ReportMetric(float64(rowBytes)/float64(rows), "B/version_row")
	b.ReportMetric(float64(hashBytes)/float64(rows), "hash_B/version_row")
	b.ReportMetric(float64(dbSize(b, s)-sizeBefore)/changes, "db_B/change")
}

// dbSize is the SQLite database's size in bytes, pages in use only.
func dbSize(b *testing.B, s *sqlStore) int64 {
	b.Helper()
	var pages, free, size int64
	ctx := context.Background()
	for q, v := range map[string]*int64{"PRAGMA page_count": &pages, "PRAGMA freelist_count": &free, "PRAGMA page_size": &size} {
		if err := s.b.read.QueryRowContext(ctx, q).Scan(v); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	return (pages - free) * size
}
