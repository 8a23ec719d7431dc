package salesforce

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
)

// Version is the record version the notification carries: SystemModstamp
// when the admin selected it, else LastModifiedDate, else zero (the engine
// then cannot order it against other changes and must read the record).
// SystemModstamp is preferred because it also moves on system updates and is
// what SOQL's incremental polling uses, so both paths agree.
func (n Notification) Version() (time.Time, error) {
	for _, field := range []string{"SystemModstamp", "LastModifiedDate"} {
		if v := strings.TrimSpace(n.Fields[field]); v != "" {
			t, err := ParseTime(v)
			if err != nil {
				return time.Time{}, fmt.Errorf("%s: %w", field, err)
			}
			return t, nil
		}
	}
	return time.Time{}, nil
}

// Change normalises a notification; ok is false for sObject types the bridge
// does not sync (Lead, Opportunity…) and for notifications without data (the
// record was deleted before delivery), which the caller acknowledges and
// counts. Reconciliation, not the message, discovers such deletions.
//
// Kind is always KindUpdate: an Outbound Message carries the record's latest
// state whether the rule fired on create or on edit, and the message does not
// say which (CreatedDate == LastModifiedDate is a hint, not a proof). The
// engine treats it as an upsert: it looks the record up through its link.
// Deletions never arrive this way (workflow rules do not fire on delete);
// reconciliation finds them.
func (n Notification) Change() (hubforce.Change, bool) {
	obj, ok := hubforce.ObjectFromSalesforce(n.SObjectType)
	id := strings.TrimSpace(n.Fields["Id"])
	if !ok || id == "" {
		return hubforce.Change{}, false
	}
	// ParseNotifications already refused unparseable timestamps.
	version, _ := n.Version()
	return hubforce.Change{
		Side:       hubforce.Salesforce,
		Object:     obj,
		RecordID:   id,
		Kind:       hubforce.KindUpdate,
		DeliveryID: n.ID,
		Version:    version,
		Fields:     maps.Clone(n.Fields),
		SourceID:   strings.TrimSpace(n.Fields["LastModifiedById"]),
	}, true
}

// Changes maps every notification of a message, returning the synced changes
// in order and how many notifications were ignored.
func (m *Message) Changes() (changes []hubforce.Change, ignored int) {
	for _, n := range m.Notifications {
		if c, ok := n.Change(); ok {
			changes = append(changes, c)
		} else {
			ignored++
		}
	}
	return changes, ignored
}
