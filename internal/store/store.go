// Package store keeps what the bridge must not lose: the deliveries it has
// seen, the record versions they carried, the changes waiting to be written to
// the other side, the links between records, the dead letters and the history
// `hubforce explain` reads; also what the bridge last wrote to each record
// and the OAuth credentials (encrypted).
//
// Webhooks go through the inbox: Receive commits a request's changes as
// one row (group-committed with every other request waiting, one fsync for
// all) and returns, so that the acknowledgement waits only for durability
// (SPEC §3.1). A digester then judges inbox rows exactly as Ingest does
// (duplicates, versions, pending, history) and deletes them in the same
// transaction; on SQLite it shares the one writer with Receive, taking its
// turn when no request is waiting or every 50 ms under sustained load, on
// PostgreSQL replicas skip each other's rows (FOR UPDATE SKIP LOCKED).
// Close digests what is left; rows a killed process left are digested by
// the next Open. Under sustained load above the digest rate the inbox
// grows (InboxDepth) and catches up when the load falls.
//
// One implementation serves both databases: the SQL is written once in the
// dialect both SQLite (3.35+) and PostgreSQL accept ($N placeholders,
// INSERT … ON CONFLICT, RETURNING), and the dialect packages (store/sqlite,
// store/postgres) supply the connections and the embedded goose migrations.
// Times are stored as Unix nanoseconds (BIGINT) so that both databases compare
// them exactly.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/hubforce/hubforce"
)

// Store is everything the bridge keeps. Consumers should ask for the
// smallest part they use (a webhook handler needs only an Ingester).
type Store interface {
	Ingester
	Receiver
	Queue
	DLQ
	LinkStore
	HistoryStore
	CheckpointStore
	WrittenStore
	ActivityStore
	hubforce.CredentialStore

	// Stats reports the group committer's counters.
	Stats() Stats
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	// Close fails Ingest and Receive calls not yet taken into a transaction
	// with ErrClosed, waits for the transactions in flight, digests what
	// remains in the inbox (bounded by WithDrainTimeout) and closes the
	// database. Stop the HTTP server first so that nothing is refused.
	Close() error
}

// Ingester takes delivered changes in (SPEC §3.1–3.2).
type Ingester interface {
	// Ingest commits a request's changes durably and says, per change and in
	// order, whether it was Accepted (queued for delivery), a Duplicate
	// delivery or Stale. It returns only after the accepted changes are
	// committed; an error means nothing of this call was committed.
	Ingest(ctx context.Context, changes []hubforce.Change) ([]hubforce.Decision, error)
}

// Queue hands accepted changes to delivery workers, at most one claimer per
// record at a time, also across replicas (SPEC §3.4).
type Queue interface {
	// Claim leases up to max pending changes going to side `to` (so
	// changes made on to.Other()), whole records at a time and in each
	// record's order, to owner for lease. A record held by an unexpired
	// lease is never handed to another claimer; a record whose oldest change
	// is not due yet is not handed out at all.
	Claim(ctx context.Context, to hubforce.Side, owner string, max int, lease time.Duration) ([]Claimed, error)
	// ClaimRecords is Claim with records and changes capped apart: up to
	// records records, and up to changes of their changes in all (a
	// record cut short keeps the rest under its lease for the next claim).
	ClaimRecords(ctx context.Context, to hubforce.Side, owner string, records, changes int, lease time.Duration) ([]Claimed, error)
	// Complete removes delivered changes. Changes whose lease was lost (it
	// expired and another claimer took the record) are left alone and
	// reported with ErrLeaseLost; the others are completed.
	Complete(ctx context.Context, items []Claimed) error
	// Reschedule releases changes for another attempt at `at`, counting the
	// attempt and keeping reason. Lost leases as in Complete.
	Reschedule(ctx context.Context, items []Claimed, at time.Time, reason string) error
	// DeadLetter moves changes out of the pending queue into the dead
	// letters, and records the decision in the history. Lost leases as in
	// Complete.
	DeadLetter(ctx context.Context, items []Claimed, f Failure) error
	// Extend pushes the leases of the items' records to lease from now,
	// for deliveries that outlast their lease. Lost leases as in Complete.
	Extend(ctx context.Context, items []Claimed, lease time.Duration) error
	// QueueStats reports the pending work going to side `to`.
	QueueStats(ctx context.Context, to hubforce.Side) (QueueStats, error)
	// Settle commits what a delivery round decided (see Settlement);
	// lost leases as in Complete.
	Settle(ctx context.Context, st Settlement) error
	// Lookup returns what the store knows of records and their linked
	// counterparts (see RecordState).
	Lookup(ctx context.Context, refs []RecordRef) (map[RecordRef]RecordState, error)
	// Expedite makes the changes going to `to` that wait for that side to
	// recover due now; it returns how many.
	Expedite(ctx context.Context, to hubforce.Side) (int64, error)
	// ProbeSide makes one record's changes waiting for side `to` due now;
	// false when none waits.
	ProbeSide(ctx context.Context, to hubforce.Side) (bool, error)
}

// DLQ is the dead letters, for operators.
type DLQ interface {
	// DeadLetters lists dead letters, oldest first.
	DeadLetters(ctx context.Context, f DeadLetterFilter) ([]DeadLetter, error)
	// GetDeadLetter returns one dead letter, or ErrNotFound.
	GetDeadLetter(ctx context.Context, id int64) (DeadLetter, error)
	// ReplayDeadLetter puts the change back into the pending queue, due now
	// and behind the record's other pending changes, and removes the dead
	// letter. ErrNotFound if there is none with that id.
	ReplayDeadLetter(ctx context.Context, id int64) error
	// DiscardDeadLetter deletes a dead letter. ErrNotFound if there is none.
	DiscardDeadLetter(ctx context.Context, id int64) error
}

// LinkStore pairs records across the sides.
type LinkStore interface {
	// GetLink finds the link holding id on side, or ErrNotFound.
	GetLink(ctx context.Context, object hubforce.Object, side hubforce.Side, id string) (hubforce.Link, error)
	// PutLink records a link, replacing any link that held either id.
	PutLink(ctx context.Context, l hubforce.Link) error
	// DeleteLink removes the link holding id on side; no error if none.
	DeleteLink(ctx context.Context, object hubforce.Object, side hubforce.Side, id string) error
}

// HistoryStore is what `hubforce explain` reads (SPEC §3.13).
type HistoryStore interface {
	// Versions returns the versions stored for a record, by version key
	// (see VersionKey).
	Versions(ctx context.Context, side hubforce.Side, object hubforce.Object, id string) (map[string]time.Time, error)
	// RecordHistory appends entries (the delivery engine's applied, echo,
	// unmapped… decisions); Ingest records its own.
	RecordHistory(ctx context.Context, entries []HistoryEntry) error
	// History returns a record's entries, oldest first.
	History(ctx context.Context, side hubforce.Side, object hubforce.Object, id string) ([]HistoryEntry, error)
	// PruneHistory deletes history received before `before`, except that of
	// records with pending changes or dead letters, and forgets delivery ids
	// received before it, except those of pending changes. It returns the
	// number of history entries deleted.
	PruneHistory(ctx context.Context, before time.Time) (int64, error)
}

// CheckpointStore keeps small values such as the reconciliation poll's
// high-water marks.
type CheckpointStore interface {
	// Checkpoint returns the value stored under key, or ErrNotFound.
	Checkpoint(ctx context.Context, key string) (string, error)
	// SetCheckpoint stores value under key.
	SetCheckpoint(ctx context.Context, key, value string) error
}

var (
	// ErrNotFound is returned when a lookup matches nothing.
	ErrNotFound = errors.New("store: not found")
	// ErrLeaseLost means a claimed change is now owned by another claimer.
	ErrLeaseLost = errors.New("store: lease lost")
	// ErrClosed is returned by calls made after Close.
	ErrClosed = errors.New("store: closed")
	// ErrNotReplayable refuses to replay a malformed delivery: it was never
	// understood, so there is no change to queue. Its raw bytes stay in the
	// dead letter for the sender's fix; discard it afterwards.
	ErrNotReplayable = errors.New("a malformed delivery cannot be replayed: it was never understood as a change; " +
		"its raw bytes are kept here to fix the sender with, then discard it (a sender that is fixed sends it again)")
)

// Claimed is a pending change leased to one claimer.
type Claimed struct {
	Seq        int64 // queue position; orders a record's changes
	Change     hubforce.Change
	Attempts   int    // failed attempts so far
	LastError  string // reason given at the last Reschedule
	EnqueuedAt time.Time
	Lease      string // token of the claim that holds the record
	LeaseUntil time.Time
}

// Failure says why a change was dead-lettered: Category is the bridge's
// grouping (e.g. "validation", "retries_exhausted"), Code and Message the
// API's own (e.g. REQUIRED_FIELD_MISSING).
type Failure struct {
	Category string
	Code     string
	Message  string
}

// DeadLetter is a change that could not be delivered.
type DeadLetter struct {
	ID         int64
	Change     hubforce.Change
	Failure    Failure
	Attempts   int
	EnqueuedAt time.Time
	CreatedAt  time.Time
}

// DeadLetterFilter narrows DeadLetters; zero fields match everything.
type DeadLetterFilter struct {
	Side     hubforce.Side // the change's source side
	Object   hubforce.Object
	Category string
	AfterID  int64 // for paging: only ids greater than this
	Limit    int   // 0 means 100
}

// HistoryEntry is one decision about one delivered change.
type HistoryEntry struct {
	ID         int64
	DeliveryID string
	Side       hubforce.Side
	Object     hubforce.Object
	RecordID   string
	Kind       hubforce.ChangeKind
	Version    time.Time
	Decision   hubforce.Decision
	Detail     string // why, for decisions that need saying (API call, error)
	Fields     map[string]string
	At         time.Time
}

// QueueStats describes pending work.
type QueueStats struct {
	Pending int64
	Oldest  time.Time // enqueue time of the oldest pending change; zero if none
	Due     int64     // changes due now (some may be held by a claim)
	// OldestDue is the enqueue time of the oldest change due and not taken
	// by a claim: how long the next batch has waited. Zero when every due
	// change is taken (or was, by a process that died).
	OldestDue time.Time
}

// Stats are the group committer's counters since Open.
type Stats struct {
	Commits      int64 // Ingest and Receive transactions committed
	Changes      int64 // changes in them
	Waiting      int64 // Ingest and Receive calls queued, not yet in a transaction
	Digested     int64 // inbox rows (Receive calls) digested
	DigestErrors int64 // digest transactions that failed
}
