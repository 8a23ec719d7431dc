package admin

import (
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/store"
)

// The API's JSON shapes. They are the API's own (snake_case, documented in
// api/openapi.yaml), not the store's structs, so that the store can change
// without breaking scripts.

type changeView struct {
	Side               hubforce.Side       `json:"side"`
	Object             hubforce.Object     `json:"object"`
	RecordID           string              `json:"record_id"`
	Kind               hubforce.ChangeKind `json:"kind"`
	DeliveryID         string              `json:"delivery_id"`
	Version            *time.Time          `json:"version"`
	Fields             map[string]string   `json:"fields"`
	ChangeSource       string              `json:"change_source,omitempty"`
	SourceID           string              `json:"source_id,omitempty"`
	MergedIDs          []string            `json:"merged_ids,omitempty"`
	NewID              string              `json:"new_id,omitempty"`
	AssociatedID       string              `json:"associated_id,omitempty"`
	AssociationRemoved bool                `json:"association_removed,omitempty"`
	AssociationPrimary bool                `json:"association_primary,omitempty"`
	Raw                string              `json:"raw,omitempty"`
}

type deadLetterView struct {
	ID         int64      `json:"id"`
	Category   string     `json:"category"`
	Code       string     `json:"code"`
	Message    string     `json:"message"`
	Attempts   int        `json:"attempts"`
	EnqueuedAt time.Time  `json:"enqueued_at"`
	CreatedAt  time.Time  `json:"created_at"`
	Change     changeView `json:"change"`
}

type deadLetterPage struct {
	Items []deadLetterView `json:"items"`
	// NextAfter is the `after` of the next page, null on the last.
	NextAfter *int64 `json:"next_after"`
}

type linkView struct {
	Object       hubforce.Object `json:"object"`
	HubSpotID    string          `json:"hubspot_id"`
	SalesforceID string          `json:"salesforce_id"`
	CreatedAt    time.Time       `json:"created_at"`
}

type historyView struct {
	ID         int64               `json:"id"`
	At         time.Time           `json:"at"`
	Side       hubforce.Side       `json:"side"`
	Object     hubforce.Object     `json:"object"`
	RecordID   string              `json:"record_id"`
	DeliveryID string              `json:"delivery_id"`
	Kind       hubforce.ChangeKind `json:"kind"`
	Version    *time.Time          `json:"version"`
	Decision   hubforce.Decision   `json:"decision"`
	Detail     string              `json:"detail"`
	Fields     map[string]string   `json:"fields"`
}

type recordView struct {
	Side     hubforce.Side        `json:"side"`
	Object   hubforce.Object      `json:"object"`
	ID       string               `json:"id"`
	Link     *linkView            `json:"link"`
	Versions map[string]time.Time `json:"versions"`
	Timeline []historyView        `json:"timeline"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func viewDeadLetter(d store.DeadLetter) deadLetterView {
	c := d.Change
	return deadLetterView{
		ID: d.ID, Category: d.Failure.Category, Code: d.Failure.Code, Message: d.Failure.Message,
		Attempts: d.Attempts, EnqueuedAt: d.EnqueuedAt.UTC(), CreatedAt: d.CreatedAt.UTC(),
		Change: changeView{
			Side: c.Side, Object: c.Object, RecordID: c.RecordID, Kind: c.Kind, DeliveryID: c.DeliveryID,
			Version: optTime(c.Version), Fields: nonNil(c.Fields), ChangeSource: c.ChangeSource, SourceID: c.SourceID,
			MergedIDs: c.MergedIDs, NewID: c.NewID, AssociatedID: c.AssociatedID,
			AssociationRemoved: c.AssociationRemoved, AssociationPrimary: c.AssociationPrimary, Raw: c.Raw,
		},
	}
}

func viewLink(l *hubforce.Link) *linkView {
	if l == nil {
		return nil
	}
	return &linkView{Object: l.Object, HubSpotID: l.HubSpotID, SalesforceID: l.SalesforceID, CreatedAt: l.CreatedAt.UTC()}
}

func viewHistory(e store.HistoryEntry) historyView {
	return historyView{
		ID: e.ID, At: e.At.UTC(), Side: e.Side, Object: e.Object, RecordID: e.RecordID, DeliveryID: e.DeliveryID,
		Kind: e.Kind, Version: optTime(e.Version), Decision: e.Decision, Detail: e.Detail, Fields: nonNil(e.Fields),
	}
}
