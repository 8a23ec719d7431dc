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
//
// The queue tables are vacuumed too, by the same rule on their dead rows:
// every change is inserted, updated when claimed and deleted when settled,
// and every record's lease taken and dropped, so a drain of 10,000 records
// left 100,000 dead rows in pending (73 MB for 2,000 live ones). Every
// claim, every queue count and every analysis then read through them, and
// the drain took 3 times the API floor instead of 2 (issue 7).
const (
	statsEvery     = 3 * time.Second
	statsThreshold = 500 // rows changed (or dead) since the last analysis (or vacuum), plus…
	statsShare     = 0.2 // …this share of the live rows
)

// statsTables are the tables whose statistics decide delivery's plans, and
// whether their dead rows are the store's to clear.
var statsTables = []struct {
	name   string
	vacuum bool
}{{"pending", true}, {"record_leases", true}, {"record_versions", false}, {"written", false}, {"links", false}}

// statsKeeper analyses (and, for the queue tables, vacuums) statsTables when
// they have changed enough, until stopped.
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

// refreshStatistics vacuums, in the store's schema, each queue table with
// more than statsThreshold dead rows plus statsShare of its live rows, and
// analyses each of statsTables changed by as much since it was last
// analysed (by anyone: autovacuum's work counts). SKIP_LOCKED leaves a
// table another replica is working on to it.
func (s *sqlStore) refreshStatistics(ctx context.Context) error {
	var names []string
	queue := map[string]bool{}
	for _, t := range statsTables {
		names = append(names, t.name)
		queue[t.name] = t.vacuum
	}
	rows, err := s.b.read.QueryContext(ctx,
		`SELECT relname, n_dead_tup > $2 + $3 * n_live_tup, n_mod_since_analyze > $2 + $3 * n_live_tup
		 FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = ANY($1)`,
		names, statsThreshold, statsShare)
	if err != nil {
		return fmt.Errorf("store: table statistics: %w", err)
	}
	var vacuum, analyse []string
	for rows.Next() {
		var name string
		var dead, changed bool
		if err := rows.Scan(&name, &dead, &changed); err != nil {
			rows.Close()
			return fmt.Errorf("store: table statistics: %w", err)
		}
		switch {
		case dead && queue[name]:
			vacuum = append(vacuum, name)
		case changed:
			analyse = append(analyse, name)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: table statistics: %w", err)
	}
	// The names come from statsTables, not from input.
	if len(vacuum) > 0 {
		// TRUNCATE false: giving the emptied end of a queue table back to
		// the system takes an exclusive lock, which VACUUM waited for (up
		// to 5 s, retrying) while every claim and ingest queued behind it.
		if _, err := s.b.write.ExecContext(ctx, `VACUUM (ANALYZE, SKIP_LOCKED, TRUNCATE false) `+strings.Join(vacuum, ", ")); err != nil {
			return fmt.Errorf("store: vacuum %s: %w", strings.Join(vacuum, ", "), err)
		}
	}
	if len(analyse) > 0 {
		if _, err := s.b.write.ExecContext(ctx, `ANALYZE (SKIP_LOCKED) `+strings.Join(analyse, ", ")); err != nil {
			return fmt.Errorf("store: analyse %s: %w", strings.Join(analyse, ", "), err)
		}
	}
	return nil
}
