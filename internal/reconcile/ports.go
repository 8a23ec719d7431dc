package reconcile

import (
	"context"
	"time"

	"github.com/hubforce/hubforce"
)

// Store is the part of the store reconciliation uses: the pipeline's entry,
// the versions already accepted (to skip records whose latest change was
// delivered) and the checkpoints.
type Store interface {
	Ingest(ctx context.Context, changes []hubforce.Change) ([]hubforce.Decision, error)
	Versions(ctx context.Context, side hubforce.Side, object hubforce.Object, id string) (map[string]time.Time, error)
	Checkpoint(ctx context.Context, key string) (string, error)
	SetCheckpoint(ctx context.Context, key, value string) error
}

// HubSpot reads records modified since a time (hubspot.Client). Pages come
// oldest first; after is "" for the first page, the returned next for the
// following ones, and next is "" after the last.
type HubSpot interface {
	ModifiedSince(ctx context.Context, obj hubforce.Object, since time.Time, props []string, after string) ([]hubforce.Record, string, error)
}

// Salesforce reads records modified since a time and reports the org's
// daily API usage as its last answer stated it (salesforce.Client).
type Salesforce interface {
	ModifiedSince(ctx context.Context, obj hubforce.Object, since time.Time, fields []string, next string) ([]hubforce.Record, string, error)
	Usage() (used, limit int)
}

// SalesforceDeletions reads the recycle bin (salesforce.Client): records
// deleted since a time, with MasterRecordId for those a merge deleted. A
// Salesforce port that has it is polled for deletions too.
type SalesforceDeletions interface {
	DeletedSince(ctx context.Context, obj hubforce.Object, since time.Time, next string) ([]hubforce.Record, string, error)
}
