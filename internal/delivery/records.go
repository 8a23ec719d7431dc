package delivery

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

// record is one source record's claimed changes, in order, and what the
// direction decided to write for it.
type record struct {
	object hubforce.Object
	id     string // on the source side
	items  []store.Claimed

	// targetID is the linked (or matched) record on the other side; empty
	// means create.
	targetID string
	matched  bool
	// fields are the source-side fields to write (names on the source
	// side); all means every mapped field (creation, restore, merge, or a
	// record first seen).
	fields map[string]bool
	all    bool
	// values are the source's current values (HubSpot: read; Salesforce:
	// carried by the outbound messages).
	values map[string]string
	// assoc is the latest association change (contacts only).
	assoc *hubforce.Change
}

// group splits claimed changes by record, keeping each record's order.
func group(items []store.Claimed) []*record {
	var out []*record
	idx := map[[2]string]*record{}
	for _, it := range items {
		k := [2]string{string(it.Change.Object), it.Change.RecordID}
		r, ok := idx[k]
		if !ok {
			r = &record{object: it.Change.Object, id: it.Change.RecordID, fields: map[string]bool{}}
			idx[k] = r
			out = append(out, r)
		}
		r.items = append(r.items, it)
	}
	return out
}

// markMapped notes which of a change's fields (named on side from) are
// mapped, to be written, and reports whether any was. A Contact's AccountId
// is not a mapped field but carries the primary company association.
func (e *Engine) markMapped(r *record, from hubforce.Side, fields map[string]string) bool {
	mapped := false
	for f := range fields {
		if e.Mapping.Mapped(r.object, from, f) || (from == hubforce.Salesforce && r.object == hubforce.Contact && f == "AccountId") {
			r.fields[f] = true
			mapped = true
		}
	}
	return mapped
}

// link finds a record's counterpart on the other side.
func (e *Engine) link(ctx context.Context, obj hubforce.Object, side hubforce.Side, id string) (string, bool, error) {
	l, err := e.Store.GetLink(ctx, obj, side, id)
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return l.ID(side.Other()), true, nil
}

// putLink records a new pair.
func (e *Engine) putLink(ctx context.Context, obj hubforce.Object, side hubforce.Side, sourceID, targetID string) error {
	l := hubforce.Link{Object: obj, CreatedAt: e.Now()}
	if side == hubforce.HubSpot {
		l.HubSpotID, l.SalesforceID = sourceID, targetID
	} else {
		l.HubSpotID, l.SalesforceID = targetID, sourceID
	}
	return e.Store.PutLink(ctx, l)
}

// withoutEchoValues drops fields whose value is what the bridge last wrote
// to that record: the backstop for echoes that carry no source marker.
func withoutEchoValues(fields map[string]bool, current, written map[string]string) (kept map[string]bool, dropped []string) {
	kept = map[string]bool{}
	for f := range fields {
		if w, ok := written[f]; ok && w == current[f] {
			dropped = append(dropped, f)
			continue
		}
		kept[f] = true
	}
	return kept, dropped
}

// stringify renders typed Salesforce values the way records are read back,
// for the echo backstop.
func stringify(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case nil:
			out[k] = ""
		case string:
			out[k] = x
		case float64:
			out[k] = strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			out[k] = strconv.FormatBool(x)
		default:
			out[k] = fmt.Sprint(x)
		}
	}
	return out
}
