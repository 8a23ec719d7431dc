// The properties API: GET /crm/properties/{version}/{objectType} and
// …/{propertyName} (HubSpot's CRM Properties 2026-03 spec,
// CollectionResponsePropertyNoPaging of Property; properties guide
// developers.hubspot.com/docs/api-reference/latest/crm/properties/guide).
// Each property the simulator knows is described with the fields a client
// checks: name, label, type, fieldType, hubspotDefined, calculated and
// modificationMetadata.readOnlyValue.

package hubspotsim

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/go-chi/chi/v5"
)

type propertyJSON struct {
	Name                 string           `json:"name"`
	Label                string           `json:"label"`
	Type                 string           `json:"type"`
	FieldType            string           `json:"fieldType"`
	Description          string           `json:"description"`
	GroupName            string           `json:"groupName"`
	Options              []map[string]any `json:"options"`
	HasUniqueValue       bool             `json:"hasUniqueValue"`
	Hidden               bool             `json:"hidden"`
	HubspotDefined       bool             `json:"hubspotDefined"`
	Calculated           bool             `json:"calculated"`
	FormField            bool             `json:"formField"`
	Archived             bool             `json:"archived"`
	ModificationMetadata struct {
		Archivable         bool `json:"archivable"`
		ReadOnlyDefinition bool `json:"readOnlyDefinition"`
		ReadOnlyValue      bool `json:"readOnlyValue"`
	} `json:"modificationMetadata"`
}

var dateProps = map[string]bool{"createdate": true, "lastmodifieddate": true, "hs_lastmodifieddate": true}

// describe renders property p of t. Callers hold mu.
func (t *objectType) describe(p string) propertyJSON {
	j := propertyJSON{Name: p, Label: p, Type: "string", FieldType: "text", GroupName: t.singular + "information",
		Options: []map[string]any{}, HubspotDefined: !t.custom[p], FormField: t.writable[p]}
	switch {
	case numericProps[p]:
		j.Type, j.FieldType = "number", "number"
	case dateProps[p]:
		j.Type, j.FieldType = "datetime", "date"
	case p == "lifecyclestage":
		j.Type, j.FieldType = "enumeration", "radio"
		for stage := range lifecycleOrder {
			j.Options = append(j.Options, map[string]any{"label": stage, "value": stage, "hidden": false})
		}
		sort.Slice(j.Options, func(a, b int) bool {
			return lifecycleOrder[j.Options[a]["value"].(string)] < lifecycleOrder[j.Options[b]["value"].(string)]
		})
	}
	j.HasUniqueValue = t.custom[p] && p == t.uniqueProp
	j.ModificationMetadata.ReadOnlyValue = t.readOnly[p]
	j.ModificationMetadata.ReadOnlyDefinition = j.HubspotDefined
	j.ModificationMetadata.Archivable = !j.HubspotDefined
	j.Calculated = t.readOnly[p] && !dateProps[p] && p != "hs_object_id"
	return j
}

// names lists every property of t, sorted.
func (t *objectType) names() []string {
	var out []string
	for p := range t.writable {
		out = append(out, p)
	}
	for p := range t.readOnly {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func (s *Server) handleProperties(w http.ResponseWriter, r *http.Request) {
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	s.store.mu.Lock()
	out := []propertyJSON{}
	for _, p := range o.t.names() {
		out = append(out, o.t.describe(p))
	}
	s.store.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}

func (s *Server) handleProperty(w http.ResponseWriter, r *http.Request) {
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	name := chi.URLParam(r, "propertyName")
	s.store.mu.Lock()
	known := o.t.known(name)
	var j propertyJSON
	if known {
		j = o.t.describe(name)
	}
	s.store.mu.Unlock()
	if !known {
		writeErr(w, newErr(http.StatusNotFound, "OBJECT_NOT_FOUND", fmt.Sprintf("Unable to find property %s on object type %s", name, o.t.typeID)))
		return
	}
	writeJSON(w, http.StatusOK, j)
}

// RemoveProperty deletes a property from an object type, as an admin
// archiving a custom property (or a portal that never had it) would:
// writes naming it fail with PROPERTY_DOESNT_EXIST and the properties API
// no longer lists it.
func (s *Server) RemoveProperty(objectType, name string) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	o, err := s.store.object(objectType)
	if err != nil {
		return fmt.Errorf("remove property: %w", err)
	}
	name = strings.ToLower(name)
	if !o.t.known(name) {
		return fmt.Errorf("remove property: %s has no property %q", objectType, name)
	}
	delete(o.t.writable, name)
	delete(o.t.readOnly, name)
	return nil
}

// SetValidationRule sets an admin's validation rule on a property; writes
// through the API and the Go API alike must then pass it.
func (s *Server) SetValidationRule(objectType, property string, rule ValidationRule) error {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	o, err := s.store.object(objectType)
	if err != nil {
		return fmt.Errorf("set validation rule: %w", err)
	}
	if !o.t.writable[property] || rule.Valid == nil {
		return fmt.Errorf("set validation rule: %s has no writable property %q, or the rule has no Valid", objectType, property)
	}
	o.t.rules[property] = rule
	return nil
}
