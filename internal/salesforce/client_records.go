package salesforce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hubforce/hubforce"
)

// decodeRecord turns one REST record ({"attributes":{…}, "Id":…, …}) into a
// hubforce.Record. Values become strings: text as is, numbers in plain
// decimal (Salesforce serialises doubles like 1.5E7), booleans
// "true"/"false", null "". Modified is SystemModstamp, parsed with
// ParseTime (REST sends "2013-05-20T20:49:32.000+0000").
func decodeRecord(raw json.RawMessage) (hubforce.Record, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return hubforce.Record{}, fmt.Errorf("decode record: %w", err)
	}
	rec := hubforce.Record{Fields: make(map[string]string, len(m))}
	for k, v := range m {
		if k == "attributes" {
			continue
		}
		s, err := renderValue(v)
		if err != nil {
			return hubforce.Record{}, fmt.Errorf("field %s: %w", k, err)
		}
		rec.Fields[k] = s
	}
	rec.ID = rec.Fields["Id"]
	if ms := rec.Fields["SystemModstamp"]; ms != "" {
		t, err := ParseTime(ms)
		if err != nil {
			return hubforce.Record{}, fmt.Errorf("SystemModstamp: %w", err)
		}
		rec.Modified = t
	}
	return rec, nil
}

func renderValue(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case json.Number:
		return renderNumber(x)
	}
	// Compound fields (addresses) and relationship objects: keep the JSON.
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("render value: %w", err)
	}
	return string(b), nil
}

// renderNumber writes a JSON number without an exponent. Plain integers
// keep every digit; anything with a fraction or exponent goes through
// float64, whose shortest form is the decimal Salesforce sent (a double
// field holds no more).
func renderNumber(n json.Number) (string, error) {
	s := n.String()
	if !strings.ContainsAny(s, ".eE") {
		return s, nil
	}
	f, err := n.Float64()
	if err != nil {
		return "", fmt.Errorf("number %q: %w", s, err)
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}
