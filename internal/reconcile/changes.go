package reconcile

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
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
			DeliveryID: "poll/hubspot/" + string(obj) + "/" + rec.ID + "/" + ms + "/" + p + "/" + store.ValueHash(v)[:8],
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
		DeliveryID: "poll/salesforce/" + string(obj) + "/" + rec.ID + "/" + rec.Modified.UTC().Format(time.RFC3339Nano) + "/" + fieldsHash(rec.Fields),
		Version:    rec.Modified,
		Fields:     maps.Clone(rec.Fields),
		SourceID:   strings.TrimSpace(rec.Fields[lastModifiedBy]),
	}
}

// salesforceDeletion turns a record read from the recycle bin into a
// deletion, or, when a merge deleted it (MasterRecordId), into the merge of
// it into the record kept, which moves its link there.
func salesforceDeletion(obj hubforce.Object, rec hubforce.Record) hubforce.Change {
	c := hubforce.Change{
		Side: hubforce.Salesforce, Object: obj, RecordID: rec.ID, Kind: hubforce.KindDelete,
		DeliveryID: "poll/salesforce/" + string(obj) + "/" + rec.ID + "/deleted",
		Version:    rec.Modified,
		SourceID:   strings.TrimSpace(rec.Fields[lastModifiedBy]),
	}
	if master := strings.TrimSpace(rec.Fields["MasterRecordId"]); master != "" {
		c.Kind, c.RecordID, c.NewID, c.MergedIDs = hubforce.KindMerge, master, master, []string{rec.ID}
		c.DeliveryID = "poll/salesforce/" + string(obj) + "/" + rec.ID + "/merged"
	}
	return c
}

// converter reads one side's records and turns them into changes.
type converter struct {
	store  Store
	side   hubforce.Side
	object hubforce.Object
	props  []string // HubSpot: the mapped properties
	origin hubforce.Origin
	// triggers: Salesforce records are read back by delivery, like
	// Outbound Messages (SPEC §3.14), so that what it remembers of their
	// values stays its own.
	triggers bool
	// deleted: the records come from the recycle bin.
	deleted bool
}

// changes returns what rec should feed to the pipeline: nothing when the
// store already holds a newer version than the record's latest modification
// (its webhook or Outbound Message arrived, or an earlier poll fed it), so
// that a poll costs one version lookup per unchanged record. An equal
// version goes on: two edits in one Salesforce second share it, and the
// store tells a new value from a duplicate (SPEC §3.2).
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
			// HubSpot's versions are milliseconds: an equal one is this
			// modification's webhook.
			if v.After(rec.Modified) || (c.side == hubforce.HubSpot && v.Equal(rec.Modified)) {
				return nil, nil
			}
		}
	}
	var out []hubforce.Change
	switch {
	case c.deleted:
		out = []hubforce.Change{salesforceDeletion(c.object, rec)}
	case c.side == hubforce.HubSpot:
		out = hubspotChanges(c.object, rec, c.props)
	default:
		sc := salesforceChange(c.object, rec)
		sc.Trigger = c.triggers
		out = []hubforce.Change{sc}
	}
	for i := range out {
		out[i].Origin = c.origin
	}
	return out, nil
}

// fieldsHash names a polled record's values, so that two polls of one
// version with other values are two deliveries.
func fieldsHash(fields map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		b.WriteString(k + "\x00" + fields[k] + "\x00")
	}
	return store.ValueHash(b.String())[:8]
}
