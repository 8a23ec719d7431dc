package delivery

import (
	"context"
	"strconv"
	"strings"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
)

// HubSpotClient is what the HubSpot adapter asks of HubSpot's API
// (internal/hubspot.Client). Batch methods chunk to HubSpot's limits (100
// inputs a call) and answer in input order.
type HubSpotClient interface {
	Read(ctx context.Context, obj hubforce.Object, ids, props []string) (map[string]hubforce.Record, error)
	ReadBy(ctx context.Context, obj hubforce.Object, idProperty string, values, props []string) (map[string]hubforce.Record, error)
	Create(ctx context.Context, obj hubforce.Object, inputs []map[string]string) ([]hubforce.WriteResult, error)
	Update(ctx context.Context, obj hubforce.Object, ids []string, inputs []map[string]string) ([]hubforce.WriteResult, error)
	Archive(ctx context.Context, obj hubforce.Object, ids []string) ([]hubforce.WriteResult, error)
	PrimaryCompanies(ctx context.Context, contactIDs []string) (map[string]string, error)
	SetPrimaryCompany(ctx context.Context, contactID, companyID string) error
	Ready(ctx context.Context) error
	// BatchCall names a batch call for the record's history
	// ("POST /crm/objects/2026-03/contacts/batch/create").
	BatchCall(obj hubforce.Object, op string) string
}

// HubSpot is the HubSpot adapter: webhooks name the property that changed
// (one event each), records are read and written with the batch endpoints,
// and a contact's primary company is an association.
type HubSpot struct {
	Client HubSpotClient
	// AppID recognises events caused by the bridge's own writes.
	AppID int64
}

var _ Adapter = (*HubSpot)(nil)

func (h *HubSpot) Side() hubforce.Side                { return hubforce.HubSpot }
func (h *HubSpot) Source() SourceMode                 { return ReadNamed }
func (h *HubSpot) Usage() (int, int)                  { return 0, 0 }
func (h *HubSpot) RefreshUsage(context.Context) error { return nil }
func (h *HubSpot) Hold(ctx context.Context) error     { return h.Client.Ready(ctx) }

// Triage recognises the echo of the bridge's own write: HubSpot reports an
// app's writes with changeSource INTEGRATION and the app's id as sourceId
// (observed in real captures; WIRE.md "Echo of an app's own writes").
func (h *HubSpot) Triage(_ context.Context, c hubforce.Change) Verdict {
	if h.AppID != 0 && c.ChangeSource == "INTEGRATION" && c.SourceID == strconv.FormatInt(h.AppID, 10) {
		return Own
	}
	return Deliver
}

func (h *HubSpot) Values(c hubforce.Change) map[string]string { return c.Fields }

// ByBridge is false: HubSpot marks the bridge's writes in their webhooks
// (Triage), and nothing read back needs it.
func (h *HubSpot) ByBridge(context.Context, hubforce.Record) bool { return false }

func (h *HubSpot) Read(ctx context.Context, obj hubforce.Object, ids, fields []string, company bool) (map[string]hubforce.Record, error) {
	recs, err := h.Client.Read(ctx, obj, ids, fields)
	if err != nil || !company || obj != hubforce.Contact || len(recs) == 0 {
		return recs, err
	}
	found := make([]string, 0, len(recs))
	for id := range recs {
		found = append(found, id)
	}
	primary, err := h.Client.PrimaryCompanies(ctx, found)
	if err != nil {
		return nil, err
	}
	for id, rec := range recs {
		// No primary company is a value too: the association was removed.
		rec.Fields[CompanyField] = primary[id]
	}
	return recs, nil
}

// Find reads records by a unique property (email for contacts, domain for
// companies) with the batch read's idProperty; HubSpot cannot look other
// keys up without its search API, which has its own, lower, rate limit.
func (h *HubSpot) Find(ctx context.Context, obj hubforce.Object, key mapping.MatchKey, values []string) (map[string]string, error) {
	out := map[string]string{}
	if key.Kind != mapping.MatchEmail && key.Kind != mapping.MatchDomain {
		return out, nil
	}
	recs, err := h.Client.ReadBy(ctx, obj, key.HubSpot, values, []string{key.HubSpot})
	if err != nil {
		return nil, err
	}
	for v, rec := range recs {
		out[strings.ToLower(v)] = rec.ID
	}
	return out, nil
}

// Write creates and updates with the batch endpoints, then gives contacts
// their primary company. An update that only moves the company sends no
// batch input: HubSpot refuses an input without properties.
func (h *HubSpot) Write(ctx context.Context, obj hubforce.Object, writes []Write) ([]hubforce.WriteResult, error) {
	b := batchCalls{out: make([]hubforce.WriteResult, len(writes))}
	var creates, updates []int
	var createIn, updateIn []map[string]string
	var updateIDs []string
	for i, w := range writes {
		props := make(map[string]string, len(w.Values))
		for f, v := range w.Values {
			props[f] = v.Text
		}
		switch {
		case w.ID == "":
			creates, createIn = append(creates, i), append(createIn, props)
		case len(props) > 0:
			updates, updateIn, updateIDs = append(updates, i), append(updateIn, props), append(updateIDs, w.ID)
		default:
			// Only the company moves: HubSpot refuses an input without
			// properties, so the association call below is the write.
			b.out[i] = hubforce.WriteResult{ID: w.ID, Call: "PUT …/associations/companies/{companyId}"}
		}
	}
	b.run(creates, h.Client.BatchCall(obj, "create"), func() ([]hubforce.WriteResult, error) {
		return h.Client.Create(ctx, obj, createIn)
	})
	b.run(updates, h.Client.BatchCall(obj, "update"), func() ([]hubforce.WriteResult, error) {
		return h.Client.Update(ctx, obj, updateIDs, updateIn)
	})
	for i, w := range writes {
		if w.Company == nil || *w.Company == "" || obj != hubforce.Contact || b.out[i].Err != nil {
			continue
		}
		id := b.out[i].ID
		if id == "" {
			id = w.ID
		}
		if err := h.Client.SetPrimaryCompany(ctx, id, *w.Company); err != nil {
			b.out[i].Err = err
		}
	}
	return b.out, b.failed
}

// Delete archives records with the batch archive endpoint (HubSpot's
// recycle bin, restorable for 90 days).
func (h *HubSpot) Delete(ctx context.Context, obj hubforce.Object, ids []string) ([]hubforce.WriteResult, error) {
	b := batchCalls{out: make([]hubforce.WriteResult, len(ids))}
	b.run(indexes(len(ids)), h.Client.BatchCall(obj, "archive"), func() ([]hubforce.WriteResult, error) {
		return h.Client.Archive(ctx, obj, ids)
	})
	return b.out, b.failed
}
