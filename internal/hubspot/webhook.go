package hubspot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// MaxEvents is the most events HubSpot puts in one webhook request ("Each
// request can contain up to 100 events", webhooks guide). ParseEvents refuses
// more: the body has already passed the signature check, so a larger batch
// means the sender is not behaving as documented, and a 400 that HubSpot
// retries for 24 hours is louder and safer than silently taking on work the
// pipeline was sized not to see.
const MaxEvents = 100

// maxWebhookEvents bounds the events ParseBatch takes from one body. HubSpot sends
// at most MaxEvents; a longer signed batch is still taken whole, so nothing
// valid is lost, but not without end.
const maxWebhookEvents = 10 * MaxEvents

// ErrMalformed wraps every reason ParseEvents refuses a body (answer 400).
var ErrMalformed = errors.New("hubspot webhook: malformed body")

// Event is one webhook event with every field HubSpot documents (WIRE.md,
// "HubSpot webhooks"). Ids are JSON numbers on the wire; they are decoded
// from the literal (never through float64), so ids above 2^53 survive, and
// anything beyond int64 is refused.
type Event struct {
	EventID          int64  // not unique on its own: pair with PortalID and SubscriptionID
	SubscriptionID   int64  //
	PortalID         int64  //
	AppID            int64  //
	OccurredAt       int64  // epoch milliseconds
	SubscriptionType string // e.g. "contact.propertyChange"; the old doc's "eventType" is accepted
	AttemptNumber    int    // starts at 0
	ObjectID         int64  // absent on legacy association events
	ObjectTypeID     string // generic "object.*" events: "0-1" contact, "0-2" company
	PropertyName     string
	PropertyValue    string // "REDACTED" for Sensitive Data properties
	ChangeSource     string // "CRM_UI", "INTEGRATION", "HUBSPOT_INTERNAL"…
	SourceID         string // "userId:…", an app id, …
	ChangeFlag       string // "NEW", "CREATED", "DELETED"…
	IsSensitive      bool

	// merge
	PrimaryObjectID         int64
	MergedObjectIDs         []int64
	NewObjectID             int64
	NumberOfPropertiesMoved int

	// associationChange
	AssociationType      string // legacy: "CONTACT_TO_COMPANY"…
	FromObjectID         int64
	ToObjectID           int64
	FromObjectTypeID     string // generic: "0-1"…
	ToObjectTypeID       string
	AssociationTypeID    int64
	AssociationCategory  string // "HUBSPOT_DEFINED"…
	AssociationRemoved   bool
	IsPrimaryAssociation bool
}

// wireEvent is the JSON shape (webhook_decode.go fills it). json.Number
// keeps the literal, so presence can be told from zero and no float
// rounding happens; PropertyValue and SourceID also take numbers and
// booleans, which some senders emit, as their text.
type wireEvent struct {
	EventID                 json.Number   `json:"eventId"`
	SubscriptionID          json.Number   `json:"subscriptionId"`
	PortalID                json.Number   `json:"portalId"`
	AppID                   json.Number   `json:"appId"`
	OccurredAt              json.Number   `json:"occurredAt"`
	SubscriptionType        string        `json:"subscriptionType"`
	EventType               string        `json:"eventType"`
	AttemptNumber           json.Number   `json:"attemptNumber"`
	ObjectID                json.Number   `json:"objectId"`
	ObjectTypeID            string        `json:"objectTypeId"`
	PropertyName            string        `json:"propertyName"`
	PropertyValue           string        `json:"propertyValue"`
	ChangeSource            string        `json:"changeSource"`
	SourceID                string        `json:"sourceId"`
	ChangeFlag              string        `json:"changeFlag"`
	IsSensitive             bool          `json:"isSensitive"`
	PrimaryObjectID         json.Number   `json:"primaryObjectId"`
	MergedObjectIDs         []json.Number `json:"mergedObjectIds"`
	NewObjectID             json.Number   `json:"newObjectId"`
	NumberOfPropertiesMoved json.Number   `json:"numberOfPropertiesMoved"`
	AssociationType         string        `json:"associationType"`
	FromObjectID            json.Number   `json:"fromObjectId"`
	ToObjectID              json.Number   `json:"toObjectId"`
	FromObjectTypeID        string        `json:"fromObjectTypeId"`
	ToObjectTypeID          string        `json:"toObjectTypeId"`
	AssociationTypeID       json.Number   `json:"associationTypeId"`
	AssociationCategory     string        `json:"associationCategory"`
	AssociationRemoved      bool          `json:"associationRemoved"`
	IsPrimaryAssociation    bool          `json:"isPrimaryAssociation"`
}

// ParseEvents decodes a webhook body: a JSON array of at most MaxEvents
// events. Every event must carry the fields its type needs to be understood
// (see validate); one bad event refuses the whole body, because answering
// 2xx would acknowledge it and lose it for good, while a 400 keeps HubSpot
// retrying until the parser is fixed. Unknown fields are ignored: HubSpot
// adds fields over time.
func ParseEvents(body []byte) ([]Event, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return nil, fmt.Errorf("%w: want a JSON array of events", ErrMalformed)
	}
	// Sized from a cheap count so appending never copies the (large) Event.
	events := make([]Event, 0, min(bytes.Count(body, []byte(`{`)), MaxEvents))
	if err := decodeEvents(body, &events, nil); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return events, nil
}

// BadEvent is one element of a webhook body that is valid JSON but not an
// event the bridge can read: its bytes as received and why.
type BadEvent struct {
	Index int
	Raw   []byte
	Err   error
}

// ParseBatch decodes a webhook body like ParseEvents, except that one
// unreadable event does not spoil the others (SPEC §4): it is returned in
// bad, verbatim, and the valid events in events. Only a body that is not a
// JSON array at all is an error, and so is one of more than ten times the
// MaxEvents HubSpot sends.
func ParseBatch(body []byte) (events []Event, bad []BadEvent, err error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return nil, nil, fmt.Errorf("%w: want a JSON array of events", ErrMalformed)
	}
	events = make([]Event, 0, min(bytes.Count(body, []byte(`{`)), MaxEvents))
	if err := decodeEvents(body, &events, &bad); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return events, bad, nil
}

func (w *wireEvent) event() (Event, error) {
	var p numParser
	e := Event{
		EventID:                 p.id("eventId", w.EventID, true),
		SubscriptionID:          p.id("subscriptionId", w.SubscriptionID, true),
		PortalID:                p.id("portalId", w.PortalID, true),
		AppID:                   p.id("appId", w.AppID, false),
		OccurredAt:              p.id("occurredAt", w.OccurredAt, true),
		SubscriptionType:        w.SubscriptionType,
		AttemptNumber:           int(p.small("attemptNumber", w.AttemptNumber)),
		ObjectID:                p.id("objectId", w.ObjectID, false),
		ObjectTypeID:            w.ObjectTypeID,
		PropertyName:            w.PropertyName,
		PropertyValue:           string(w.PropertyValue),
		ChangeSource:            w.ChangeSource,
		SourceID:                string(w.SourceID),
		ChangeFlag:              w.ChangeFlag,
		IsSensitive:             w.IsSensitive,
		PrimaryObjectID:         p.id("primaryObjectId", w.PrimaryObjectID, false),
		NewObjectID:             p.id("newObjectId", w.NewObjectID, false),
		NumberOfPropertiesMoved: int(p.small("numberOfPropertiesMoved", w.NumberOfPropertiesMoved)),
		AssociationType:         w.AssociationType,
		FromObjectID:            p.id("fromObjectId", w.FromObjectID, false),
		ToObjectID:              p.id("toObjectId", w.ToObjectID, false),
		FromObjectTypeID:        w.FromObjectTypeID,
		ToObjectTypeID:          w.ToObjectTypeID,
		AssociationTypeID:       p.id("associationTypeId", w.AssociationTypeID, false),
		AssociationCategory:     w.AssociationCategory,
		AssociationRemoved:      w.AssociationRemoved,
		IsPrimaryAssociation:    w.IsPrimaryAssociation,
	}
	if e.SubscriptionType == "" {
		// The webhooks guide's own example labels the type "eventType".
		e.SubscriptionType = w.EventType
	}
	for _, n := range w.MergedObjectIDs {
		e.MergedObjectIDs = append(e.MergedObjectIDs, p.id("mergedObjectIds[]", n, true))
	}
	return e, p.err
}

// numParser collects the first number error so event() stays one table.
type numParser struct{ err error }

// id parses a non-negative integer literal; required fields must be present.
func (p *numParser) id(field string, n json.Number, required bool) int64 {
	if p.err != nil {
		return 0
	}
	if n == "" {
		if required {
			p.err = fmt.Errorf("missing %s", field)
		}
		return 0
	}
	if v, ok := smallDecimal(string(n)); ok {
		return v
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || v < 0 {
		p.err = fmt.Errorf("%s %q is not a non-negative integer", field, truncate(string(n), 24))
		return 0
	}
	return v
}

// small parses an optional counter that must fit an int32.
func (p *numParser) small(field string, n json.Number) int64 {
	v := p.id(field, n, false)
	if v > 1<<31-1 && p.err == nil {
		p.err = fmt.Errorf("%s %d out of range", field, v)
		return 0
	}
	return v
}

// smallDecimal parses the common case, up to 18 plain digits (below 2^63
// whatever they are), without strconv's generality; anything else takes
// the full path.
func smallDecimal(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 {
		return 0, false
	}
	var v int64
	for i := range len(s) {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + int64(d)
	}
	return v, true
}
