package sandbox

import (
	"fmt"
	"strconv"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/generator"
	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/salesforcesim"
)

// A person edits HubSpot in its UI: the generator's changes carry CRM_UI as
// their source, so the bridge must sync them (they are not its own echo).
type hubspotUser struct {
	sim  *hubspotsim.Server
	user int64
}

var _ generator.Side = hubspotUser{}

func (h hubspotUser) Create(obj hubforce.Object, fields map[string]string) (string, error) {
	r, err := h.sim.Create(obj.HubSpotName(), fields, hubspotsim.UI(h.user))
	return r.ID, err
}

func (h hubspotUser) Update(obj hubforce.Object, id string, fields map[string]string) error {
	_, err := h.sim.Update(obj.HubSpotName(), id, fields, hubspotsim.UI(h.user))
	return err
}

func (h hubspotUser) IDs(obj hubforce.Object) []string {
	var ids []string
	for _, r := range h.sim.List(obj.HubSpotName()) {
		if !r.Archived {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// A person edits Salesforce as a user other than the integration user, so
// the outbound messages the edits cause are not the bridge's own echo.
type salesforceUser struct {
	sim  *salesforcesim.Server
	user string
}

var _ generator.Side = salesforceUser{}

func (s salesforceUser) Create(obj hubforce.Object, fields map[string]string) (string, error) {
	return s.sim.Create(obj.SalesforceName(), typed(fields), s.user)
}

func (s salesforceUser) Update(obj hubforce.Object, id string, fields map[string]string) error {
	return s.sim.Update(obj.SalesforceName(), id, typed(fields), s.user)
}

func (s salesforceUser) IDs(obj hubforce.Object) []string {
	var ids []string
	for _, r := range s.sim.List(obj.SalesforceName()) {
		if id, ok := r["Id"].(string); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// typed gives Salesforce's number fields numbers, as the UI would.
func typed(fields map[string]string) map[string]any {
	out := make(map[string]any, len(fields))
	for k, v := range fields {
		if k == "NumberOfEmployees" {
			if n, err := strconv.Atoi(v); err == nil {
				out[k] = n
				continue
			}
		}
		out[k] = v
	}
	return out
}

// examples are the records the banner's suggestions use: one contact made
// by a person on each side at start (found again in a kept state).
type examples struct {
	hubspotContact, salesforceContact string
}

func seedExamples(hs hubspotUser, sf salesforceUser) (examples, error) {
	var ex examples
	var err error
	if ex.hubspotContact, err = findOrCreate(hs, "email",
		map[string]string{"firstname": "Ada", "lastname": "Lovelace", "email": "ada@example.org", "jobtitle": "Analyst"}); err != nil {
		return ex, fmt.Errorf("creating the example HubSpot contact: %w", err)
	}
	if ex.salesforceContact, err = findOrCreate(sf, "Email",
		map[string]string{"FirstName": "Grace", "LastName": "Hopper", "Email": "grace@example.org", "Title": "Rear Admiral"}); err != nil {
		return ex, fmt.Errorf("creating the example Salesforce contact: %w", err)
	}
	return ex, nil
}

// findOrCreate returns the contact whose key field has the example's value,
// creating it if there is none.
func findOrCreate(side Person, key string, fields map[string]string) (string, error) {
	if id, ok := side.Find(hubforce.Contact, key, fields[key]); ok {
		return id, nil
	}
	return side.Create(hubforce.Contact, fields)
}

// Person is a generator side that can also look a record up.
type Person interface {
	generator.Side
	Find(obj hubforce.Object, field, value string) (string, bool)
}

func (h hubspotUser) Find(obj hubforce.Object, field, value string) (string, bool) {
	for _, r := range h.sim.List(obj.HubSpotName()) {
		if !r.Archived && r.Properties[field] == value {
			return r.ID, true
		}
	}
	return "", false
}

func (s salesforceUser) Find(obj hubforce.Object, field, value string) (string, bool) {
	for _, r := range s.sim.List(obj.SalesforceName()) {
		if v, _ := r[field].(string); v == value {
			id, ok := r["Id"].(string)
			return id, ok
		}
	}
	return "", false
}
