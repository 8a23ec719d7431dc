// JSON shapes of the CRM objects API (HubSpot's CRM Contacts and Companies
// specs, 2026-03 and 2026-09 — the same as v3's — components.schemas) and
// request decoding.

package hubspotsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

// objectJSON is SimplePublicObject(WithAssociations); New is set only by
// batch upsert (SimplePublicUpsertObject).
type objectJSON struct {
	ID                    string                     `json:"id"`
	Properties            map[string]*string         `json:"properties"`
	CreatedAt             string                     `json:"createdAt"`
	UpdatedAt             string                     `json:"updatedAt"`
	Archived              bool                       `json:"archived"`
	ArchivedAt            string                     `json:"archivedAt,omitempty"`
	PropertiesWithHistory map[string][]historyEntry  `json:"propertiesWithHistory,omitempty"`
	Associations          map[string]assocCollection `json:"associations,omitempty"`
	New                   *bool                      `json:"new,omitempty"`
}

type assocCollection struct {
	Results []assocRef `json:"results"`
}

type assocRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

func (o *objectStore) toJSON(r *record, props map[string]*string) objectJSON {
	j := objectJSON{ID: strconv.FormatInt(r.id, 10), Properties: props,
		CreatedAt: isoMillis(r.created), UpdatedAt: isoMillis(r.updated), Archived: r.archived}
	if r.archived {
		j.ArchivedAt = isoMillis(r.archivedAt)
	}
	return j
}

// allProps is what create and update answer with: every stored value.
func allProps(r *record) map[string]*string {
	out := make(map[string]*string, len(r.props))
	for k, v := range r.props {
		out[k] = strPtr(v)
	}
	return out
}

// propertyInput decodes a properties object. HubSpot takes numbers and
// booleans too and stores them as strings; a null value clears like "". A
// null or absent object stays nil: the specs make properties required.
type propertyInput map[string]string

func (p *propertyInput) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*p = nil
		return nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(propertyInput, len(raw))
	for k, v := range raw {
		v = bytes.TrimSpace(v)
		switch {
		case len(v) == 0 || string(v) == "null":
			out[k] = ""
		case v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			out[k] = s
		case v[0] == '{' || v[0] == '[':
			return fmt.Errorf("property %q: value must be a string, number or boolean", k)
		default:
			out[k] = string(v)
		}
	}
	*p = out
	return nil
}

// decodeBody reads a JSON request body into v, answering HubSpot's 400 when
// it is not valid JSON.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 8<<20))
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		writeErr(w, validationErr("Invalid input JSON: "+err.Error()))
		return false
	}
	return true
}

// listParam reads a comma-separated (or repeated) query parameter.
func listParam(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func boolParam(r *http.Request, name string) bool {
	b, _ := strconv.ParseBool(r.URL.Query().Get(name))
	return b
}

// batchResponse is BatchResponseSimplePublicObject(WithErrors).
type batchResponse struct {
	Status      string            `json:"status"`
	Results     []objectJSON      `json:"results"`
	NumErrors   int               `json:"numErrors,omitempty"`
	Errors      []batchError      `json:"errors,omitempty"`
	StartedAt   string            `json:"startedAt"`
	CompletedAt string            `json:"completedAt"`
	Links       map[string]string `json:"links,omitempty"`
}

// batchError is StandardError inside a 207 body.
type batchError struct {
	Status      string              `json:"status"`
	Category    string              `json:"category"`
	SubCategory string              `json:"subCategory,omitempty"`
	Message     string              `json:"message"`
	Context     map[string][]string `json:"context"`
	Errors      []errorDetail       `json:"errors"`
	Links       map[string]string   `json:"links"`
}

func newBatchResponse(started time.Time, now func() time.Time) batchResponse {
	return batchResponse{Status: "COMPLETE", Results: []objectJSON{},
		StartedAt: isoMillis(started), CompletedAt: isoMillis(now())}
}

func (b *batchResponse) addError(e batchError) {
	if e.Context == nil {
		e.Context = map[string][]string{}
	}
	if e.Errors == nil {
		e.Errors = []errorDetail{}
	}
	if e.Links == nil {
		e.Links = map[string]string{}
	}
	e.Status = "error"
	b.Errors = append(b.Errors, e)
	b.NumErrors = len(b.Errors)
}

// write answers 207 when any input failed, else ok.
func (b batchResponse) write(w http.ResponseWriter, ok int) {
	if b.NumErrors > 0 {
		writeJSON(w, http.StatusMultiStatus, b)
		return
	}
	writeJSON(w, ok, b)
}

func (s *Server) objectOf(w http.ResponseWriter, r *http.Request) (*objectStore, bool) {
	o, err := s.store.object(chi.URLParam(r, "objectType"))
	if err != nil {
		writeErr(w, err)
		return nil, false
	}
	return o, true
}

// source is the change source of API writes: the app's own token.
func (s *Server) source() Source { return Integration(s.cfg.AppID) }

// deferredWriter holds a response until the store lock is released, so a
// slow client never stalls other requests.
type deferredWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (d *deferredWriter) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}

func (d *deferredWriter) Write(b []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	return d.body.Write(b)
}

// deferWrites returns a writer to use under the lock and the function that
// sends what was written; defer it before taking the lock.
func deferWrites(w http.ResponseWriter) (http.ResponseWriter, func()) {
	d := &deferredWriter{ResponseWriter: w}
	return d, func() {
		if d.status == 0 {
			return
		}
		w.WriteHeader(d.status)
		_, _ = w.Write(d.body.Bytes())
	}
}

// inputSchema names a batch input's OpenAPI schema and the attributes it
// requires (CRM objects 2026-03 and 2026-09 specs).
type inputSchema struct {
	name                 string
	needID, needProperty bool
}

var (
	updateInput  = inputSchema{"SimplePublicObjectBatchInput", true, true}
	upsertInput  = inputSchema{"SimplePublicObjectBatchInputUpsert", true, true}
	archiveInput = inputSchema{"SimplePublicObjectId", true, false}
	// The spec also requires associations on a create input; the batch
	// create guide's examples send none, and the guide is followed.
	batchCreateInput = inputSchema{"SimplePublicObjectBatchInputForCreate", false, true}
)

// missingAttributes is HubSpot's 400 for a body its schema refuses: a
// required attribute absent (or null). The wording is HubSpot's JSON
// binding message as widely reported ("Invalid input JSON …: Cannot build
// X, some of required attributes are not set [properties]"); the error
// category is the documented VALIDATION_ERROR.
func missingAttributes(schema string, attrs ...string) *APIError {
	return validationErr(fmt.Sprintf("Invalid input JSON: Cannot build %s, some of required attributes are not set [%s]",
		schema, strings.Join(attrs, ", ")))
}

// batchInputs is every batch write's prologue: the object type, the inputs
// of the body checked against their schema, and HubSpot's limit of 100 of
// them.
func (s *Server) batchInputs(w http.ResponseWriter, r *http.Request, schema inputSchema) (*objectStore, []batchInput, bool) {
	o, ok := s.objectOf(w, r)
	if !ok {
		return nil, nil, false
	}
	var in struct {
		Inputs []batchInput `json:"inputs"`
	}
	if !decodeBody(w, r, &in) {
		return nil, nil, false
	}
	if in.Inputs == nil {
		writeErr(w, missingAttributes("BatchInput"+schema.name, "inputs"))
		return nil, nil, false
	}
	for _, input := range in.Inputs {
		var missing []string
		if schema.needID && input.ID == "" {
			missing = append(missing, "id")
		}
		if schema.needProperty && input.Properties == nil {
			missing = append(missing, "properties")
		}
		if len(missing) > 0 {
			writeErr(w, missingAttributes(schema.name, missing...))
			return nil, nil, false
		}
	}
	if err := checkBatchSize(len(in.Inputs)); err != nil {
		writeErr(w, err)
		return nil, nil, false
	}
	return o, in.Inputs, true
}
