// Package hubforce holds the domain types every other package speaks: the two
// sides, the objects synced between them, the normalised change that both
// webhook formats are parsed into, and the decisions taken on each delivery.
//
// Adapters live under internal/, each named for what it wraps; they depend on
// this package and never on each other's internals.
package hubforce

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Side is one of the two CRMs.
type Side string

const (
	HubSpot    Side = "hubspot"
	Salesforce Side = "salesforce"
)

// Title is the CRM's own name, for people ("HubSpot", "Salesforce").
func (s Side) Title() string {
	switch s {
	case HubSpot:
		return "HubSpot"
	case Salesforce:
		return "Salesforce"
	}
	return string(s)
}

// Other returns the side a change on s is delivered to.
func (s Side) Other() Side {
	if s == HubSpot {
		return Salesforce
	}
	return HubSpot
}

// Object is the bridge's own name for a synced record type; each side has its
// own spelling (HubSpotName, SalesforceName).
type Object string

const (
	Contact Object = "contact"
	Company Object = "company"
)

// HubSpotName is the CRM v3 object type in HubSpot URLs ("contacts").
func (o Object) HubSpotName() string {
	switch o {
	case Contact:
		return "contacts"
	case Company:
		return "companies"
	}
	return string(o)
}

// SalesforceName is the sObject type ("Contact", "Account").
func (o Object) SalesforceName() string {
	switch o {
	case Contact:
		return "Contact"
	case Company:
		return "Account"
	}
	return string(o)
}

// ObjectFromHubSpot maps a HubSpot object name or objectTypeId to an Object.
// ok is false for objects the bridge does not sync.
func ObjectFromHubSpot(name string) (Object, bool) {
	switch name {
	case "contacts", "contact", "0-1":
		return Contact, true
	case "companies", "company", "0-2":
		return Company, true
	}
	return "", false
}

// ObjectFromSalesforce maps an sObject type to an Object.
func ObjectFromSalesforce(sobject string) (Object, bool) {
	switch sobject {
	case "Contact":
		return Contact, true
	case "Account":
		return Company, true
	}
	return "", false
}

// ChangeKind says what happened to a record.
type ChangeKind string

const (
	KindCreate      ChangeKind = "create"
	KindUpdate      ChangeKind = "update"
	KindDelete      ChangeKind = "delete"
	KindRestore     ChangeKind = "restore"
	KindMerge       ChangeKind = "merge"
	KindAssociation ChangeKind = "association"
	// KindPrivacyDelete is a GDPR deletion (HubSpot contact.privacyDeletion).
	KindPrivacyDelete ChangeKind = "privacy_delete"
	// KindMalformed is a part of a request that could not be read (one
	// event of a HubSpot batch, one <Notification> of an Outbound Message):
	// kept verbatim in Raw as a dead letter while the rest of the request
	// goes on (SPEC §4). It is never delivered.
	KindMalformed ChangeKind = "malformed"
)

// Change is one event from one side, normalised. HubSpot sends one event per
// changed property; Salesforce sends a snapshot of the fields the admin
// selected. Both become a Change with the fields they carry.
type Change struct {
	Side     Side
	Object   Object
	RecordID string
	Kind     ChangeKind

	// DeliveryID identifies the event for duplicate detection: HubSpot
	// "portalId/subscriptionId/eventId" (eventId alone is not unique),
	// Salesforce the notification Id.
	DeliveryID string

	// Version orders changes to one record: HubSpot occurredAt, Salesforce
	// SystemModstamp (or LastModifiedDate). Zero when the delivery carries none.
	Version time.Time

	// Fields holds the property values the event carries, by source-side
	// name. A HubSpot propertyChange carries one; a creation none (the bridge
	// reads the record); an Outbound Message the selected fields. An empty
	// string clears a value.
	Fields map[string]string

	// Source tells who made the change, for echo detection: HubSpot
	// changeSource ("INTEGRATION", "CRM_UI"…) and sourceId; Salesforce
	// LastModifiedById.
	ChangeSource string
	SourceID     string

	// Merge: the surviving record and the ones merged into it.
	MergedIDs []string
	NewID     string

	// Association: the company the contact is (or no longer is) attached to.
	AssociatedID       string
	AssociationRemoved bool
	AssociationPrimary bool

	// Attempt is the sender's delivery attempt number (HubSpot attemptNumber).
	Attempt int

	// Origin says where the change came from; live webhooks ("") go ahead
	// of reconciliation and backfill work.
	Origin Origin `json:",omitempty"`

	// Trigger says that the change only tells that the record changed: its
	// Fields and Version are the sender's claim, kept for the record's
	// history, and the record is read back before anything is written
	// (Salesforce Outbound Messages carry no signature, SPEC §3.14). A
	// trigger is judged by its delivery id alone.
	Trigger bool `json:",omitempty"`

	// Raw and Problem belong to a KindMalformed change: the bytes as they
	// arrived and why they could not be read. Object and RecordID are
	// filled only where the malformed part told them.
	Raw     string `json:",omitempty"`
	Problem string `json:",omitempty"`
}

// Malformed makes the change that keeps an unreadable part of a request.
// Its delivery id is the hash of the bytes, so that the same bytes received
// twice are kept once.
func Malformed(side Side, raw []byte, problem error) Change {
	sum := sha256.Sum256(raw)
	return Change{Side: side, Kind: KindMalformed, DeliveryID: "malformed/" + hex.EncodeToString(sum[:16]),
		Raw: string(raw), Problem: problem.Error()}
}

// Origin is where a change came from.
type Origin string

const (
	FromWebhook   Origin = ""
	FromReconcile Origin = "reconcile"
	FromBackfill  Origin = "backfill"
)

// Background says whether the change comes from work started by the bridge
// (reconciliation, backfill) rather than from a live webhook.
func (o Origin) Background() bool { return o != FromWebhook }

// Decision is what the bridge did with a delivered change; it is kept in the
// record's history so that `hubforce explain` can tell the story.
type Decision string

const (
	Accepted  Decision = "accepted" // committed, waiting for delivery
	Duplicate Decision = "duplicate"
	Stale     Decision = "stale"
	Echo      Decision = "echo"
	Unmapped  Decision = "unmapped"
	Applied   Decision = "applied"
	// Skipped: delivered, but the bridge chose not to write (a deletion
	// under the default policy, a record gone from its side, nothing left
	// to change after conflicts were resolved).
	Skipped Decision = "skipped"
	// Conflicted: a field's change lost to a newer change on the other
	// side (two-way rule) and was not written.
	Conflicted   Decision = "conflicted"
	DeadLettered Decision = "dead_lettered"
)

// Link pairs the same record on both sides.
type Link struct {
	Object       Object
	HubSpotID    string
	SalesforceID string
	CreatedAt    time.Time
}

// ID returns the link's id on side s.
func (l Link) ID(s Side) string {
	if s == HubSpot {
		return l.HubSpotID
	}
	return l.SalesforceID
}
