// CRM search (developers.hubspot.com/docs/api-reference/latest/crm/search-the-crm):
// filterGroups ORed, filters within a group ANDed, one sort, offset paging,
// limit ≤ 200, at most 10,000 results, archived records never returned.

package hubspotsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	searchMaxLimit    = 200
	searchMaxResults  = 10000
	searchMaxGroups   = 5
	searchMaxPerGroup = 6
	searchMaxFilters  = 18
)

type searchFilter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        flexID   `json:"value"`
	HighValue    flexID   `json:"highValue"`
	Values       []flexID `json:"values"`
}

type searchSort struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction"`
}

// sortInput accepts the documented object form and the OpenAPI's string form.
type sortInput searchSort

func (s *sortInput) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err == nil {
		*s = sortInput{PropertyName: strings.TrimPrefix(name, "-"), Direction: "ASCENDING"}
		if strings.HasPrefix(name, "-") {
			s.Direction = "DESCENDING"
		}
		return nil
	}
	var obj searchSort
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	*s = sortInput(obj)
	return nil
}

type searchRequest struct {
	FilterGroups []struct {
		Filters []searchFilter `json:"filters"`
	} `json:"filterGroups"`
	Sorts      []sortInput `json:"sorts"`
	Query      string      `json:"query"`
	Properties []string    `json:"properties"`
	Limit      *int        `json:"limit"`
	After      flexID      `json:"after"`
}

func (q *searchRequest) check() *APIError {
	total := 0
	if len(q.FilterGroups) > searchMaxGroups {
		return validationErr(fmt.Sprintf("Too many filter groups: %d (max %d)", len(q.FilterGroups), searchMaxGroups))
	}
	for _, g := range q.FilterGroups {
		if len(g.Filters) > searchMaxPerGroup {
			return validationErr(fmt.Sprintf("Too many filters in a group: %d (max %d)", len(g.Filters), searchMaxPerGroup))
		}
		total += len(g.Filters)
		for _, f := range g.Filters {
			if !knownOperators[f.Operator] {
				return validationErr("Unknown filter operator: " + f.Operator)
			}
		}
	}
	if total > searchMaxFilters {
		return validationErr(fmt.Sprintf("Too many filters: %d (max %d)", total, searchMaxFilters))
	}
	if q.Limit != nil && (*q.Limit < 0 || *q.Limit > searchMaxLimit) {
		return validationErr(fmt.Sprintf("limit must be between 0 and %d", searchMaxLimit))
	}
	return nil
}

var knownOperators = map[string]bool{"EQ": true, "NEQ": true, "LT": true, "LTE": true, "GT": true,
	"GTE": true, "BETWEEN": true, "IN": true, "NOT_IN": true, "HAS_PROPERTY": true,
	"NOT_HAS_PROPERTY": true, "CONTAINS_TOKEN": true, "NOT_CONTAINS_TOKEN": true}

// handleSearch serves POST /crm/v3/objects/{objectType}/search.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	o, ok := s.objectOf(w, r)
	if !ok {
		return
	}
	var q searchRequest
	if !decodeBody(w, r, &q) {
		return
	}
	if err := q.check(); err != nil {
		writeErr(w, err)
		return
	}
	limit := listDefaultLimit
	if q.Limit != nil {
		limit = *q.Limit
	}
	offset := 0
	if q.After != "" {
		n, err := strconv.Atoi(string(q.After))
		if err != nil || n < 0 {
			writeErr(w, validationErr("after must be an integer, got "+string(q.After)))
			return
		}
		offset = n
	}
	if offset+limit > searchMaxResults {
		writeErr(w, validationErr(fmt.Sprintf("The search API returns at most %d results; page beyond it with a narrower filter", searchMaxResults)))
		return
	}
	w, flush := deferWrites(w)
	defer flush() // runs after the unlock below
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	var hits []*record
	for _, live := range o.sorted() {
		if rec := s.store.searchView(live); rec != nil && !rec.archived && q.matches(rec) {
			hits = append(hits, rec)
		}
	}
	if len(q.Sorts) > 0 {
		sortRecords(hits, searchSort(q.Sorts[0]))
	}
	type page struct {
		Total   int          `json:"total"`
		Results []objectJSON `json:"results"`
		Paging  *paging      `json:"paging,omitempty"`
	}
	out := page{Total: len(hits), Results: []objectJSON{}}
	for i := offset; i < len(hits) && i < offset+limit; i++ {
		out.Results = append(out.Results, o.toJSON(hits[i], o.view(hits[i], q.Properties)))
	}
	if offset+limit < len(hits) {
		out.Paging = &paging{}
		out.Paging.Next.After = strconv.Itoa(offset + limit)
	}
	writeJSON(w, http.StatusOK, out)
}

func (q *searchRequest) matches(r *record) bool {
	if q.Query != "" && !queryMatches(r, q.Query) {
		return false
	}
	if len(q.FilterGroups) == 0 {
		return true
	}
	for _, g := range q.FilterGroups {
		all := true
		for _, f := range g.Filters {
			if !f.matches(r) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// queryMatches is the free-text `query`: a prefix match on the default
// searchable text properties.
func queryMatches(r *record, q string) bool {
	q = strings.ToLower(q)
	for _, p := range []string{"email", "firstname", "lastname", "phone", "company", "name", "domain", "website"} {
		for _, word := range strings.Fields(strings.ToLower(r.props[p])) {
			if strings.HasPrefix(word, q) {
				return true
			}
		}
	}
	return false
}

func (f searchFilter) matches(r *record) bool {
	v, has := r.props[f.PropertyName]
	if f.PropertyName == "hs_object_id" {
		v, has = strconv.FormatInt(r.id, 10), true
	}
	switch f.Operator {
	case "HAS_PROPERTY":
		return has
	case "NOT_HAS_PROPERTY":
		return !has
	case "EQ":
		return has && compare(v, string(f.Value)) == 0
	case "NEQ":
		return !has || compare(v, string(f.Value)) != 0
	case "LT":
		return has && compare(v, string(f.Value)) < 0
	case "LTE":
		return has && compare(v, string(f.Value)) <= 0
	case "GT":
		return has && compare(v, string(f.Value)) > 0
	case "GTE":
		return has && compare(v, string(f.Value)) >= 0
	case "BETWEEN":
		return has && compare(v, string(f.Value)) >= 0 && compare(v, string(f.HighValue)) <= 0
	case "IN", "NOT_IN":
		in := false
		for _, x := range f.Values {
			in = in || (has && compare(v, string(x)) == 0)
		}
		return in == (f.Operator == "IN")
	case "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN":
		return tokenMatch(v, string(f.Value)) == (f.Operator == "CONTAINS_TOKEN")
	}
	return false
}

// compare orders two property values: as instants when both read as dates
// (epoch milliseconds or ISO-8601, as HubSpot accepts for date filters),
// as numbers when both are numbers, else as case-insensitive strings.
func compare(a, b string) int {
	if ta, ok := asInstant(a); ok {
		if tb, ok := asInstant(b); ok {
			return ta.Compare(tb)
		}
	}
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

// asInstant reads an ISO-8601 timestamp, or epoch milliseconds of a plausible
// date (13 digits), so that plain numbers are not mistaken for dates.
func asInstant(v string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, true
	}
	if len(v) == 13 {
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
			return time.UnixMilli(ms), true
		}
	}
	return time.Time{}, false
}

// tokenMatch implements CONTAINS_TOKEN: whole-word match, `*` as wildcard.
func tokenMatch(v, token string) bool {
	token = strings.ToLower(token)
	v = strings.ToLower(v)
	if strings.Contains(token, "*") {
		parts := strings.Split(token, "*")
		rest := v
		for i, p := range parts {
			idx := strings.Index(rest, p)
			if idx < 0 || (i == 0 && idx != 0 && parts[0] != "") {
				return false
			}
			rest = rest[idx+len(p):]
		}
		return parts[len(parts)-1] == "" || rest == ""
	}
	for _, w := range strings.FieldsFunc(v, func(r rune) bool {
		return r == ' ' || r == ',' || r == ';' || r == '@' || r == '.'
	}) {
		if w == token {
			return true
		}
	}
	return v == token
}

func sortRecords(recs []*record, by searchSort) {
	desc := strings.EqualFold(by.Direction, "DESCENDING")
	sort.SliceStable(recs, func(i, j int) bool {
		c := compare(recs[i].props[by.PropertyName], recs[j].props[by.PropertyName])
		if by.PropertyName == "hs_object_id" {
			c = compare(strconv.FormatInt(recs[i].id, 10), strconv.FormatInt(recs[j].id, 10))
		}
		if c == 0 {
			return recs[i].id < recs[j].id
		}
		return (c < 0) != desc
	})
}
