package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/hubforce/hubforce"
)

// RecordRef names one record on one side.
type RecordRef struct {
	Side   hubforce.Side
	Object hubforce.Object
	ID     string
}

// RecordState is what the store knows of one record.
type RecordState struct {
	// Link pairs it with its counterpart; zero (no Object) when unlinked.
	Link hubforce.Link
	// Versions by version key (see VersionKey), as Versions returns them,
	// and the hash of the value seen at each (see ValueHash), where known.
	Versions map[string]time.Time
	Hashes   map[string]string
	// Written is what the bridge last wrote to it (the echo backstop).
	Written map[string]string
}

// Linked says whether the record has a counterpart.
func (r RecordState) Linked() bool { return r.Link.Object != "" }

// Lookup returns what the store knows of each record, and of the linked
// counterpart of each, in a few set-based queries in one read transaction
// (a delivery round asks once for all the records it claimed). Records the
// store knows nothing of are present with an empty state.
func (s *sqlStore) Lookup(ctx context.Context, refs []RecordRef) (map[RecordRef]RecordState, error) {
	out := make(map[RecordRef]RecordState, 2*len(refs))
	if len(refs) == 0 {
		return out, nil
	}
	tx, err := s.b.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("store: lookup: %w", err)
	}
	defer func() { _ = tx.Rollback() }() // read-only: nothing to keep
	rt := txn{Tx: tx, placeholder: s.b.placeholder, arrays: s.b.arrays}
	all := slices.Clone(refs)
	for _, r := range refs {
		out[r] = RecordState{Versions: map[string]time.Time{}, Hashes: map[string]string{}, Written: map[string]string{}}
	}
	links, err := lookupLinks(ctx, rt, refs)
	if err != nil {
		return nil, fmt.Errorf("store: lookup: %w", err)
	}
	for r, l := range links {
		st := out[r]
		st.Link = l
		out[r] = st
		other := RecordRef{Side: r.Side.Other(), Object: r.Object, ID: l.ID(r.Side.Other())}
		if _, ok := out[other]; !ok {
			out[other] = RecordState{Link: l, Versions: map[string]time.Time{}, Hashes: map[string]string{}, Written: map[string]string{}}
			all = append(all, other)
		}
	}
	for group, ids := range groupRefs(all) {
		if err := bulkIn(ctx, rt, `SELECT record_id, version_key, version, value_hash FROM record_versions
			 WHERE side = $1 AND object = $2 AND record_id IN`, "", []any{group.Side, group.Object}, ids,
			func(rows *sql.Rows) error {
				var id, key string
				var v int64
				var h sql.NullString
				if err := rows.Scan(&id, &key, &v, &h); err != nil {
					return err
				}
				st := out[RecordRef{group.Side, group.Object, id}]
				st.Versions[key] = fromNanos(v)
				if h.Valid {
					st.Hashes[key] = h.String
				}
				return nil
			}); err != nil {
			return nil, fmt.Errorf("store: lookup versions: %w", err)
		}
		if err := bulkIn(ctx, rt, `SELECT record_id, field, value FROM written
			 WHERE side = $1 AND object = $2 AND record_id IN`, "", []any{group.Side, group.Object}, ids,
			func(rows *sql.Rows) error {
				var id, f, v string
				if err := rows.Scan(&id, &f, &v); err != nil {
					return err
				}
				out[RecordRef{group.Side, group.Object, id}].Written[f] = v
				return nil
			}); err != nil {
			return nil, fmt.Errorf("store: lookup written values: %w", err)
		}
	}
	return out, nil
}

// groupRefs groups record ids by side and object.
func groupRefs(refs []RecordRef) map[RecordRef][]any {
	out := map[RecordRef][]any{}
	seen := map[RecordRef]bool{}
	for _, r := range refs {
		if seen[r] {
			continue
		}
		seen[r] = true
		g := RecordRef{Side: r.Side, Object: r.Object}
		out[g] = append(out[g], r.ID)
	}
	return out
}

func lookupLinks(ctx context.Context, tx txn, refs []RecordRef) (map[RecordRef]hubforce.Link, error) {
	out := map[RecordRef]hubforce.Link{}
	for group, ids := range groupRefs(refs) {
		col, err := linkColumn(group.Side)
		if err != nil {
			return nil, err
		}
		err = bulkIn(ctx, tx, `SELECT hubspot_id, salesforce_id, created_at FROM links WHERE object = $1 AND `+col+` IN`, "",
			[]any{group.Object}, ids, func(rows *sql.Rows) error {
				l := hubforce.Link{Object: group.Object}
				var created int64
				if err := rows.Scan(&l.HubSpotID, &l.SalesforceID, &created); err != nil {
					return err
				}
				l.CreatedAt = fromNanos(created)
				out[RecordRef{group.Side, group.Object, l.ID(group.Side)}] = l
				return nil
			})
		if err != nil {
			return nil, fmt.Errorf("links: %w", err)
		}
	}
	return out, nil
}
