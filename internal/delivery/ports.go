// Package delivery turns committed changes into writes on the other CRM: it
// claims a record's pending changes (one claimer per record, also across
// replicas), coalesces them, translates them with the mapping, writes them in
// batches, and settles each change — completed, rescheduled with a growing
// delay, or dead-lettered — by what the CRM adapter said about its record.
package delivery

import (
	"context"
	"time"

	"github.com/hubforce/hubforce"
)

// HubSpotAPI is what delivery asks of HubSpot (internal/hubspot.Client).
// Batch methods chunk to HubSpot's limits themselves and answer in input
// order; a failed call is a *hubforce.APIError.
type HubSpotAPI interface {
	Read(ctx context.Context, obj hubforce.Object, ids, props []string) (map[string]hubforce.Record, error)
	ReadBy(ctx context.Context, obj hubforce.Object, idProperty string, values, props []string) (map[string]hubforce.Record, error)
	Create(ctx context.Context, obj hubforce.Object, inputs []map[string]string) ([]hubforce.WriteResult, error)
	Update(ctx context.Context, obj hubforce.Object, ids []string, inputs []map[string]string) ([]hubforce.WriteResult, error)
	SetPrimaryCompany(ctx context.Context, contactID, companyID string) error
	Ready(ctx context.Context) error
}

// SalesforceAPI is what delivery asks of Salesforce (internal/salesforce.Client).
type SalesforceAPI interface {
	Get(ctx context.Context, obj hubforce.Object, ids, fields []string) (map[string]hubforce.Record, error)
	FindBy(ctx context.Context, obj hubforce.Object, field string, values, fields []string) (map[string][]hubforce.Record, error)
	Create(ctx context.Context, obj hubforce.Object, records []map[string]any) ([]hubforce.WriteResult, error)
	Update(ctx context.Context, obj hubforce.Object, ids []string, records []map[string]any) ([]hubforce.WriteResult, error)
	IntegrationUserID(ctx context.Context) (string, error)
	Ready(ctx context.Context) error
	Usage() (used, limit int)
	// RefreshUsage makes one cheap call so that Usage is current.
	RefreshUsage(ctx context.Context) error
}

// Clock is the engine's notion of now; tests set it.
type Clock func() time.Time
