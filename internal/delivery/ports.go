// Package delivery turns committed changes into writes on the other CRM. One
// engine runs the same pipeline in both directions — claim a batch of
// records (one claimer per record, also across replicas), coalesce each
// record's changes, read the source's current state, resolve the target
// record, translate with the mapping, write in batches, settle every change
// by its own record's outcome — and one Adapter per CRM holds only what
// differs between them: which events are the bridge's own, how records are
// read, found and written, and how the API's errors are classified.
package delivery

import (
	"context"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/store"
)

// Store is the part of the store delivery uses. Every call is set-based: a
// round makes a handful of them whatever the number of records it holds.
type Store interface {
	ClaimRecords(ctx context.Context, to hubforce.Side, owner string, records, changes int, lease time.Duration) ([]store.Claimed, error)
	Extend(ctx context.Context, items []store.Claimed, lease time.Duration) error
	Settle(ctx context.Context, st store.Settlement) error
	Lookup(ctx context.Context, refs []store.RecordRef) (map[store.RecordRef]store.RecordState, error)
	QueueStats(ctx context.Context, to hubforce.Side) (store.QueueStats, error)
	Expedite(ctx context.Context, to hubforce.Side) (int64, error)
	ProbeSide(ctx context.Context, to hubforce.Side) (bool, error)
}

// CompanyField is the name, in the values an Adapter reads and writes, of a
// contact's primary company: the company's id on the adapter's side.
// Salesforce keeps it in Contact.AccountId; HubSpot as an association.
const CompanyField = "@company"

// Verdict is what an adapter says of a change before anything is read.
type Verdict int

const (
	// Deliver: read the record and write what changed.
	Deliver Verdict = iota
	// Own: the change carries the bridge's own marker (an echo of its
	// write).
	Own
)

// SourceMode says what a side's changes carry, and so how the engine learns
// what to write.
type SourceMode int

const (
	// ReadNamed: a change names the fields that changed; their current
	// values are read (HubSpot: an event per property).
	ReadNamed SourceMode = iota
	// ReadBack: a change only says that the record changed; the record is
	// read back whole and its values compared with what was seen before
	// (Salesforce: an Outbound Message is a trigger, not the truth, SPEC
	// §3.14).
	ReadBack
	// Carried: a change carries the values to write (Outbound Messages
	// from a sender proven by mutual TLS, when the operator opts in).
	Carried
)

// Adapter is one CRM as the engine sees it, in both roles: the source of
// changes and the target of writes. Every method that takes ids takes many
// and chunks to the API's limits itself; failures are *hubforce.APIError,
// classified by the adapter (it knows its wire).
type Adapter interface {
	Side() hubforce.Side

	// Source says how changes made on this side are turned into values.
	Source() SourceMode
	// Triage says whether a change made on this side carries the bridge's
	// own marker (HubSpot changeSource INTEGRATION with the app's id;
	// Salesforce LastModifiedById the integration user).
	Triage(ctx context.Context, c hubforce.Change) Verdict
	// Values returns the field values a change carries, named as Read
	// names them (CompanyField for the primary company).
	Values(c hubforce.Change) map[string]string
	// Read returns records' current values (fields named on this side,
	// CompanyField included when company is set and the record has one),
	// keyed by the id asked for; Modified is the record's version. Ids
	// that do not exist are absent.
	Read(ctx context.Context, obj hubforce.Object, ids, fields []string, company bool) (map[string]hubforce.Record, error)
	// ByBridge says whether a record Read returned was last modified by
	// the bridge itself.
	ByBridge(ctx context.Context, rec hubforce.Record) bool
	// Find returns, for a match key, the ids of the records whose key
	// field holds one of values, keyed by the value as the mapping
	// normalises it (mapping.Matches). Keys the side cannot search leave
	// the map empty.
	Find(ctx context.Context, obj hubforce.Object, key mapping.MatchKey, values []string) (map[string]string, error)
	// Write creates (ID "") or updates records and answers one result per
	// write, in order; a call that failed part-way reports the results it
	// has and the error.
	Write(ctx context.Context, obj hubforce.Object, writes []Write) ([]hubforce.WriteResult, error)
	// Delete deletes records (to the side's recycle bin) and answers one
	// result per id, in order, Call naming the API call; a record already
	// gone is a NotFound result or a success, as the side answers.
	Delete(ctx context.Context, obj hubforce.Object, ids []string) ([]hubforce.WriteResult, error)

	// Hold is nil while deliveries to this side may go, or says why they
	// wait (refused credentials): an *hubforce.APIError of class Auth.
	Hold(ctx context.Context) error
	// Usage is the side's daily API allowance as last seen (0, 0 when it
	// has none the bridge must share); RefreshUsage makes one cheap call
	// to bring it up to date.
	Usage() (used, limit int)
	RefreshUsage(ctx context.Context) error
}

// Write is one record to create or update.
type Write struct {
	// ID is the record to update; "" creates one.
	ID     string
	Values map[string]mapping.Value
	// Company, when set, is the primary company to give a contact (its id
	// on this side; "" removes it).
	Company *string
}

// Alerter is told about conditions an operator must hear of, and of their
// recovery. key groups repeats (a category, a side).
type Alerter interface {
	Raise(kind, key, message string)
	Resolve(kind, key, message string)
}

// Observer receives the engine's counts (internal/metrics implements it).
type Observer interface {
	Delivered(to hubforce.Side, outcome string, n int)
	Conflict(object hubforce.Object, field string)
	Lag(to hubforce.Side, d time.Duration)
	QueueDepth(to hubforce.Side, n int64)
}

// Clock is the engine's notion of now; tests set it.
type Clock func() time.Time
