package salesforcesim

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"
)

// coerce checks a request's field values against the schema and converts
// them to stored values (nil means set to null). Unknown fields and values of
// the wrong JSON type fail the whole request, as Salesforce's deserializer
// does; read-only fields and malformed references fail the record.
func coerce(sch *schema, raw map[string]any) (map[string]any, *apiError, *recError) {
	out := make(map[string]any, len(raw))
	var recErrOut *recError
	for name, v := range raw {
		if name == "attributes" {
			continue
		}
		f, ok := sch.field(name)
		if !ok {
			return nil, errNoSuchColumn(name, sch.name), nil
		}
		cv, err := convert(f, v)
		if err != nil {
			return nil, errJSON(fmt.Sprintf("Cannot deserialize instance of %s from %s value for field %s", kindName(f.kind), jsonKind(v), f.name)), nil
		}
		if f.readOnly && f.name != "Id" && recErrOut == nil {
			recErrOut = recErr("INVALID_FIELD_FOR_INSERT_UPDATE",
				"Unable to create/update fields: "+f.name+". Please check the security settings of this field and verify that it is read/write for your profile or permission set.", f.name)
		}
		if f.kind == kID && f.name != "Id" && cv != nil && recErrOut == nil {
			id, ok := normaliseID(cv.(string))
			if !ok || (f.ref != "User" && prefixOf(f.ref) != id[:3]) {
				recErrOut = errMalformedID(f.ref, cv.(string), f.name)
			} else {
				cv = id
			}
		}
		out[f.name] = cv
	}
	return out, nil, recErrOut
}

var emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

func convert(f field, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch f.kind {
	case kString, kID:
		switch x := v.(type) {
		case string:
			if x == "" {
				return nil, nil // Salesforce stores an empty text value as null
			}
			return x, nil
		case bool:
			return strconv.FormatBool(x), nil
		}
		if n, ok := number(v); ok {
			return strconv.FormatFloat(n, 'f', -1, 64), nil
		}
	case kBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case kInt:
		if n, ok := number(v); ok && n == math.Trunc(n) {
			return int64(n), nil
		}
	case kDouble:
		if n, ok := number(v); ok {
			return n, nil
		}
	case kDate:
		if s, ok := v.(string); ok {
			if _, err := time.Parse(time.DateOnly, s); err == nil {
				return s, nil
			}
		}
	case kDateTime:
		switch x := v.(type) {
		case time.Time:
			return x, nil
		case string:
			for _, layout := range []string{time.RFC3339Nano, restTimeLayout} {
				if t, err := time.Parse(layout, x); err == nil {
					return t, nil
				}
			}
		}
	}
	return nil, fmt.Errorf("field %s: value %v has the wrong type", f.name, v)
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

func kindName(k kind) string {
	switch k {
	case kBool:
		return "boolean"
	case kInt:
		return "int"
	case kDouble:
		return "double"
	case kDate:
		return "Date"
	case kDateTime:
		return "Datetime"
	}
	return "String"
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "VALUE_STRING"
	case bool:
		return "VALUE_TRUE"
	case map[string]any:
		return "START_OBJECT"
	case []any:
		return "START_ARRAY"
	}
	return "VALUE_NUMBER"
}
