package mapping

import (
	"fmt"

	"github.com/hubforce/hubforce"
)

// DeletionAction is what a record's deletion on one side does to its
// linked counterpart on the other.
type DeletionAction string

const (
	// DeleteIgnore records the deletion and leaves the counterpart alone
	// (the default: a deletion is hard to undo).
	DeleteIgnore DeletionAction = "ignore"
	// DeleteMirror deletes the counterpart (HubSpot: archived, restorable
	// for 90 days; Salesforce: to the recycle bin, 15 days).
	DeleteMirror DeletionAction = "mirror"
	// DeleteMark sets a field on the counterpart (a "Deleted in HubSpot"
	// checkbox) and keeps it.
	DeleteMark DeletionAction = "mark"
)

var deletionActions = []DeletionAction{DeleteIgnore, DeleteMirror, DeleteMark}

// Deletion is an object's choice for deletions made on one side.
type Deletion struct {
	Action DeletionAction
	// Field is, for DeleteMark, the counterpart's field (named on the
	// other side) set to true.
	Field string
}

// Deletion returns what a deletion of obj on side `from` does to the
// counterpart; ignore unless the mapping file says otherwise.
func (m *Mapping) Deletion(obj hubforce.Object, from hubforce.Side) Deletion {
	if om, ok := m.objects[obj]; ok {
		if d, ok := om.Deletions[from]; ok {
			return d
		}
	}
	return Deletion{Action: DeleteIgnore}
}

// deletions decodes an object's "deletions": a single action for both
// sides, or per side with the fields a mark sets:
//
//	deletions:
//	  hubspot: mark                            # a HubSpot deletion …
//	  mark_salesforce: Deleted_in_HubSpot__c   # … checks this on the Account/Contact
//	  salesforce: mirror                       # a Salesforce deletion archives the HubSpot record
//	  mark_hubspot: deleted_in_salesforce      # what mark would set on HubSpot
func (l *loader) deletions(n *node, where string) map[hubforce.Side]Deletion {
	out := map[hubforce.Side]Deletion{}
	if n.kind == scalarNode {
		a := l.deletionAction(n, where)
		if a == DeleteMark {
			l.errorf(n, where, "mark needs the field to set on each side: write hubspot: mark with mark_salesforce: FIELD (and salesforce: mark with mark_hubspot: property)")
			return out
		}
		if a != "" {
			out[hubforce.HubSpot] = Deletion{Action: a}
			out[hubforce.Salesforce] = Deletion{Action: a}
		}
		return out
	}
	e := l.entries(n, where, "hubspot", "salesforce", "mark_salesforce", "mark_hubspot")
	for _, side := range []hubforce.Side{hubforce.HubSpot, hubforce.Salesforce} {
		markKey := "mark_" + string(side.Other())
		d := Deletion{Action: DeleteIgnore}
		if an, ok := e[string(side)]; ok {
			if a := l.deletionAction(an, where+"."+string(side)); a != "" {
				d.Action = a
			}
		}
		fn, hasField := e[markKey]
		switch {
		case d.Action == DeleteMark && !hasField:
			l.errorf(n, where+"."+string(side), "mark needs %s, the %s field to set when %s deletes the record", markKey, side.Other().Title(), side.Title())
		case d.Action == DeleteMark && side.Other() == hubforce.Salesforce:
			d.Field = l.salesforceField(fn, n, where+"."+markKey)
		case d.Action == DeleteMark:
			d.Field = l.hubspotField(fn, n, where+"."+markKey)
		case hasField:
			l.errorf(fn, where+"."+markKey, "%s is only used when %s: mark", markKey, side)
		}
		out[side] = d
	}
	return out
}

func (l *loader) deletionAction(n *node, where string) DeletionAction {
	a := DeletionAction(l.str(n, where))
	for _, known := range deletionActions {
		if a == known {
			return a
		}
	}
	l.errorf(n, where, "unknown deletion action %q; want one of ignore, mirror, mark", a)
	return ""
}

// String names the choice for people ("mark Deleted_in_HubSpot__c").
func (d Deletion) String() string {
	if d.Action == DeleteMark {
		return fmt.Sprintf("mark %s", d.Field)
	}
	return string(d.Action)
}
