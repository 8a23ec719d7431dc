package hubspotsim

import (
	"strings"
)

// Event is one webhook notification, with the fields HubSpot documents
// (developers.hubspot.com/docs/api/webhooks, "Webhook payloads") in the order
// real deliveries show them. Optional fields are omitted when not sent for
// that subscription type.
type Event struct {
	EventID          int64  `json:"eventId"`
	SubscriptionID   int64  `json:"subscriptionId"`
	PortalID         int64  `json:"portalId"`
	AppID            int64  `json:"appId"`
	OccurredAt       int64  `json:"occurredAt"`
	SubscriptionType string `json:"subscriptionType"`
	AttemptNumber    int    `json:"attemptNumber"`
	// ObjectID is absent on associationChange events, which name both ends.
	ObjectID      int64   `json:"objectId,omitempty"`
	PropertyName  string  `json:"propertyName,omitempty"`
	PropertyValue *string `json:"propertyValue,omitempty"`
	ChangeFlag    string  `json:"changeFlag,omitempty"`
	ChangeSource  string  `json:"changeSource"`
	SourceID      string  `json:"sourceId,omitempty"`

	// merge
	PrimaryObjectID         int64   `json:"primaryObjectId,omitempty"`
	MergedObjectIDs         []int64 `json:"mergedObjectIds,omitempty"`
	NewObjectID             int64   `json:"newObjectId,omitempty"`
	NumberOfPropertiesMoved *int    `json:"numberOfPropertiesMoved,omitempty"`

	// associationChange
	AssociationType      string `json:"associationType,omitempty"`
	FromObjectID         int64  `json:"fromObjectId,omitempty"`
	ToObjectID           int64  `json:"toObjectId,omitempty"`
	AssociationRemoved   *bool  `json:"associationRemoved,omitempty"`
	IsPrimaryAssociation *bool  `json:"isPrimaryAssociation,omitempty"`
}

// eventKinds are the legacy per-object subscription types HubSpot offers for
// contacts and companies (webhooks guide, "Subscription types").
var eventKinds = map[string][]string{
	"contact": {"creation", "deletion", "propertyChange", "merge", "restore", "associationChange", "privacyDeletion"},
	"company": {"creation", "deletion", "propertyChange", "merge", "restore", "associationChange"},
}

func defaultSubscriptions() []string {
	var out []string
	for _, obj := range []string{"contact", "company"} {
		for _, k := range eventKinds[obj] {
			out = append(out, obj+"."+k)
		}
	}
	return out
}

// subscriptionSet decides which events are sent and gives each subscription
// its own stable id, as HubSpot does (one subscription per type, and one per
// property for property changes).
type subscriptionSet struct {
	all      map[string]bool            // type → subscribed for every property
	perProp  map[string]map[string]bool // propertyChange type → properties
	ids      map[string]int64
	nextID   int64
	excluded map[string]bool
}

func newSubscriptionSet(subs []string) *subscriptionSet {
	s := &subscriptionSet{all: map[string]bool{}, perProp: map[string]map[string]bool{},
		ids: map[string]int64{}, nextID: 3329277,
		// Not available for propertyChange subscriptions (webhooks guide).
		excluded: map[string]bool{"hs_lastmodifieddate": true, "lastmodifieddate": true,
			"num_unique_conversion_events": true, "createdate": true, "hs_object_id": true}}
	for _, sub := range subs {
		typ, prop, ok := strings.Cut(sub, ":")
		if !ok {
			s.all[typ] = true
			continue
		}
		if s.perProp[typ] == nil {
			s.perProp[typ] = map[string]bool{}
		}
		s.perProp[typ][prop] = true
	}
	return s
}

// match reports whether ev is subscribed and returns its subscription id.
// Callers hold the sender's lock.
func (s *subscriptionSet) match(ev *Event) (int64, bool) {
	key := ev.SubscriptionType
	if strings.HasSuffix(key, ".propertyChange") {
		if s.excluded[ev.PropertyName] {
			return 0, false
		}
		if !s.all[key] && !s.perProp[key][ev.PropertyName] {
			return 0, false
		}
		key += ":" + ev.PropertyName
	} else if !s.all[key] {
		return 0, false
	}
	id, ok := s.ids[key]
	if !ok {
		s.nextID += 17
		id = s.nextID
		s.ids[key] = id
	}
	return id, true
}

func boolPtr(b bool) *bool    { return &b }
func strPtr(s string) *string { return &s }
