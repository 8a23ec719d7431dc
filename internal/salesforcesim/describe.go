// GET /services/data/vXX.X/sobjects/{sObject}/describe (REST API Developer
// Guide, "sObject Describe"): the object's fields with the properties a
// client checks before writing — type, createable, updateable, nillable,
// defaultedOnCreate, calculated (Object Reference, "Field Properties").

package salesforcesim

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

type describeField struct {
	Name              string   `json:"name"`
	Label             string   `json:"label"`
	Type              string   `json:"type"`
	Createable        bool     `json:"createable"`
	Updateable        bool     `json:"updateable"`
	Nillable          bool     `json:"nillable"`
	DefaultedOnCreate bool     `json:"defaultedOnCreate"`
	Calculated        bool     `json:"calculated"`
	Custom            bool     `json:"custom"`
	ExternalID        bool     `json:"externalId"`
	IDLookup          bool     `json:"idLookup"`
	ReferenceTo       []string `json:"referenceTo"`
}

func (f field) describeType() string {
	switch {
	case f.name == "Id":
		return "id"
	case f.ref != "":
		return "reference"
	case f.email:
		return "email"
	}
	switch f.kind {
	case kBool:
		return "boolean"
	case kInt:
		return "int"
	case kDouble:
		return "double"
	case kDate:
		return "date"
	case kDateTime:
		return "datetime"
	}
	return "string"
}

func (s *Server) handleDescribe(w http.ResponseWriter, r *http.Request) {
	name := chi.URLParam(r, "sobject")
	sch, ok := s.schemas[name]
	if !ok {
		writeAPIError(w, apiErr(http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist"))
		return
	}
	out := make([]describeField, 0, len(sch.fields))
	for _, f := range sch.fields {
		// OwnerId and checkboxes get a value on create; the system fields
		// are set by Salesforce.
		defaulted := f.readOnly || f.name == "OwnerId" || f.kind == kBool
		d := describeField{Name: f.name, Label: f.name, Type: f.describeType(),
			Createable: !f.readOnly, Updateable: !f.readOnly,
			Nillable: !f.required && !defaulted && f.name != "Id", DefaultedOnCreate: defaulted,
			Calculated: f.readOnly && f.name == "Name", Custom: len(f.name) > 3 && f.name[len(f.name)-3:] == "__c",
			ExternalID: sch.extIDs[f.name], IDLookup: f.idLookup || f.name == "Id", ReferenceTo: []string{}}
		if f.ref != "" {
			d.ReferenceTo = []string{f.ref}
		}
		out = append(out, d)
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": sch.name, "label": sch.name, "createable": true,
		"updateable": true, "queryable": true, "custom": false, "fields": out})
}
