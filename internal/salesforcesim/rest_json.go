package salesforcesim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// orderedRecord marshals a record with attributes first and the fields in
// the order asked for, as Salesforce does.
type orderedRecord struct {
	typ, url string
	names    []string
	values   []any
}

func (o orderedRecord) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	attrs, err := json.Marshal(map[string]string{"type": o.typ, "url": o.url})
	if err != nil {
		return nil, fmt.Errorf("marshal attributes: %w", err)
	}
	b.WriteString(`{"attributes":`)
	b.Write(attrs)
	for i, n := range o.names {
		v, err := json.Marshal(o.values[i])
		if err != nil {
			return nil, fmt.Errorf("marshal field %s: %w", n, err)
		}
		b.WriteString(`,"` + n + `":`)
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func recordURL(version, typ, id string) string {
	return "/services/data/" + version + "/sobjects/" + typ + "/" + id
}

// render builds the REST view of r with the given fields (all when nil).
func (s *Server) render(r *record, fields []string, version string) orderedRecord {
	sch := s.schemas[r.typ]
	if fields == nil {
		for _, f := range sch.fields {
			fields = append(fields, f.name)
		}
	}
	o := orderedRecord{typ: r.typ, url: recordURL(version, r.typ, r.id)}
	for _, n := range fields {
		o.names = append(o.names, n)
		o.values = append(o.values, restValue(r.value(n)))
	}
	return o
}

// fieldList resolves a comma-separated field list to canonical names.
func fieldList(sch *schema, list string) ([]string, *apiError) {
	var out []string
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		f, ok := sch.field(n)
		if !ok {
			return nil, errNoSuchColumn(n, sch.name)
		}
		out = append(out, f.name)
	}
	return out, nil
}

// schemaOf resolves the {sobject} URL parameter.
func (s *Server) schemaOf(r *http.Request) (*schema, *apiError) {
	name := chi.URLParam(r, "sobject")
	for n, sch := range s.schemas {
		if strings.EqualFold(n, name) {
			return sch, nil
		}
	}
	return nil, errNotFound()
}

func decodeJSON(r *http.Request, v any) *apiError {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 32<<20))
	if err := dec.Decode(v); err != nil {
		return errJSON("Unexpected character: " + err.Error())
	}
	return nil
}

// saveResult is a SaveResult/UpsertResult as REST returns it.
type saveResult struct {
	ID      string      `json:"id,omitempty"`
	Success bool        `json:"success"`
	Errors  []*recError `json:"errors"`
	Created *bool       `json:"created,omitempty"`
}

func okResult(id string, created *bool) saveResult {
	return saveResult{ID: id, Success: true, Errors: []*recError{}, Created: created}
}

func boolPtr(b bool) *bool { return &b }
