package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hubforce/hubforce"
)

// item is one change of a group with the slot its decision goes to.
type item struct {
	c   *hubforce.Change
	dec *hubforce.Decision
	key string // VersionKey
}

// commitGroup judges and records a group's changes in one transaction.
//
// It works in phases, each taking its row locks in one global order
// (sorted keys), so that the groups of several replicas on one PostgreSQL
// database wait for each other but never deadlock:
//  1. delivery ids, INSERT … ON CONFLICT DO NOTHING: no row inserted means
//     a duplicate, including of an earlier change in the same group;
//  2. one row per record, upserted to lock it, so that two groups
//     touching the same record commit its pending changes in sequence order;
//  3. versions, upserted only WHERE the new one is greater: no row changed
//     means stale;
//  4. pending changes and history, plain inserts that lock nothing shared.
//
// Sorts are stable, so that changes with the same key are judged in the
// order they were delivered.
func (s *sqlStore) commitGroup(ctx context.Context, group []*request) error {
	var items []item
	for _, r := range group {
		r.decisions = make([]hubforce.Decision, len(r.changes))
		for i := range r.changes {
			r.decisions[i] = hubforce.Accepted
			items = append(items, item{c: &r.changes[i], dec: &r.decisions[i], key: VersionKey(r.changes[i])})
		}
	}
	now := nanos(s.now())
	return s.inTx(ctx, func(tx *sql.Tx) error {
		st := s.stmts.in(ctx, tx)
		if err := markDuplicates(ctx, st, items, now); err != nil {
			return err
		}
		if err := lockRecords(ctx, st, items, now); err != nil {
			return err
		}
		if err := judgeVersions(ctx, st, items); err != nil {
			return err
		}
		if err := insertIngested(ctx, st, items, now); err != nil {
			return err
		}
		if s.cfg.beforeCommit != nil {
			all := make([]hubforce.Change, len(items))
			for i, it := range items {
				all[i] = *it.c
			}
			if err := s.cfg.beforeCommit(ctx, all); err != nil {
				return fmt.Errorf("before commit: %w", err)
			}
		}
		return nil
	})
}

func markDuplicates(ctx context.Context, st *bound, items []item, now int64) error {
	order := sorted(items, func(a, b item) int {
		return cmp.Or(cmp.Compare(a.c.Side, b.c.Side), cmp.Compare(a.c.DeliveryID, b.c.DeliveryID))
	})
	for _, it := range order {
		if it.c.DeliveryID == "" {
			continue // nothing to recognise it by; versions alone judge it
		}
		res, err := st.delivery(ctx,
			it.c.Side, it.c.DeliveryID, now)
		if err != nil {
			return fmt.Errorf("record delivery id: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("record delivery id: %w", err)
		} else if n == 0 {
			*it.dec = hubforce.Duplicate
		}
	}
	return nil
}

func lockRecords(ctx context.Context, st *bound, items []item, now int64) error {
	order := sorted(items, compareRecord)
	for i, it := range order {
		if *it.dec == hubforce.Duplicate || (i > 0 && compareRecord(order[i-1], it) == 0) {
			continue
		}
		if _, err := st.record(ctx,
			it.c.Side, it.c.Object, it.c.RecordID, now); err != nil {
			return fmt.Errorf("lock record: %w", err)
		}
	}
	return nil
}

func judgeVersions(ctx context.Context, st *bound, items []item) error {
	order := sorted(items, func(a, b item) int {
		return cmp.Or(compareRecord(a, b), cmp.Compare(a.key, b.key))
	})
	for _, it := range order {
		if *it.dec == hubforce.Duplicate || it.c.Version.IsZero() {
			continue // a change without a version cannot be judged stale
		}
		res, err := st.version(ctx,
			it.c.Side, it.c.Object, it.c.RecordID, it.key, nanos(it.c.Version))
		if err != nil {
			return fmt.Errorf("record version: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("record version: %w", err)
		} else if n == 0 {
			*it.dec = hubforce.Stale
		}
	}
	return nil
}

func insertIngested(ctx context.Context, st *bound, items []item, now int64) error {
	for _, it := range items {
		c := it.c
		fields, err := fieldsJSON(c.Fields)
		if err != nil {
			return err
		}
		if *it.dec == hubforce.Accepted {
			payload, err := json.Marshal(c)
			if err != nil {
				return fmt.Errorf("encode change %q: %w", c.DeliveryID, err)
			}
			if _, err := st.pending(ctx,
				c.Side, c.Object, c.RecordID, c.Kind, c.DeliveryID, nanos(c.Version), string(payload), now); err != nil {
				return fmt.Errorf("queue change: %w", err)
			}
		}
		if err := insertHistory(ctx, st.history, HistoryEntry{
			DeliveryID: c.DeliveryID, Side: c.Side, Object: c.Object, RecordID: c.RecordID, Kind: c.Kind,
			Version: c.Version, Decision: *it.dec, Detail: ingestDetail(*it.dec, it.key),
		}, fields, now); err != nil {
			return err
		}
	}
	return nil
}

func ingestDetail(d hubforce.Decision, key string) string {
	switch d {
	case hubforce.Duplicate:
		return "delivery id seen before"
	case hubforce.Stale:
		return fmt.Sprintf("not newer than the version already accepted for %q", key)
	}
	return ""
}

func fieldsJSON(f map[string]string) (string, error) {
	if f == nil {
		return "{}", nil
	}
	b, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("encode fields: %w", err)
	}
	return string(b), nil
}

func compareRecord(a, b item) int {
	return cmp.Or(cmp.Compare(a.c.Side, b.c.Side), cmp.Compare(a.c.Object, b.c.Object),
		cmp.Compare(a.c.RecordID, b.c.RecordID))
}

// sorted returns a stably sorted copy.
func sorted(items []item, f func(a, b item) int) []item {
	out := slices.Clone(items)
	slices.SortStableFunc(out, f)
	return out
}
