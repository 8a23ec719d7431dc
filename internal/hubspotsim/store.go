package hubspotsim

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Record is a CRM record as the Go API returns it. Properties hold every
// stored value (all strings); a cleared property is absent.
type Record struct {
	ID         string
	Type       string // contacts or companies
	Properties map[string]string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Archived   bool
	ArchivedAt time.Time
}

type record struct {
	id         int64
	props      map[string]string
	created    time.Time
	updated    time.Time
	archived   bool
	archivedAt time.Time
	history    map[string][]historyEntry // oldest first
	indexed    []snapshot                // search index states, oldest first
}

type objectStore struct {
	t      *objectType
	recs   map[int64]*record
	alias  map[int64]int64  // merged id → surviving id
	unique map[string]int64 // unique-property value → id (live records only)
	nextID int64
}

// store holds every record and association. One mutex serialises all
// writes, which also keeps modification stamps strictly increasing.
type store struct {
	mu       sync.Mutex
	types    map[string]*objectType
	objs     map[string]*objectStore // by canonical name
	now      func() time.Time
	last     time.Time
	portalID int64
	// assoc maps contact id → company id → primary flag.
	assoc map[int64]map[int64]bool
	// searchLag delays writes' visibility in search.
	searchLag time.Duration
}

func newStore(types map[string]*objectType, now func() time.Time, portalID int64, searchLag time.Duration) *store {
	s := &store{types: types, objs: map[string]*objectStore{}, now: now,
		portalID: portalID, assoc: map[int64]map[int64]bool{}, searchLag: searchLag}
	start := map[string]int64{"contacts": 51201, "companies": 8801201}
	for _, name := range []string{"contacts", "companies"} {
		s.objs[name] = &objectStore{t: types[name], recs: map[int64]*record{},
			alias: map[int64]int64{}, unique: map[string]int64{}, nextID: start[name]}
	}
	return s
}

// stamp returns the timestamp of a new write: the clock truncated to the
// millisecond (HubSpot's precision), moved past the previous write's stamp
// so that modification dates strictly increase. Callers hold mu.
func (s *store) stamp() time.Time {
	t := s.now().UTC().Truncate(time.Millisecond)
	if !t.After(s.last) {
		t = s.last.Add(time.Millisecond)
	}
	s.last = t
	return t
}

func (s *store) object(typ string) (*objectStore, *APIError) {
	t, ok := s.types[typ]
	if !ok {
		return nil, newErr(http.StatusBadRequest, "VALIDATION_ERROR", "Unable to infer object type from: "+typ)
	}
	return s.objs[t.name], nil
}

// isoMillis is HubSpot's timestamp format ("2022-06-01T14:31:48.469Z").
func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func parseID(id string) (int64, bool) {
	n, err := strconv.ParseInt(id, 10, 64)
	return n, err == nil && n > 0
}

// find resolves a record by id (following merges) or by a unique property.
// archived selects archived records instead of live ones, as HubSpot's
// archived=true does. Callers hold mu.
func (o *objectStore) find(id, idProperty string, archived bool) (*record, *APIError) {
	var rec *record
	switch idProperty {
	case "", "hs_object_id":
		n, ok := parseID(id)
		if !ok {
			return nil, notFound()
		}
		if to, ok := o.alias[n]; ok && !archived {
			n = to
		}
		rec = o.recs[n]
	case o.t.uniqueProp:
		if archived {
			for _, r := range o.sorted() {
				if r.archived && r.props[idProperty] == o.t.normaliseValue(idProperty, id) {
					rec = r
					break
				}
			}
		} else if n, ok := o.unique[o.t.normaliseValue(idProperty, id)]; ok {
			rec = o.recs[n]
		}
	default:
		return nil, validationErr("Property " + strconv.Quote(idProperty) + " is not a unique identifier property")
	}
	if rec == nil || rec.archived != archived {
		return nil, notFound()
	}
	return rec, nil
}

// sorted returns every record in id order (list and search order).
func (o *objectStore) sorted() []*record {
	out := make([]*record, 0, len(o.recs))
	for _, r := range o.recs {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func (o *objectStore) public(r *record) Record {
	props := make(map[string]string, len(r.props))
	for k, v := range r.props {
		props[k] = v
	}
	return Record{ID: strconv.FormatInt(r.id, 10), Type: o.t.name, Properties: props,
		CreatedAt: r.created, UpdatedAt: r.updated, Archived: r.archived, ArchivedAt: r.archivedAt}
}

// view selects the properties a read returns: the named ones (null when
// unset, unknown names ignored) plus the three HubSpot always adds, or the
// object's defaults when none are named.
func (o *objectStore) view(r *record, names []string) map[string]*string {
	if len(names) == 0 {
		names = o.t.defaultProps
	} else {
		names = append(slices.Clone(names), "createdate", "hs_object_id", o.t.modifiedProp)
	}
	out := map[string]*string{}
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" || !o.t.known(n) {
			continue
		}
		if v, ok := r.props[n]; ok {
			out[n] = strPtr(v)
		} else {
			out[n] = nil
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
