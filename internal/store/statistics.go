package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The PostgreSQL planner chooses the claim's and the lookups' plans from
// table statistics, and the store's queue tables change faster than
// autovacuum refreshes them: a backlog of 50,000 pending changes arrives in
// a minute (autovacuum's default naptime), and where autovacuum is off no
// one analyses them at all. Planned on the statistics of an empty queue,
// "the first due records in priority order" sorted the whole backlog on
// every claim (300-450 ms each), and a 10,000-record drain took 3.8 times
// the API floor instead of 2.4 (hubforce-bench drain, issue 7). So the
// store keeps the statistics of its busiest tables itself, with autovacuum's
// rule (analyse after a share of the table has changed) checked every few
// seconds, and leaves every other table to autovacuum.
const (
	statsEvery     = 3 * time.Second
	statsThreshold = 500 // rows changed since the last analysis, plus…
	statsShare     = 0.2 // …this share of the live rows
)

// statsTables are the tables whose statistics decide delivery's plans.
var statsTables = []string{"pending", "record_leases", "record_versions", "written", "links"}

// statsKeeper analyses statsTables when they have changed enough, until
// stopped.
type statsKeeper struct {
	stop chan struct{}
	done chan struct{}
}

func (s *sqlStore) keepStatistics(onErr func(error)) *statsKeeper {
	k := &statsKeeper{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(k.done)
		t := time.NewTicker(statsEvery)
		defer t.Stop()
		for {
			select {
			case <-k.stop:
				return
			case <-t.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			err := s.refreshStatistics(ctx)
			cancel()
			if err != nil && onErr != nil {
				onErr(err)
			}
		}
	}()
	return k
}

func (k *statsKeeper) close() {
	if k == nil {
		return
	}
	close(k.stop)
	<-k.done
}

// refreshStatistics analyses, in the store's schema, each of statsTables
// changed by more than statsThreshold rows plus statsShare of its rows
// since it was last analysed (by anyone: autovacuum's analyses count).
// SKIP_LOCKED leaves a table another replica is analysing to it.
func (s *sqlStore) refreshStatistics(ctx context.Context) error {
	rows, err := s.b.read.QueryContext(ctx,
		`SELECT relname FROM pg_stat_user_tables
		 WHERE schemaname = current_schema() AND relname = ANY($1)
		 AND n_mod_since_analyze > $2 + $3 * n_live_tup`, statsTables, statsThreshold, statsShare)
	if err != nil {
		return fmt.Errorf("store: table statistics: %w", err)
	}
	var stale []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("store: table statistics: %w", err)
		}
		stale = append(stale, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: table statistics: %w", err)
	}
	if len(stale) == 0 {
		return nil
	}
	// The names come from statsTables, not from input.
	if _, err := s.b.write.ExecContext(ctx, `ANALYZE (SKIP_LOCKED) `+strings.Join(stale, ", ")); err != nil {
		return fmt.Errorf("store: analyse %s: %w", strings.Join(stale, ", "), err)
	}
	return nil
}
