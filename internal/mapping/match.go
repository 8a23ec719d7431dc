package mapping

import (
	"strings"

	"github.com/hubforce/hubforce"
)

// MatchValue is one normalised key value to look a record up by.
type MatchValue struct {
	Key   MatchKey
	Value string
}

// Matches lists, in priority order, the normalised key values a record
// (fields by side s's names) can be matched on; keys with blank values are
// left out. A company yields its domain (from domain or Website) and then
// its name.
func (m *Mapping) Matches(obj hubforce.Object, s hubforce.Side, fields map[string]string) []MatchValue {
	om, ok := m.objects[obj]
	if !ok {
		return nil
	}
	var out []MatchValue
	for _, k := range om.Match {
		name := k.HubSpot
		if s == hubforce.Salesforce {
			name = k.Salesforce
		}
		if v := normalizeKey(k.Kind, fields[name]); v != "" {
			out = append(out, MatchValue{Key: k, Value: v})
		}
	}
	return out
}

// MatchKey returns the first normalised match key value of a record: the
// lower-cased email of a contact, the domain (or else the name) of a
// company. ok is false when the record has none.
func (m *Mapping) MatchKey(obj hubforce.Object, s hubforce.Side, fields map[string]string) (string, bool) {
	ms := m.Matches(obj, s, fields)
	if len(ms) == 0 {
		return "", false
	}
	return ms[0].Value, true
}

func normalizeKey(kind MatchKind, v string) string {
	switch kind {
	case MatchEmail:
		return NormalizeEmail(v)
	case MatchDomain:
		return NormalizeDomain(v)
	case MatchName:
		return NormalizeName(v)
	}
	return strings.TrimSpace(v)
}
