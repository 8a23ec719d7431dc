package salesforcesim

import (
	"maps"
	"strconv"
	"strings"
	"time"
)

// Timestamp layouts: REST writes the offset without a colon, Outbound
// Messages (SOAP xsd:dateTime) in UTC with a Z (WIRE.md, conformance samples).
const (
	restTimeLayout = "2006-01-02T15:04:05.000-0700"
	soapTimeLayout = "2006-01-02T15:04:05.000Z"
)

// record is one stored row. fields holds the writable values (string, bool,
// float64, int64; dates as "YYYY-MM-DD"); system fields live beside it.
type record struct {
	typ        string
	id         string
	fields     map[string]any
	created    time.Time
	modified   time.Time
	modstamp   time.Time
	createdBy  string
	modifiedBy string
	deleted    bool
}

func (r *record) clone() *record {
	c := *r
	c.fields = maps.Clone(r.fields)
	return &c
}

// value returns the field's current value, or nil when it is null.
func (r *record) value(name string) any {
	switch name {
	case "Id":
		return r.id
	case "IsDeleted":
		return r.deleted
	case "CreatedDate":
		return r.created
	case "CreatedById":
		return r.createdBy
	case "LastModifiedDate":
		return r.modified
	case "LastModifiedById":
		return r.modifiedBy
	case "SystemModstamp":
		return r.modstamp
	case "Name":
		if r.typ == "Contact" {
			parts := []string{}
			for _, n := range []string{"Salutation", "FirstName", "LastName"} {
				if v, ok := r.fields[n].(string); ok && v != "" {
					parts = append(parts, v)
				}
			}
			return strings.Join(parts, " ")
		}
	}
	return r.fields[name]
}

// restValue is the value as REST JSON carries it.
func restValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(restTimeLayout)
	case string:
		if x == "" {
			return nil
		}
	}
	return v
}

// soapValue is the value as an Outbound Message element's text; ok is false
// for null (the element is left out, as in the samples).
func soapValue(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case time.Time:
		return x.UTC().Format(soapTimeLayout), true
	case string:
		return x, x != ""
	case bool:
		return strconv.FormatBool(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		// xsd:double as Java prints it: "10000.0", as in the samples.
		s := strconv.FormatFloat(x, 'f', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s, true
	}
	return "", false
}

// nextStamp returns the modification stamp of a write at now: the clock
// truncated to the second, as Salesforce stores datetimes, so that two
// writes within one second share it (Object Reference, "System Fields";
// WIRE.md). It never goes back before the previous stamp, should the
// clock.
func nextStamp(prev, now time.Time) time.Time {
	t := now.UTC().Truncate(time.Second)
	if t.Before(prev) {
		t = prev
	}
	return t
}
