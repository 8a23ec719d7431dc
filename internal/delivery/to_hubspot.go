package delivery

import (
	"context"
	"fmt"
	"maps"
	"sync"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/mapping"
	"github.com/hubforce/hubforce/internal/store"
)

// integrationUser caches the Salesforce user the bridge writes as.
type integrationUser struct {
	mu sync.Mutex
	id string
}

func (e *Engine) integrationUserID(ctx context.Context) string {
	e.user.mu.Lock()
	defer e.user.mu.Unlock()
	if e.user.id == "" {
		if id, err := e.Salesforce.IntegrationUserID(ctx); err == nil {
			e.user.id = id
		}
	}
	return e.user.id
}

// toHubSpot delivers Salesforce changes. An outbound message carries the
// record's fields, so no read is needed; each record's messages are
// coalesced (later values win) into one write.
func (e *Engine) toHubSpot(ctx context.Context, items []store.Claimed) {
	byObj := map[hubforce.Object][]*record{}
	user := e.integrationUserID(ctx)
	for _, r := range group(items) {
		if e.triageSalesforce(ctx, r, user) {
			byObj[r.object] = append(byObj[r.object], r)
		}
	}
	for _, obj := range []hubforce.Object{hubforce.Contact, hubforce.Company} {
		if rs := byObj[obj]; len(rs) > 0 {
			e.writeHubSpot(ctx, obj, rs)
		}
	}
}

func (e *Engine) triageSalesforce(ctx context.Context, r *record, integrationUser string) bool {
	to := hubforce.HubSpot
	var keep, echo, unmapped []store.Claimed
	r.values = map[string]string{}
	for _, it := range r.items {
		c := it.Change
		if integrationUser != "" && c.SourceID == integrationUser {
			echo = append(echo, it)
			continue
		}
		maps.Copy(r.values, c.Fields)
		if e.markMapped(r, hubforce.Salesforce, c.Fields) {
			keep = append(keep, it)
		} else {
			unmapped = append(unmapped, it)
		}
	}
	e.finish(ctx, to, echo, hubforce.Echo, "written by this bridge (LastModifiedById is the integration user)")
	e.finish(ctx, to, unmapped, hubforce.Unmapped, "no mapped field in the message (or a record deleted before delivery: no data)")
	r.items = keep
	return len(keep) > 0
}

func (e *Engine) writeHubSpot(ctx context.Context, obj hubforce.Object, rs []*record) {
	to := hubforce.HubSpot
	if err := e.resolveHubSpotTargets(ctx, obj, rs); err != nil {
		e.failAll(ctx, to, rs, err)
		return
	}
	hsCurrent := map[string]hubforce.Record{}
	if len(e.Mapping.ConditionalFields(obj, hubforce.Salesforce)) > 0 {
		var ids []string
		for _, r := range rs {
			if r.targetID != "" {
				ids = append(ids, r.targetID)
			}
		}
		if len(ids) > 0 {
			var err error
			if hsCurrent, err = e.HubSpot.Read(ctx, obj, ids, e.Mapping.HubSpotProperties(obj)); err != nil {
				e.failAll(ctx, to, rs, err)
				return
			}
		}
	}
	var b batch[map[string]string]
	for _, r := range rs {
		if in, ok := e.hubspotProps(ctx, obj, r, hsCurrent[r.targetID]); ok {
			b.add(r, in)
		}
	}
	write(ctx, e, target[map[string]string]{
		side: hubforce.HubSpot, object: obj, name: string(obj), text: func(m map[string]string) map[string]string { return m },
		create: func(ctx context.Context, in []map[string]string) ([]hubforce.WriteResult, error) {
			return e.HubSpot.Create(ctx, obj, in)
		},
		update: func(ctx context.Context, ids []string, in []map[string]string) ([]hubforce.WriteResult, error) {
			return e.HubSpot.Update(ctx, obj, ids, in)
		},
		createCall: "POST /crm/v3/objects/" + obj.HubSpotName() + "/batch/create",
		updateCall: "POST /crm/v3/objects/" + obj.HubSpotName() + "/batch/update",
		rescue: func(ctx context.Context, r *record, wr hubforce.WriteResult, err error) error {
			// HubSpot names the record that holds the email or domain:
			// link to it, and the next attempt updates it.
			if hubforce.ClassOf(err) == hubforce.Conflict && wr.ID != "" && e.putLink(ctx, obj, hubforce.Salesforce, r.id, wr.ID) == nil {
				return &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Retryable, Message: "linked to the existing HubSpot record " + wr.ID + "; updating it next"}
			}
			return err
		},
		after: func(ctx context.Context, r *record, id string) error {
			if obj == hubforce.Contact && r.fields["AccountId"] {
				return e.associate(ctx, id, r.values["AccountId"])
			}
			return nil
		},
	}, b)
}

// resolveHubSpotTargets finds each record's HubSpot counterpart: the link,
// or on first sync the record with the same email (contacts) or domain
// (companies) — HubSpot's unique keys.
func (e *Engine) resolveHubSpotTargets(ctx context.Context, obj hubforce.Object, rs []*record) error {
	byProp := map[string][]string{}
	var unlinked []*record
	for _, r := range rs {
		id, ok, err := e.link(ctx, obj, hubforce.Salesforce, r.id)
		if err != nil {
			return fmt.Errorf("looking up link: %w", err)
		}
		if ok {
			r.targetID = id
			continue
		}
		unlinked = append(unlinked, r)
		for _, m := range e.Mapping.Matches(obj, hubforce.Salesforce, r.values) {
			if m.Key.Kind == mapping.MatchEmail || m.Key.Kind == mapping.MatchDomain {
				byProp[m.Key.HubSpot] = append(byProp[m.Key.HubSpot], m.Value)
			}
		}
	}
	found := map[string]map[string]hubforce.Record{}
	for prop, values := range byProp {
		f, err := e.HubSpot.ReadBy(ctx, obj, prop, uniq(values), []string{prop})
		if err != nil {
			return fmt.Errorf("matching on %s: %w", prop, err)
		}
		found[prop] = f
	}
	for _, r := range unlinked {
		for _, m := range e.Mapping.Matches(obj, hubforce.Salesforce, r.values) {
			if hit, ok := found[m.Key.HubSpot][m.Value]; ok {
				r.targetID, r.matched = hit.ID, true
				if err := e.putLink(ctx, obj, hubforce.Salesforce, r.id, hit.ID); err != nil {
					return fmt.Errorf("linking matched record: %w", err)
				}
				break
			}
		}
	}
	return nil
}

// hubspotProps translates one record; ok is false when it was settled here.
func (e *Engine) hubspotProps(ctx context.Context, obj hubforce.Object, r *record, hs hubforce.Record) (map[string]string, bool) {
	to := hubforce.HubSpot
	fields := r.fields
	if r.targetID != "" {
		written, _ := e.Store.LastWritten(ctx, hubforce.Salesforce, obj, r.id)
		kept, dropped := withoutEchoValues(r.fields, r.values, written)
		if len(kept) == 0 {
			e.finish(ctx, to, r.items, hubforce.Echo, fmt.Sprintf("values equal to what this bridge last wrote (%v)", dropped))
			return nil, false
		}
		fields = kept
	}
	src := map[string]string{}
	for f := range fields {
		src[f] = r.values[f]
	}
	var opts []mapping.Option
	if r.targetID == "" {
		opts = append(opts, mapping.Creating())
	} else if hs.Fields != nil {
		opts = append(opts, mapping.Current(hs.Fields))
	}
	in, problems := e.Mapping.ToHubSpot(obj, src, opts...)
	for _, p := range problems {
		if p.Category != mapping.RequiredFieldMissing {
			e.settle(ctx, to, r.items, &hubforce.APIError{Side: to, Class: hubforce.Validation, Code: p.Category, Message: p.Message, Fields: []string{p.Field}}, "", nil)
			return nil, false
		}
	}
	if r.targetID != "" {
		// An outbound message carries every selected field, changed or
		// not: a value equal to what the bridge last put in HubSpot is
		// not a change, and must neither be written nor conflict.
		synced, _ := e.Store.LastWritten(ctx, hubforce.HubSpot, obj, r.targetID)
		for prop, v := range in {
			if w, ok := synced[prop]; ok && w == v {
				delete(in, prop)
			}
		}
		e.dropHubSpotConflicts(ctx, obj, r, in)
	}
	if len(in) == 0 && !r.fields["AccountId"] {
		e.finish(ctx, to, r.items, hubforce.Skipped, "nothing to change on HubSpot")
		return nil, false
	}
	return in, true
}

// dropHubSpotConflicts removes two-way properties (by HubSpot name) that
// HubSpot changed after the Salesforce change: the newer change wins. A
// HubSpot version newer than the Salesforce change may be the echo of the
// bridge's own write, so the property counts as changed in HubSpot only if
// its current value is neither what the bridge wrote there nor the incoming
// one.
func (e *Engine) dropHubSpotConflicts(ctx context.Context, obj hubforce.Object, r *record, props map[string]string) {
	versions, err := e.Store.Versions(ctx, hubforce.HubSpot, obj, r.targetID)
	if err != nil || len(versions) == 0 {
		return
	}
	sfAt := r.items[len(r.items)-1].Change.Version
	var suspects []string
	for prop := range props {
		f, ok := e.Mapping.Field(obj, hubforce.HubSpot, prop)
		if ok && f.Rule == mapping.TwoWay && versions[prop].After(sfAt) {
			suspects = append(suspects, prop)
		}
	}
	if len(suspects) == 0 {
		return
	}
	current, err := e.HubSpot.Read(ctx, obj, []string{r.targetID}, suspects)
	if err != nil {
		return // undecided: the newer write goes through, as without the check
	}
	synced, _ := e.Store.LastWritten(ctx, hubforce.HubSpot, obj, r.targetID)
	for _, prop := range suspects {
		now := current[r.targetID].Fields[prop]
		if now != props[prop] && now != synced[prop] {
			delete(props, prop)
			e.conflict(ctx, r, obj, prop, "HubSpot's change is newer")
		}
	}
}

// associate makes the contact's primary company the one linked to its
// Salesforce AccountId. An account not linked yet is waited for.
func (e *Engine) associate(ctx context.Context, contactID, accountID string) error {
	if accountID == "" {
		return nil
	}
	company, ok, err := e.link(ctx, hubforce.Company, hubforce.Salesforce, accountID)
	if err != nil {
		return err
	}
	if !ok {
		return &hubforce.APIError{Side: hubforce.HubSpot, Class: hubforce.Retryable, Message: "waiting for account " + accountID + " to be linked"}
	}
	return e.HubSpot.SetPrimaryCompany(ctx, contactID, company)
}
