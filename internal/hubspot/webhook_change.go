package hubspot

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
)

// RedactedValue is what HubSpot sends as propertyValue for Sensitive Data
// properties ("Access and manage Sensitive Data", Webhooks API section).
// It is a placeholder, never the value, so it must not reach the other side.
const RedactedValue = "REDACTED"

// Subscription-type actions (the part after the dot) the bridge understands.
const (
	actionCreation          = "creation"
	actionPropertyChange    = "propertyChange"
	actionDeletion          = "deletion"
	actionMerge             = "merge"
	actionRestore           = "restore"
	actionAssociationChange = "associationChange"
	actionPrivacyDeletion   = "privacyDeletion"
)

var actionKinds = map[string]hubforce.ChangeKind{
	actionCreation:          hubforce.KindCreate,
	actionPropertyChange:    hubforce.KindUpdate,
	actionDeletion:          hubforce.KindDelete,
	actionMerge:             hubforce.KindMerge,
	actionRestore:           hubforce.KindRestore,
	actionAssociationChange: hubforce.KindAssociation,
	actionPrivacyDeletion:   hubforce.KindPrivacyDelete,
}

// classify splits the subscription type and tells whether the event is about
// a synced object. It does not look at ids, so validate can use it.
func (e Event) classify() (obj hubforce.Object, action string, ok bool) {
	prefix, action, found := strings.Cut(e.SubscriptionType, ".")
	if !found {
		return "", "", false
	}
	if _, known := actionKinds[action]; !known {
		return "", "", false
	}
	switch prefix {
	case "contact":
		obj = hubforce.Contact
	case "company":
		obj = hubforce.Company
		if action == actionPrivacyDeletion {
			return "", "", false // HubSpot defines it for contacts only
		}
	case "object":
		if action == actionPrivacyDeletion {
			return "", "", false
		}
		if action == actionAssociationChange {
			break // no objectTypeId: typed by from/toObjectTypeId below
		}
		// Only the standard ids: ObjectFromHubSpot also knows the plural
		// names, which are not objectTypeIds.
		if e.ObjectTypeID != "0-1" && e.ObjectTypeID != "0-2" {
			return "", "", false
		}
		obj, _ = hubforce.ObjectFromHubSpot(e.ObjectTypeID)
	default:
		return "", "", false // deal, ticket, conversation…: not synced
	}
	if action == actionAssociationChange {
		if _, _, isContactCompany := e.contactCompanyPair(); !isContactCompany {
			return "", "", false
		}
		// Normalised onto the contact's side, whichever side fired it.
		obj = hubforce.Contact
	}
	return obj, action, true
}

// validate refuses events whose type the bridge maps but which lack what that
// type needs. Unknown and unsynced types are only checked for the envelope
// fields every event has (numParser already did), so they can be ignored.
func (e Event) validate() error {
	if e.SubscriptionType == "" {
		return errors.New("missing subscriptionType")
	}
	if e.OccurredAt == 0 {
		return errors.New("occurredAt is zero")
	}
	prefix, action, _ := strings.Cut(e.SubscriptionType, ".")
	_, knownAction := actionKinds[action]
	if prefix == "object" && knownAction && action != actionAssociationChange && e.ObjectTypeID == "" {
		return fmt.Errorf("%s without objectTypeId", e.SubscriptionType)
	}
	if action == actionAssociationChange && (prefix == "object" || prefix == "contact" || prefix == "company") {
		return e.validateAssociation(prefix)
	}
	_, action, ok := e.classify()
	if !ok {
		return nil
	}
	switch {
	case action == actionMerge && e.survivor() == 0:
		return fmt.Errorf("%s without objectId, primaryObjectId or newObjectId", e.SubscriptionType)
	case action != actionMerge && e.ObjectID == 0:
		return fmt.Errorf("%s without objectId", e.SubscriptionType)
	case action == actionPropertyChange && e.PropertyName == "":
		return fmt.Errorf("%s without propertyName", e.SubscriptionType)
	}
	return nil
}

func (e Event) validateAssociation(prefix string) error {
	switch {
	case prefix == "object" && (e.FromObjectTypeID == "" || e.ToObjectTypeID == ""):
		return fmt.Errorf("%s without fromObjectTypeId/toObjectTypeId", e.SubscriptionType)
	case prefix != "object" && e.AssociationType == "":
		return fmt.Errorf("%s without associationType", e.SubscriptionType)
	}
	if _, _, ok := e.contactCompanyPair(); ok && (e.FromObjectID == 0 || e.ToObjectID == 0) {
		return fmt.Errorf("%s without fromObjectId/toObjectId", e.SubscriptionType)
	}
	return nil
}

// contactCompanyPair returns the contact and company of a contact↔company
// association in either direction; ok is false for any other pair.
func (e Event) contactCompanyPair() (contact, company int64, ok bool) {
	from, to := e.FromObjectTypeID, e.ToObjectTypeID
	if from == "" && to == "" {
		// Legacy form. Labelled association types extend these names
		// (e.g. "CONTACT_TO_COMPANY_UNLABELED"), hence the prefix match.
		switch t := e.AssociationType; {
		case strings.HasPrefix(t, "CONTACT_TO_COMPANY"):
			from, to = "0-1", "0-2"
		case strings.HasPrefix(t, "COMPANY_TO_CONTACT"):
			from, to = "0-2", "0-1"
		}
	}
	switch {
	case from == "0-1" && to == "0-2":
		return e.FromObjectID, e.ToObjectID, true
	case from == "0-2" && to == "0-1":
		return e.ToObjectID, e.FromObjectID, true
	}
	return 0, 0, false
}

// survivor is the record a merge leaves: the new record HubSpot created if
// any, else the primary (winning) record.
func (e Event) survivor() int64 {
	for _, id := range []int64{e.NewObjectID, e.PrimaryObjectID, e.ObjectID} {
		if id != 0 {
			return id
		}
	}
	return 0
}

// DeliveryID identifies the event for duplicate detection: eventId alone is
// documented as not unique.
func (e Event) DeliveryID() string {
	// Appended rather than Sprintf'd: it is built for every event on the
	// acknowledgement path.
	b := make([]byte, 0, 3*20+2)
	b = strconv.AppendInt(b, e.PortalID, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, e.SubscriptionID, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, e.EventID, 10)
	return string(b)
}

// Redacted reports a Sensitive Data property change whose value HubSpot
// withheld.
func (e Event) Redacted() bool {
	return strings.HasSuffix(e.SubscriptionType, "."+actionPropertyChange) && e.PropertyValue == RedactedValue
}

// Change normalises the event. ok is false for events the bridge does not
// sync (other objects, unknown subscription types, associations other than
// contact↔company); the caller acknowledges and counts them.
//
// Associations are always expressed from the contact's side: RecordID is the
// contact, AssociatedID the company, whichever side HubSpot fired it from
// (the generic form fires for both). A merge's RecordID is the surviving
// record; MergedIDs are the ids that ceased to exist. A redacted property
// change keeps the event (for history and ordering) with its value dropped:
// Fields is empty, never {"prop": "REDACTED"}.
func (e Event) Change() (hubforce.Change, bool) {
	obj, action, ok := e.classify()
	if !ok {
		return hubforce.Change{}, false
	}
	c := hubforce.Change{
		Side:         hubforce.HubSpot,
		Object:       obj,
		RecordID:     formatID(e.ObjectID),
		Kind:         actionKinds[action],
		DeliveryID:   e.DeliveryID(),
		Version:      time.UnixMilli(e.OccurredAt).UTC(),
		ChangeSource: e.ChangeSource,
		SourceID:     e.SourceID,
		Attempt:      e.AttemptNumber,
	}
	switch action {
	case actionPropertyChange:
		c.Fields = make(map[string]string, 1)
		if !e.Redacted() {
			c.Fields[e.PropertyName] = e.PropertyValue
		}
	case actionMerge:
		survivor := e.survivor()
		c.RecordID = formatID(survivor)
		c.NewID = c.RecordID
		c.MergedIDs = mergedIDs(survivor, e.PrimaryObjectID, e.MergedObjectIDs)
	case actionAssociationChange:
		contact, company, _ := e.contactCompanyPair()
		c.RecordID = formatID(contact)
		c.AssociatedID = formatID(company)
		c.AssociationRemoved = e.AssociationRemoved
		c.AssociationPrimary = e.IsPrimaryAssociation
	}
	return c, true
}

// mergedIDs lists the records a merge removed: the merged ones, plus the
// primary when HubSpot created a new record to replace both.
func mergedIDs(survivor, primary int64, merged []int64) []string {
	var out []string
	add := func(id int64) {
		s := formatID(id)
		if id != 0 && id != survivor && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	add(primary)
	for _, id := range merged {
		add(id)
	}
	return out
}

// Changes maps a parsed body, returning the synced changes in order and how
// many events were ignored.
func Changes(events []Event) (changes []hubforce.Change, ignored int) {
	if len(events) > 0 {
		changes = make([]hubforce.Change, 0, len(events))
	}
	for _, e := range events {
		if c, ok := e.Change(); ok {
			changes = append(changes, c)
		} else {
			ignored++
		}
	}
	return changes, ignored
}

func formatID(id int64) string {
	return strconv.FormatInt(id, 10)
}
