package store

import (
	"errors"
	"fmt"

	"github.com/hubforce/hubforce"
)

// VersionKey names the version slot a change is judged against (SPEC §3.2).
// A HubSpot propertyChange carries one property and is keyed by it, so that
// distinct properties changed at the same instant all apply. Any other update
// is a snapshot of several fields taken at one instant (a Salesforce Outbound
// Message, a reconciliation read) and shares the "*" slot. Creations,
// deletions, merges and restores have their own "#kind" slot so that they do
// not shadow, nor are shadowed by, field updates at the same instant; an
// association is keyed by the associated record too, since a contact can gain
// two companies at once.
func VersionKey(c hubforce.Change) string {
	switch c.Kind {
	case hubforce.KindUpdate:
		if c.Side == hubforce.HubSpot && len(c.Fields) == 1 {
			for name := range c.Fields {
				return name
			}
		}
		return "*"
	case hubforce.KindAssociation:
		return "#association:" + c.AssociatedID
	default:
		return "#" + string(c.Kind)
	}
}

// validate rejects a change the store cannot key, before it is queued, so
// that one malformed change cannot fail the other callers of its group.
func validate(c hubforce.Change) error {
	var errs []error
	if c.Side != hubforce.HubSpot && c.Side != hubforce.Salesforce {
		errs = append(errs, fmt.Errorf("unknown side %q", c.Side))
	}
	if c.Object == "" {
		errs = append(errs, errors.New("no object"))
	}
	if c.RecordID == "" {
		errs = append(errs, errors.New("no record id"))
	}
	if c.Kind == "" {
		errs = append(errs, errors.New("no kind"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("invalid change %q: %w", c.DeliveryID, errors.Join(errs...))
	}
	return nil
}
