package reconcile

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
)

// lastModifiedBy is the Salesforce field that names who made the record's
// latest change: the engine's echo check compares it with the integration
// user, as it does for Outbound Messages.
const lastModifiedBy = "LastModifiedById"

// hubspotChanges turns a polled HubSpot record into one update per mapped
// property that has a value, each versioned with the record's updatedAt
// (see doc.go for why, and for what this over-approximates).
func hubspotChanges(obj hubforce.Object, rec hubforce.Record, props []string) []hubforce.Change {
	ms := strconv.FormatInt(rec.Modified.UnixMilli(), 10)
	var out []hubforce.Change
	for _, p := range props {
		v, ok := rec.Fields[p]
		if !ok || v == "" {
			continue
		}
		out = append(out, hubforce.Change{
			Side: hubforce.HubSpot, Object: obj, RecordID: rec.ID, Kind: hubforce.KindUpdate,
			DeliveryID: "poll/hubspot/" + string(obj) + "/" + rec.ID + "/" + ms + "/" + p,
			Version:    rec.Modified,
			Fields:     map[string]string{p: v},
		})
	}
	return out
}

// salesforceChange turns a polled Salesforce record into exactly what an
// Outbound Message for it would have become: a snapshot versioned with
// SystemModstamp, its author in SourceID.
func salesforceChange(obj hubforce.Object, rec hubforce.Record) hubforce.Change {
	return hubforce.Change{
		Side: hubforce.Salesforce, Object: obj, RecordID: rec.ID, Kind: hubforce.KindUpdate,
		DeliveryID: "poll/salesforce/" + string(obj) + "/" + rec.ID + "/" + rec.Modified.UTC().Format(time.RFC3339Nano),
		Version:    rec.Modified,
		Fields:     maps.Clone(rec.Fields),
		SourceID:   strings.TrimSpace(rec.Fields[lastModifiedBy]),
	}
}

// converter reads one side's records and turns them into changes.
type converter struct {
	store  Store
	side   hubforce.Side
	object hubforce.Object
	props  []string // HubSpot: the mapped properties
}

// changes returns what rec should feed to the pipeline: nothing when the
// store already holds a version at least as new as the record's latest
// modification (its webhook or Outbound Message arrived, or an earlier poll
// fed it), so that a poll costs one version lookup per unchanged record.
func (c converter) changes(ctx context.Context, rec hubforce.Record) ([]hubforce.Change, error) {
	if rec.ID == "" {
		return nil, nil
	}
	if !rec.Modified.IsZero() {
		vs, err := c.store.Versions(ctx, c.side, c.object, rec.ID)
		if err != nil {
			return nil, fmt.Errorf("versions of %s %s %s: %w", c.side, c.object, rec.ID, err)
		}
		for _, v := range vs {
			if !v.Before(rec.Modified) {
				return nil, nil
			}
		}
	}
	if c.side == hubforce.HubSpot {
		return hubspotChanges(c.object, rec, c.props), nil
	}
	return []hubforce.Change{salesforceChange(c.object, rec)}, nil
}
