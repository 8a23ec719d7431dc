package reconcile

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
)

// source pages through one side's records of one object, oldest
// modification first, and converts them.
type source struct {
	read func(ctx context.Context, since time.Time, cursor string) ([]hubforce.Record, string, error)
	conv converter
}

func newSource(side hubforce.Side, obj hubforce.Object, hs HubSpot, sf Salesforce, m *mapping.Mapping, st Store,
	origin hubforce.Origin, triggers bool) (source, error) {
	if m == nil {
		return source{}, errors.New("reconcile: no mapping")
	}
	conv := converter{store: st, side: side, object: obj, origin: origin, triggers: triggers}
	switch side {
	case hubforce.HubSpot:
		if hs == nil {
			return source{}, errors.New("reconcile: no HubSpot client")
		}
		conv.props = m.HubSpotProperties(obj)
		props := conv.props
		return source{conv: conv, read: func(ctx context.Context, since time.Time, cursor string) ([]hubforce.Record, string, error) {
			return hs.ModifiedSince(ctx, obj, since, props, cursor)
		}}, nil
	case hubforce.Salesforce:
		if sf == nil {
			return source{}, errors.New("reconcile: no Salesforce client")
		}
		fields := m.SalesforceFields(obj)
		if !slices.Contains(fields, lastModifiedBy) {
			fields = append(slices.Clip(fields), lastModifiedBy)
		}
		return source{conv: conv, read: func(ctx context.Context, since time.Time, cursor string) ([]hubforce.Record, string, error) {
			return sf.ModifiedSince(ctx, obj, since, fields, cursor)
		}}, nil
	}
	return source{}, fmt.Errorf("reconcile: unknown side %q", side)
}

// deletionSource reads a Salesforce object's recycle bin.
func deletionSource(obj hubforce.Object, d SalesforceDeletions, st Store) source {
	conv := converter{store: st, side: hubforce.Salesforce, object: obj, origin: hubforce.FromReconcile, deleted: true}
	return source{conv: conv, read: func(ctx context.Context, since time.Time, cursor string) ([]hubforce.Record, string, error) {
		return d.DeletedSince(ctx, obj, since, cursor)
	}}
}

// batch is a run of records read and the changes they feed.
type batch struct {
	records int // read
	skipped int // already known to the store: nothing to feed
	changes []hubforce.Change
	newest  time.Time // the latest modification among the records
	read    []stamp   // each record read, for counting it once
}

// stamp is a record read: its id and when it was last modified.
type stamp struct {
	id       string
	modified time.Time
}

// scan reads records modified after since and hands them to commit in
// batches of size records. Records modified after until (when not zero)
// are left for a later scan; the scan stops at the first, since pages come
// oldest first. Before every page it waits for the Salesforce budget.
func scan(ctx context.Context, s source, b budget, since, until time.Time, size int, commit func(context.Context, batch) error) error {
	var cur batch
	cursor := ""
	for {
		if err := b.wait(ctx); err != nil {
			return err
		}
		recs, next, err := s.read(ctx, since, cursor)
		if err != nil {
			return fmt.Errorf("read %s %s records modified since %s: %w", s.conv.side, s.conv.object, since.Format(time.RFC3339), err)
		}
		for _, r := range recs {
			if !until.IsZero() && r.Modified.After(until) {
				next = ""
				break
			}
			cs, err := s.conv.changes(ctx, r)
			if err != nil {
				return err
			}
			cur.records++
			cur.read = append(cur.read, stamp{id: r.ID, modified: r.Modified})
			if len(cs) == 0 {
				cur.skipped++
			}
			cur.changes = append(cur.changes, cs...)
			if r.Modified.After(cur.newest) {
				cur.newest = r.Modified
			}
			if cur.records >= size {
				// A cancelled run stops at a batch boundary, its
				// checkpoint on the last committed batch.
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := commit(ctx, cur); err != nil {
					return err
				}
				cur = batch{}
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if cur.records > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		return commit(ctx, cur)
	}
	return nil
}
