package store

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/hubforce/hubforce"
)

// SlotKey is one version slot a change is judged against, with the hash
// of the value the change carries for it (a field), or "" (no value).
type SlotKey struct {
	Key  string
	Hash string
}

// VersionKeys names the version slots a change is judged against (SPEC
// §3.2). An update is keyed by each field it carries, so that distinct
// fields changed at the same instant all apply, and an equal version with
// another value is news (Salesforce's SystemModstamp has one-second
// precision). An update carrying no field shares the "*" slot. Creations,
// deletions, merges and restores have their own "#kind" slot so that they
// neither shadow, nor are shadowed by, field updates at the same instant; an
// association is keyed by the associated record too, since a contact can
// gain two companies at once.
func VersionKeys(c hubforce.Change) []SlotKey {
	switch c.Kind {
	case hubforce.KindUpdate:
		if len(c.Fields) == 0 {
			return []SlotKey{{Key: "*"}}
		}
		keys := make([]SlotKey, 0, len(c.Fields))
		for _, f := range slices.Sorted(maps.Keys(c.Fields)) {
			keys = append(keys, SlotKey{Key: f, Hash: ValueHash(c.Fields[f])})
		}
		return keys
	case hubforce.KindAssociation:
		return []SlotKey{{Key: "#association:" + c.AssociatedID}}
	default:
		return []SlotKey{{Key: "#" + string(c.Kind)}}
	}
}

// validate rejects a change the store cannot key, before it is queued, so
// that one malformed change cannot fail the other callers of its group.
func validate(c hubforce.Change) error {
	var errs []error
	if c.Side != hubforce.HubSpot && c.Side != hubforce.Salesforce {
		errs = append(errs, fmt.Errorf("unknown side %q", c.Side))
	}
	switch {
	case c.Kind == hubforce.KindMalformed:
		// Kept for what it is: its object and record may be unknown.
		if c.Raw == "" {
			errs = append(errs, errors.New("a malformed change without its raw bytes"))
		}
	default:
		if c.Object == "" {
			errs = append(errs, errors.New("no object"))
		}
		if c.RecordID == "" {
			errs = append(errs, errors.New("no record id"))
		}
	}
	if c.Kind == "" {
		errs = append(errs, errors.New("no kind"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid change %q: %w", c.DeliveryID, errors.Join(errs...))
	}
	return nil
}
