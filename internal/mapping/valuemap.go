package mapping

import (
	"strings"
	"unicode"
)

// ValuePair is one picklist correspondence.
type ValuePair struct {
	HubSpot    string
	Salesforce string
}

// ValueMap translates picklist values both ways. Several HubSpot values may
// map to one Salesforce value (HubSpot's industry list is far longer than
// Salesforce's); the first pair naming a Salesforce value is the one used
// in the other direction.
//
// A value with no exact pair is matched loosely — ignoring case and
// punctuation ("TECHNOLOGY" finds "Technology", "Food & Beverage" finds
// FOOD_BEVERAGE) — and otherwise passes through unchanged: Salesforce's
// standard picklists are unrestricted, and HubSpot answers an unknown
// enumeration option with a VALIDATION_ERROR the engine dead-letters.
type ValueMap struct {
	pairs  []ValuePair
	toSF   map[string]string
	toHS   map[string]string
	foldSF map[string]string // fold(Salesforce value) → Salesforce value
	foldHS map[string]string // fold(HubSpot value) → HubSpot value
}

// NewValueMap builds a map from pairs in priority order.
func NewValueMap(pairs ...ValuePair) ValueMap {
	v := ValueMap{
		pairs: append([]ValuePair(nil), pairs...),
		toSF:  map[string]string{}, toHS: map[string]string{},
		foldSF: map[string]string{}, foldHS: map[string]string{},
	}
	for _, p := range pairs {
		putFirst(v.toSF, p.HubSpot, p.Salesforce)
		putFirst(v.toHS, p.Salesforce, p.HubSpot)
		putFirst(v.foldSF, fold(p.Salesforce), p.Salesforce)
		putFirst(v.foldHS, fold(p.HubSpot), p.HubSpot)
	}
	return v
}

func putFirst(m map[string]string, k, v string) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

// Len is the number of pairs.
func (v ValueMap) Len() int { return len(v.pairs) }

// Pairs returns a copy of the pairs in priority order.
func (v ValueMap) Pairs() []ValuePair { return append([]ValuePair(nil), v.pairs...) }

// ToSalesforce translates a HubSpot value; ok is false when it passed
// through unmatched.
func (v ValueMap) ToSalesforce(hs string) (string, bool) {
	if sf, ok := v.toSF[hs]; ok {
		return sf, true
	}
	f := fold(hs)
	if f == "" {
		return hs, false
	}
	if sf, ok := v.foldSF[f]; ok {
		return sf, true
	}
	if key, ok := v.foldHS[f]; ok {
		return v.toSF[key], true
	}
	return hs, false
}

// ToHubSpot translates a Salesforce value; ok is false when it passed
// through unmatched.
func (v ValueMap) ToHubSpot(sf string) (string, bool) {
	if hs, ok := v.toHS[sf]; ok {
		return hs, true
	}
	f := fold(sf)
	if f == "" {
		return sf, false
	}
	if canon, ok := v.foldSF[f]; ok {
		return v.toHS[canon], true
	}
	if hs, ok := v.foldHS[f]; ok {
		return hs, true
	}
	return sf, false
}

// fold reduces a value to upper-case words joined by "_".
func fold(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			gap = false
			b.WriteRune(unicode.ToUpper(r))
			continue
		}
		gap = true
	}
	return b.String()
}
