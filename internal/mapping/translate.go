package mapping

import (
	"fmt"
	"slices"

	"github.com/hubforce/hubforce"
)

// Problem categories, chosen to read like the CRMs' own error codes so a
// dead letter made here looks like one Salesforce would have caused.
const (
	// RequiredFieldMissing: a required Salesforce field would be blank and
	// the mapping gives no default.
	RequiredFieldMissing = "REQUIRED_FIELD_MISSING"
	// InvalidFieldValue: a value cannot be converted (not a number, not a
	// boolean, not a website).
	InvalidFieldValue = "INVALID_FIELD_VALUE"
)

// Problem is why one field of a record cannot be written; the engine
// dead-letters the change with it.
type Problem struct {
	Category string
	Object   hubforce.Object
	Field    string // target-side name
	Message  string
}

func (p Problem) Error() string {
	return fmt.Sprintf("%s: %s.%s: %s", p.Category, p.Object, p.Field, p.Message)
}

// Option adjusts a translation.
type Option func(*options)

type options struct {
	create  bool
	current map[string]string
}

// Creating says the target record does not exist yet: every required
// Salesforce field must be filled (from the source or a default), fields the
// source does not carry count as blank, and prefer-X-unless-blank fields
// flow because the target is blank.
func Creating() Option { return func(o *options) { o.create = true } }

// Current passes the target record's present values (target-side names).
// With it, prefer-X-unless-blank fields are written only where the target is
// blank, and fields that already agree are left out of the write.
func Current(values map[string]string) Option {
	return func(o *options) {
		if values == nil {
			values = map[string]string{}
		}
		o.current = values
	}
}

// Value is one translated field value: as text (HubSpot properties, and
// how either side reads a value back) and typed for Salesforce's JSON (a
// number, a boolean, nil to clear).
type Value struct {
	Text  string
	Typed any
}

// Translate translates field values of a change made on side from (named
// on that side) into the other side's fields: only fields whose rule lets
// from write, picklists translated, defaults applied, values typed, and a
// blank clearing the target. Fields with a problem are left out and
// reported.
func (m *Mapping) Translate(obj hubforce.Object, from hubforce.Side, src map[string]string, opts ...Option) (map[string]Value, []Problem) {
	out := map[string]Value{}
	problems := m.translate(obj, from, src, opts, func(name string, typed any, text string) {
		out[name] = Value{Text: text, Typed: typed}
	})
	return out, problems
}

// ToSalesforce translates HubSpot property values into a Salesforce sObject
// body (see Translate).
func (m *Mapping) ToSalesforce(obj hubforce.Object, hubspotProps map[string]string, opts ...Option) (map[string]any, []Problem) {
	out := map[string]any{}
	problems := m.translate(obj, hubforce.HubSpot, hubspotProps, opts, func(name string, typed any, _ string) {
		out[name] = typed
	})
	return out, problems
}

// ToHubSpot translates Salesforce field values into HubSpot properties; ""
// clears a property.
func (m *Mapping) ToHubSpot(obj hubforce.Object, sfFields map[string]string, opts ...Option) (map[string]string, []Problem) {
	out := map[string]string{}
	problems := m.translate(obj, hubforce.Salesforce, sfFields, opts, func(name string, _ any, text string) {
		out[name] = text
	})
	return out, problems
}

func (m *Mapping) translate(obj hubforce.Object, from hubforce.Side, src map[string]string, opts []Option, set func(string, any, string)) []Problem {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	om, ok := m.objects[obj]
	if !ok {
		return nil
	}
	to := from.Other()
	var problems []Problem
	fail := func(cat, field, format string, args ...any) {
		problems = append(problems, Problem{Category: cat, Object: obj, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	for _, f := range om.Fields {
		target := f.Name(to)
		required := to == hubforce.Salesforce && slices.Contains(om.Required, target)
		v, present := src[f.Name(from)]
		switch f.Rule.Writes(from) {
		case Never:
			if o.create && required && f.Default != "" {
				set(target, typedDefault(f), f.Default)
			}
			continue
		case IfTargetBlank:
			if o.create {
				break
			}
			if o.current == nil || !blank(o.current[target]) || blank(v) {
				continue
			}
		}
		if !present && !(o.create && (required || f.Default != "")) {
			continue
		}
		text, typed, err := m.value(f, from, v)
		if err != nil {
			fail(InvalidFieldValue, target, "%s (from %s %s)", err, from, f.Name(from))
			continue
		}
		if blank(text) && required {
			fail(RequiredFieldMissing, target, "required Salesforce field %s.%s would be blank: %s %s has no value and the mapping gives no default",
				om.SalesforceType, target, from, f.Name(from))
			continue
		}
		if cur, known := o.current[target]; known && equivalent(f, from, v, cur, text) {
			continue
		}
		set(target, typed, text)
	}
	if o.create && to == hubforce.Salesforce {
		problems = append(problems, m.unfilled(om, from)...)
	}
	return problems
}

// value converts one source value; a blank becomes the field's default
// (towards Salesforce) or a clear: "" as text, nil typed.
func (m *Mapping) value(f Field, from hubforce.Side, v string) (string, any, error) {
	if !blank(v) {
		return convert(f, from, v)
	}
	if from == hubforce.HubSpot && f.Default != "" {
		return f.Default, typedDefault(f), nil
	}
	return "", nil, nil
}

// typedDefault gives a default its Salesforce JSON type; Load has checked
// that it converts.
func typedDefault(f Field) any {
	if f.Type == Text || f.Type == Domain {
		return f.Default
	}
	_, typed, err := convert(Field{Type: f.Type}, hubforce.HubSpot, f.Default)
	if err != nil {
		return f.Default
	}
	return typed
}

// unfilled reports required Salesforce fields no field writes to on a
// create from side from: mapped with a rule that never writes Salesforce
// and without a default, or not mapped at all.
func (m *Mapping) unfilled(om *ObjectMapping, from hubforce.Side) []Problem {
	var problems []Problem
	for _, req := range om.Required {
		filled := false
		for _, f := range om.Fields {
			if f.Salesforce == req && (f.Rule.Writes(from) != Never || f.Default != "") {
				filled = true
			}
		}
		if !filled {
			problems = append(problems, Problem{Category: RequiredFieldMissing, Object: om.Object, Field: req,
				Message: fmt.Sprintf("required Salesforce field %s.%s is not mapped from %s and has no default", om.SalesforceType, req, from)})
		}
	}
	return problems
}
