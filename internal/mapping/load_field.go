package mapping

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hubforce/hubforce"
)

// fields decodes an object's "fields" list and reports entries that map the
// same HubSpot property or Salesforce field twice.
func (l *loader) fields(om *ObjectMapping, n *node, where string) []Field {
	if n == nil || n.kind == nullNode {
		return nil
	}
	where += ".fields"
	if n.kind != seqNode {
		l.errorf(n, where, "want a list of fields, found %s", n.kind)
		return nil
	}
	var out []Field
	for i, item := range n.items {
		f, ok := l.field(item, fmt.Sprintf("%s[%d]", where, i))
		if !ok {
			continue
		}
		for _, prev := range out {
			w := fmt.Sprintf("%s[%d] (%s)", where, i, f.Label())
			if f.HubSpot != "" && f.HubSpot == prev.HubSpot {
				l.errorf(item, w, "HubSpot property %q is mapped twice in %s (also at line %d)", f.HubSpot, om.Object, prev.Line)
			}
			if f.Salesforce != "" && f.Salesforce == prev.Salesforce {
				l.errorf(item, w, "Salesforce field %s.%s is mapped twice (also at line %d)", om.SalesforceType, f.Salesforce, prev.Line)
			}
		}
		out = append(out, f)
	}
	return out
}

// field decodes one entry; ok is false when it is unusable.
func (l *loader) field(n *node, where string) (Field, bool) {
	if n.kind == nullNode {
		l.errorf(n, where, "empty field entry")
		return Field{}, false
	}
	e := l.entries(n, where, "hubspot", "salesforce", "rule", "type", "values", "default")
	if n.kind != mapNode {
		return Field{}, false
	}
	f := Field{
		HubSpot:    l.str(e["hubspot"], where+".hubspot"),
		Salesforce: l.str(e["salesforce"], where+".salesforce"),
		Rule:       TwoWay,
		Type:       Text,
		Line:       n.line,
		Column:     n.col,
	}
	where = fmt.Sprintf("%s (%s)", where, f.Label())
	if r, ok := e["rule"]; ok {
		f.Rule = Rule(l.str(r, where+".rule"))
		if !f.Rule.Valid() {
			l.errorf(r, where+".rule", "unknown rule %q; want one of %s", f.Rule, ruleList())
		}
	}
	l.fieldNames(&f, e, n, where)
	if t, ok := e["type"]; ok {
		f.Type = Type(l.str(t, where+".type"))
		if !f.Type.valid() {
			l.errorf(t, where+".type", "unknown type %q; want one of text, number, integer, boolean, domain", f.Type)
		}
	}
	if v, ok := e["values"]; ok {
		f.Values = l.values(f, v, where+".values")
	}
	if d, ok := e["default"]; ok {
		f.Default = l.str(d, where+".default")
		if f.Type.valid() && f.Type != Text && f.Type != Domain && f.Default != "" {
			if _, _, err := convert(Field{Type: f.Type}, hubforce.HubSpot, f.Default); err != nil {
				l.errorf(d, where+".default", "default for a %s field: %s", f.Type, err)
			}
		}
	}
	return f, true
}

// fieldNames checks both names. A rule-none entry may name one side only:
// it switches off the built-in field with that name.
func (l *loader) fieldNames(f *Field, e map[string]*node, n *node, where string) {
	hs, sf := e["hubspot"], e["salesforce"]
	switch {
	case f.HubSpot == "" && f.Salesforce == "":
		l.errorf(n, where, "empty names: a field needs \"hubspot\" (property) and \"salesforce\" (field)")
		return
	case f.HubSpot == "" && f.Rule != None:
		l.errorf(or(hs, n), where+".hubspot", "empty HubSpot property name (only a rule none entry may leave it out)")
	case f.Salesforce == "" && f.Rule != None:
		l.errorf(or(sf, n), where+".salesforce", "empty Salesforce field name (only a rule none entry may leave it out)")
	}
	if f.HubSpot != "" && !hubspotName.MatchString(f.HubSpot) {
		l.errorf(hs, where+".hubspot", "%q is not a HubSpot internal name: %s", f.HubSpot, hubspotNameRule)
	}
	if f.Salesforce != "" && !validSalesforceName(f.Salesforce) {
		l.errorf(sf, where+".salesforce", "%q is not a valid Salesforce API name: %s", f.Salesforce, salesforceNameRule)
	}
}

// values decodes a picklist map "HubSpot value: Salesforce value", in file
// order (the first pair for a Salesforce value is used towards HubSpot).
func (l *loader) values(f Field, n *node, where string) ValueMap {
	if f.Rule == None {
		l.errorf(n, where, "a value map on a field with rule none is never used")
	}
	if f.Type.valid() && f.Type != Text {
		l.errorf(n, where, "value maps apply to text fields, not %s", f.Type)
	}
	if n.kind != mapNode {
		l.errorf(n, where, "want a mapping of HubSpot value: Salesforce value, found %s", n.kind)
		return ValueMap{}
	}
	var pairs []ValuePair
	for i, k := range n.keys {
		hs := strings.TrimSpace(k.value)
		sf := l.str(n.vals[i], where+"."+hs)
		if hs == "" || sf == "" {
			l.errorf(k, where, "empty value in pair %q: %q", hs, sf)
			continue
		}
		pairs = append(pairs, ValuePair{HubSpot: hs, Salesforce: sf})
	}
	return NewValueMap(pairs...)
}

func ruleList() string {
	var s []string
	for _, r := range Rules() {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

// merge lays the file's fields over the built-in ones: a file entry takes
// the place of every built-in field sharing its HubSpot property or its
// Salesforce field; entries matching none are appended.
func merge(builtin, file []Field) []Field {
	placed := make([]bool, len(file))
	var out []Field
	for _, b := range builtin {
		replaced := false
		for i, f := range file {
			if !shares(b, f) {
				continue
			}
			replaced = true
			if !placed[i] {
				placed[i] = true
				out = append(out, switchedOff(f, b))
			}
		}
		if !replaced {
			out = append(out, b)
		}
	}
	for i, f := range file {
		if !placed[i] {
			out = append(out, f)
		}
	}
	return slices.Clip(out)
}

// switchedOff completes a rule-none entry that names one side with the
// built-in field it switches off, so that messages and lookups see the pair.
func switchedOff(f, b Field) Field {
	if f.Rule != None {
		return f
	}
	if f.HubSpot == "" {
		f.HubSpot = b.HubSpot
	}
	if f.Salesforce == "" {
		f.Salesforce = b.Salesforce
	}
	return f
}

func shares(a, b Field) bool {
	return (b.HubSpot != "" && a.HubSpot == b.HubSpot) || (b.Salesforce != "" && a.Salesforce == b.Salesforce)
}
