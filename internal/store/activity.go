package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
)

// ActivityStore is what the dashboard's charts and the metrics read: counts
// over the history the store keeps anyway, so that pictures need no table
// of their own. Every method only reads.
type ActivityStore interface {
	// Activity counts the history entries recorded at or after since with
	// one of decisions, per bucket (counted from since), source side and
	// decision. Buckets with no entry are left out.
	Activity(ctx context.Context, since time.Time, bucket time.Duration, decisions []hubforce.Decision) ([]ActivityCount, error)
	// FailureActivity counts the changes dead-lettered at or after since
	// per bucket and failure category. It reads the history, so a dead
	// letter replayed or discarded since still counts where it happened.
	FailureActivity(ctx context.Context, since time.Time, bucket time.Duration) ([]FailureCount, error)
	// RecentHistory returns up to limit history entries with one of
	// decisions, newest first.
	RecentHistory(ctx context.Context, decisions []hubforce.Decision, limit int) ([]HistoryEntry, error)
	// DeadLetterCounts counts the dead letters waiting now, by category.
	DeadLetterCounts(ctx context.Context) (map[string]int64, error)
}

var _ ActivityStore = (*sqlStore)(nil)

// ActivityCount is one bucket of Activity.
type ActivityCount struct {
	Start    time.Time     // the bucket's start
	Side     hubforce.Side // the side the change was made on
	Decision hubforce.Decision
	Count    int64
}

// FailureCount is one bucket of FailureActivity.
type FailureCount struct {
	Start    time.Time
	Category string
	Count    int64
}

// in returns "$first, $first+1, …" for n values and the values as args.
func in(first int, ds []hubforce.Decision) (string, []any) {
	marks := make([]string, len(ds))
	args := make([]any, len(ds))
	for i, d := range ds {
		marks[i] = "$" + strconv.Itoa(first+i)
		args[i] = string(d)
	}
	return strings.Join(marks, ", "), args
}

func checkBucket(bucket time.Duration) error {
	if bucket <= 0 {
		return fmt.Errorf("store: activity: bucket %s is not positive", bucket)
	}
	return nil
}

func (s *sqlStore) Activity(ctx context.Context, since time.Time, bucket time.Duration, decisions []hubforce.Decision) ([]ActivityCount, error) {
	if err := checkBucket(bucket); err != nil {
		return nil, err
	}
	if len(decisions) == 0 {
		return nil, nil
	}
	marks, dargs := in(3, decisions)
	// Integer division of BIGINT nanoseconds buckets alike on both
	// databases; the history_received_at index bounds the scan.
	rows, err := s.b.read.QueryContext(ctx,
		`SELECT (received_at - $1) / $2 AS b, side, decision, COUNT(*) FROM history
		 WHERE received_at >= $1 AND decision IN (`+marks+`)
		 GROUP BY b, side, decision ORDER BY b, side, decision`,
		append([]any{nanos(since), int64(bucket)}, dargs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: activity: %w", err)
	}
	defer rows.Close()
	var out []ActivityCount
	for rows.Next() {
		var b int64
		var c ActivityCount
		if err := rows.Scan(&b, &c.Side, &c.Decision, &c.Count); err != nil {
			return nil, fmt.Errorf("store: activity: %w", err)
		}
		c.Start = since.Add(time.Duration(b) * bucket)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: activity: %w", err)
	}
	return out, nil
}

func (s *sqlStore) FailureActivity(ctx context.Context, since time.Time, bucket time.Duration) ([]FailureCount, error) {
	if err := checkBucket(bucket); err != nil {
		return nil, err
	}
	// The category leads the detail (failureDetail); grouping by the whole
	// detail keeps the SQL the same on both databases, and a bucket holds
	// few distinct messages.
	rows, err := s.b.read.QueryContext(ctx,
		`SELECT (received_at - $1) / $2 AS b, detail, COUNT(*) FROM history
		 WHERE received_at >= $1 AND decision = $3
		 GROUP BY b, detail`,
		nanos(since), int64(bucket), string(hubforce.DeadLettered))
	if err != nil {
		return nil, fmt.Errorf("store: failure activity: %w", err)
	}
	defer rows.Close()
	type key struct {
		b        int64
		category string
	}
	sums := map[key]int64{}
	var order []key
	for rows.Next() {
		var b, n int64
		var detail string
		if err := rows.Scan(&b, &detail, &n); err != nil {
			return nil, fmt.Errorf("store: failure activity: %w", err)
		}
		k := key{b, failureCategory(detail)}
		if _, ok := sums[k]; !ok {
			order = append(order, k)
		}
		sums[k] += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: failure activity: %w", err)
	}
	out := make([]FailureCount, len(order))
	for i, k := range order {
		out[i] = FailureCount{Start: since.Add(time.Duration(k.b) * bucket), Category: k.category, Count: sums[k]}
	}
	return out, nil
}

// failureCategory reads the category back from a dead-lettered entry's
// detail, which failureDetail writes as "category code: message".
func failureCategory(detail string) string {
	if c, _, ok := strings.Cut(detail, " "); ok && c != "" {
		return c
	}
	if detail == "" {
		return "unknown"
	}
	return detail
}

func (s *sqlStore) RecentHistory(ctx context.Context, decisions []hubforce.Decision, limit int) ([]HistoryEntry, error) {
	if len(decisions) == 0 || limit <= 0 {
		return nil, nil
	}
	marks, dargs := in(2, decisions)
	rows, err := s.b.read.QueryContext(ctx,
		`SELECT id, delivery_id, side, object, record_id, kind, version, decision, detail, fields, received_at
		 FROM history WHERE decision IN (`+marks+`) ORDER BY id DESC LIMIT $1`,
		append([]any{limit}, dargs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: recent history: %w", err)
	}
	defer rows.Close()
	var out []HistoryEntry
	for rows.Next() {
		var e HistoryEntry
		var version, at int64
		var fields string
		if err := rows.Scan(&e.ID, &e.DeliveryID, &e.Side, &e.Object, &e.RecordID, &e.Kind, &version,
			&e.Decision, &e.Detail, &fields, &at); err != nil {
			return nil, fmt.Errorf("store: recent history: %w", err)
		}
		e.Version, e.At = fromNanos(version), fromNanos(at)
		if err := json.Unmarshal([]byte(fields), &e.Fields); err != nil {
			return nil, fmt.Errorf("store: recent history %d: fields: %w", e.ID, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: recent history: %w", err)
	}
	return out, nil
}

func (s *sqlStore) DeadLetterCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := s.b.read.QueryContext(ctx, `SELECT category, COUNT(*) FROM dead_letters GROUP BY category`)
	if err != nil {
		return nil, fmt.Errorf("store: dead letter counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var c string
		var n int64
		if err := rows.Scan(&c, &n); err != nil {
			return nil, fmt.Errorf("store: dead letter counts: %w", err)
		}
		out[c] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: dead letter counts: %w", err)
	}
	return out, nil
}
