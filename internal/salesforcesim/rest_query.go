package salesforcesim

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

// cursor holds the rest of a query's result for nextRecordsUrl.
type cursor struct {
	records []orderedRecord
	total   int
	path    string // "query" or "queryAll"
}

type queryResult struct {
	TotalSize      int             `json:"totalSize"`
	Done           bool            `json:"done"`
	NextRecordsURL string          `json:"nextRecordsUrl,omitempty"`
	Records        []orderedRecord `json:"records"`
}

func malformed(err error) *apiError {
	return apiErr(http.StatusBadRequest, "MALFORMED_QUERY", err.Error())
}

// handleQuery serves GET /query?q= (and /queryAll, which also returns
// deleted records) — "Execute a SOQL Query", resources_query.htm.
func (s *Server) handleQuery(all bool) http.HandlerFunc {
	path := "query"
	if all {
		path = "queryAll"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		if q == "" {
			writeAPIError(w, apiErr(http.StatusBadRequest, "MALFORMED_QUERY", "A query string must be provided."))
			return
		}
		parsed, err := parseSOQL(q)
		if err != nil {
			writeAPIError(w, malformed(err))
			return
		}
		version := chi.URLParam(r, "version")
		records, aerr := s.runQuery(parsed, all, version)
		if aerr != nil {
			writeAPIError(w, aerr)
			return
		}
		if parsed.count {
			writeJSON(w, http.StatusOK, queryResult{TotalSize: len(records), Done: true, Records: []orderedRecord{}})
			return
		}
		writeJSON(w, http.StatusOK, s.page(&cursor{records: records, total: len(records), path: path}, version, 0, ""))
	}
}

// page returns the page of c starting at offset, keeping a cursor for the
// rest.
func (s *Server) page(c *cursor, version string, offset int, locator string) queryResult {
	end := min(offset+s.cfg.QueryPageSize, len(c.records))
	res := queryResult{TotalSize: c.total, Done: end >= len(c.records), Records: c.records[offset:end]}
	if res.Records == nil {
		res.Records = []orderedRecord{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if res.Done {
		delete(s.cursors, locator)
		return res
	}
	if locator == "" {
		s.cursorSeq++
		locator = newID(prefixQueryLocator, s.cursorSeq)
		s.cursors[locator] = c
	}
	res.NextRecordsURL = fmt.Sprintf("/services/data/%s/%s/%s-%d", version, c.path, locator, end)
	return res
}

// handleQueryMore serves GET nextRecordsUrl.
func (s *Server) handleQueryMore(w http.ResponseWriter, r *http.Request) {
	loc, off, _ := strings.Cut(chi.URLParam(r, "locator"), "-")
	offset, err := strconv.Atoi(off)
	s.mu.Lock()
	c, ok := s.cursors[loc]
	s.mu.Unlock()
	if err != nil || !ok || offset < 0 || offset > len(c.records) {
		writeAPIError(w, apiErr(http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator"))
		return
	}
	writeJSON(w, http.StatusOK, s.page(c, chi.URLParam(r, "version"), offset, loc))
}

func (s *Server) runQuery(q *soqlQuery, all bool, version string) ([]orderedRecord, *apiError) {
	var sch *schema
	for n, x := range s.schemas {
		if strings.EqualFold(n, q.from) {
			sch = x
		}
	}
	if sch == nil {
		return nil, apiErr(http.StatusBadRequest, "INVALID_TYPE", fmt.Sprintf(
			"sObject type '%s' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.", q.from))
	}
	resolve := func(name string) (field, *apiError) {
		f, ok := sch.field(name)
		if !ok {
			return f, apiErr(http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf(
				"No such column '%s' on entity '%s'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", name, sch.name))
		}
		return f, nil
	}
	fields := make([]string, len(q.fields))
	for i, n := range q.fields {
		f, aerr := resolve(n)
		if aerr != nil {
			return nil, aerr
		}
		fields[i] = f.name
	}
	conds := make([]field, len(q.where))
	for i, c := range q.where {
		f, aerr := resolve(c.field)
		if aerr != nil {
			return nil, aerr
		}
		for _, v := range c.values {
			if _, isTime := v.(time.Time); (f.kind == kDateTime) != isTime && v != nil {
				return nil, apiErr(http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf(
					"value of filter criterion for field '%s' must be of type %s", f.name, kindName(f.kind)))
			}
		}
		conds[i] = f
	}
	orders := make([]field, len(q.order))
	for i, o := range q.order {
		f, aerr := resolve(o.field)
		if aerr != nil {
			return nil, aerr
		}
		orders[i] = f
	}

	sets := make([]map[string]bool, len(q.where))
	for i, c := range q.where {
		sets[i] = inSet(conds[i], c)
	}
	t := s.store.begin()
	var hits []*record
	for _, id := range t.st.order[sch.name] {
		rec := t.st.rows[sch.name][id]
		if rec.deleted && !all {
			continue
		}
		ok := true
		for i, c := range q.where {
			v := rec.value(conds[i].name)
			if text, isText := v.(string); isText && sets[i] != nil {
				ok = ok && sets[i][textKey(conds[i], text)]
				continue
			}
			ok = ok && matches(conds[i], v, c)
		}
		if ok {
			hits = append(hits, rec)
		}
	}
	slices.SortStableFunc(hits, func(a, b *record) int {
		for i, o := range q.order {
			if c := compare(orders[i], a.value(orders[i].name), b.value(orders[i].name)); c != 0 {
				if o.desc {
					return -c
				}
				return c
			}
		}
		return 0
	})
	if q.limit >= 0 && len(hits) > q.limit {
		hits = hits[:q.limit]
	}
	out := make([]orderedRecord, len(hits))
	for i, rec := range hits {
		out[i] = s.render(rec, fields, version)
	}
	t.rollback()
	return out, nil
}

func matches(f field, v any, c soqlCond) bool {
	if c.op == "IN" {
		for _, want := range c.values {
			if compare(f, v, want) == 0 && v != nil {
				return true
			}
		}
		return false
	}
	want := c.values[0]
	if want == nil || v == nil {
		eq := (want == nil) == (v == nil)
		return (c.op == "=" && eq) || (c.op == "!=" && !eq)
	}
	n := compare(f, v, want)
	switch c.op {
	case "=":
		return n == 0
	case "!=":
		return n != 0
	case "<":
		return n < 0
	case "<=":
		return n <= 0
	case ">":
		return n > 0
	}
	return n >= 0
}

// inSet indexes an IN list of text values by the form compare equates
// them in, so that a query over n records with m values costs n lookups
// rather than n×m comparisons (the bridge's matching reads send 200
// e-mail addresses at a time). Nil when the list is not all text.
func inSet(f field, c soqlCond) map[string]bool {
	if c.op != "IN" {
		return nil
	}
	set := make(map[string]bool, len(c.values))
	for _, v := range c.values {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		set[textKey(f, s)] = true
	}
	return set
}

// textKey is the text compare orders by: the 18-character form of an id,
// other text without case.
func textKey(f field, s string) string {
	if f.kind == kID {
		n, _ := normaliseID(s)
		return n
	}
	return strings.ToLower(s)
}

// compare orders two values of field f; nulls sort first (SOQL's default
// NULLS FIRST for ascending order). Text compares case-insensitively, as
// SOQL does; ids compare in their 18-character form.
func compare(f field, a, b any) int {
	if a == nil || b == nil {
		switch {
		case a == nil && b == nil:
			return 0
		case a == nil:
			return -1
		}
		return 1
	}
	switch x := a.(type) {
	case time.Time:
		y, _ := b.(time.Time)
		return x.Compare(y)
	case bool:
		y, _ := b.(bool)
		return cmp.Compare(strconv.FormatBool(x), strconv.FormatBool(y))
	case string:
		y := fmt.Sprint(b)
		return cmp.Compare(textKey(f, x), textKey(f, y))
	}
	xf, _ := number(a)
	yf, _ := number(b)
	return cmp.Compare(xf, yf)
}
