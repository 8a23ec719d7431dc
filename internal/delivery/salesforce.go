package delivery

import (
	"context"
	"maps"
	"sync"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
)

// SalesforceClient is what the Salesforce adapter asks of Salesforce's REST
// API (internal/salesforce.Client). Batch methods chunk to Salesforce's
// limits (200 records a call) and answer in input order.
type SalesforceClient interface {
	Get(ctx context.Context, obj hubforce.Object, ids, fields []string) (map[string]hubforce.Record, error)
	FindBy(ctx context.Context, obj hubforce.Object, field string, values, fields []string) (map[string][]hubforce.Record, error)
	Create(ctx context.Context, obj hubforce.Object, records []map[string]any) ([]hubforce.WriteResult, error)
	Update(ctx context.Context, obj hubforce.Object, ids []string, records []map[string]any) ([]hubforce.WriteResult, error)
	Delete(ctx context.Context, ids []string) ([]hubforce.WriteResult, error)
	IntegrationUserID(ctx context.Context) (string, error)
	Ready(ctx context.Context) error
	Usage() (used, limit int)
	RefreshUsage(ctx context.Context) error
}

// accountField is where Salesforce keeps a contact's company;
// lastModifiedBy who last changed a record (Object Reference, "System
// Fields").
const (
	accountField   = "AccountId"
	lastModifiedBy = "LastModifiedById"
)

// Salesforce is the Salesforce adapter: an Outbound Message says that a
// record changed and the record is read back by id (SPEC §3.14), or, when
// the operator trusts the sender (mutual TLS), its values are taken as sent;
// records are written with sObject Collections; a contact's company is its
// AccountId.
type Salesforce struct {
	Client  SalesforceClient
	Mapping *mapping.Mapping
	// TrustMessages takes the values an Outbound Message carries instead
	// of reading the record back.
	TrustMessages bool

	mu   sync.Mutex
	user string // the integration user, once known
}

var _ Adapter = (*Salesforce)(nil)

func (s *Salesforce) Side() hubforce.Side                    { return hubforce.Salesforce }
func (s *Salesforce) Hold(ctx context.Context) error         { return s.Client.Ready(ctx) }
func (s *Salesforce) Usage() (int, int)                      { return s.Client.Usage() }
func (s *Salesforce) RefreshUsage(ctx context.Context) error { return s.Client.RefreshUsage(ctx) }

func (s *Salesforce) Source() SourceMode {
	if s.TrustMessages {
		return Carried
	}
	return ReadBack
}

// Triage recognises the echo of the bridge's own write by its
// LastModifiedById, when messages are trusted; read back, a record's values
// tell (an edit made by a person in the same second as the bridge's write
// shows as LastModifiedById the bridge, and must not be lost).
func (s *Salesforce) Triage(ctx context.Context, c hubforce.Change) Verdict {
	if !s.TrustMessages || c.SourceID == "" {
		return Deliver
	}
	if user := s.integrationUser(ctx); user != "" && c.SourceID == user {
		return Own
	}
	return Deliver
}

func (s *Salesforce) integrationUser(ctx context.Context) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.user == "" {
		if id, err := s.Client.IntegrationUserID(ctx); err == nil {
			s.user = id
		}
	}
	return s.user
}

func (s *Salesforce) Values(c hubforce.Change) map[string]string {
	return fromSalesforce(c.Object, c.Fields)
}

// fromSalesforce names a contact's AccountId as the engine's CompanyField.
func fromSalesforce(obj hubforce.Object, fields map[string]string) map[string]string {
	if obj != hubforce.Contact {
		return fields
	}
	acct, ok := fields[accountField]
	if !ok {
		return fields
	}
	out := maps.Clone(fields)
	delete(out, accountField)
	out[CompanyField] = acct
	return out
}

// Read reads records by id with sObject Collections' retrieve (200 ids a
// call); Modified is SystemModstamp.
func (s *Salesforce) Read(ctx context.Context, obj hubforce.Object, ids, fields []string, company bool) (map[string]hubforce.Record, error) {
	fields = append(fields[:len(fields):len(fields)], lastModifiedBy)
	if company && obj == hubforce.Contact {
		fields = append(fields, accountField)
	}
	recs, err := s.Client.Get(ctx, obj, ids, fields)
	if err != nil {
		return nil, err
	}
	for id, rec := range recs {
		rec.Fields = fromSalesforce(obj, rec.Fields)
		recs[id] = rec
	}
	return recs, nil
}

// ByBridge says whether the integration user last modified the record.
func (s *Salesforce) ByBridge(ctx context.Context, rec hubforce.Record) bool {
	by := rec.Fields[lastModifiedBy]
	return by != "" && by == s.integrationUser(ctx)
}

// Find queries the key field with SOQL. A Website holds a URL, so a domain
// is looked for in its usual spellings and the answers normalised back.
func (s *Salesforce) Find(ctx context.Context, obj hubforce.Object, key mapping.MatchKey, values []string) (map[string]string, error) {
	var ask []string
	for _, v := range values {
		ask = append(ask, candidates(key, v)...)
	}
	found, err := s.Client.FindBy(ctx, obj, key.Salesforce, uniq(ask), []string{"Id", key.Salesforce})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, recs := range found {
		for _, rec := range recs {
			for _, mv := range s.Mapping.Matches(obj, hubforce.Salesforce, map[string]string{key.Salesforce: rec.Fields[key.Salesforce]}) {
				if mv.Key == key {
					if _, dup := out[mv.Value]; !dup {
						out[mv.Value] = rec.ID
					}
				}
			}
		}
	}
	return out, nil
}

// candidates are the values a key may be stored as on Salesforce.
func candidates(key mapping.MatchKey, v string) []string {
	if key.Kind != mapping.MatchDomain {
		return []string{v}
	}
	return []string{v, "www." + v, "http://" + v, "https://" + v, "http://www." + v, "https://www." + v,
		"http://" + v + "/", "https://" + v + "/", "https://www." + v + "/", "http://www." + v + "/"}
}

// Write creates and updates with sObject Collections (resources_composite_sobjects_collections.htm):
// POST to create, PATCH to update, 200 records a call.
func (s *Salesforce) Write(ctx context.Context, obj hubforce.Object, writes []Write) ([]hubforce.WriteResult, error) {
	var creates, updates []int
	var createIn, updateIn []map[string]any
	var updateIDs []string
	for i, w := range writes {
		body := make(map[string]any, len(w.Values)+1)
		for f, v := range w.Values {
			body[f] = v.Typed
		}
		if w.Company != nil && obj == hubforce.Contact {
			if *w.Company == "" {
				body[accountField] = nil
			} else {
				body[accountField] = *w.Company
			}
		}
		if w.ID == "" {
			creates, createIn = append(creates, i), append(createIn, body)
		} else {
			updates, updateIn, updateIDs = append(updates, i), append(updateIn, body), append(updateIDs, w.ID)
		}
	}
	b := batchCalls{out: make([]hubforce.WriteResult, len(writes))}
	b.run(creates, "POST /composite/sobjects", func() ([]hubforce.WriteResult, error) { return s.Client.Create(ctx, obj, createIn) })
	b.run(updates, "PATCH /composite/sobjects", func() ([]hubforce.WriteResult, error) {
		return s.Client.Update(ctx, obj, updateIDs, updateIn)
	})
	return b.out, b.failed
}

// Delete sends records to the recycle bin with sObject Collections'
// DELETE ?ids= (resources_composite_sobjects_collections_delete.htm).
func (s *Salesforce) Delete(ctx context.Context, _ hubforce.Object, ids []string) ([]hubforce.WriteResult, error) {
	b := batchCalls{out: make([]hubforce.WriteResult, len(ids))}
	b.run(indexes(len(ids)), "DELETE /composite/sobjects?ids=", func() ([]hubforce.WriteResult, error) { return s.Client.Delete(ctx, ids) })
	return b.out, b.failed
}
