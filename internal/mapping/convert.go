package mapping

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hubforce/hubforce"
)

// convert turns a non-blank value of f from side from into the other side's
// representation: the text form (what HubSpot takes, and what is compared)
// and the typed form Salesforce's JSON wants.
func convert(f Field, from hubforce.Side, v string) (string, any, error) {
	toSF := from == hubforce.HubSpot
	switch f.Type {
	case Domain:
		if toSF {
			w := WebsiteFromDomain(v)
			return w, w, nil
		}
		d := NormalizeDomain(v)
		if d == "" {
			return "", nil, fmt.Errorf("%q is not a website a domain can be taken from", v)
		}
		return d, d, nil
	case Number, Integer:
		n, err := parseNumber(v)
		if err != nil {
			return "", nil, err
		}
		if f.Type == Integer {
			if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
				return "", nil, fmt.Errorf("%q is not a whole number", v)
			}
			return strconv.FormatFloat(n, 'f', -1, 64), int64(n), nil
		}
		return strconv.FormatFloat(n, 'f', -1, 64), n, nil
	case Boolean:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return "", nil, fmt.Errorf("%q is not true or false", v)
		}
		return strconv.FormatBool(b), b, nil
	}
	if f.Values.Len() > 0 {
		if toSF {
			v, _ = f.Values.ToSalesforce(v)
		} else {
			v, _ = f.Values.ToHubSpot(v)
		}
	}
	return v, v, nil
}

// parseNumber accepts plain decimal notation with an optional exponent
// (Salesforce sends "10000.0" and "1.0E7"); not hex, not Inf or NaN, which
// strconv.ParseFloat would take but neither CRM means.
func parseNumber(v string) (float64, error) {
	s := strings.TrimSpace(v)
	digits := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case r == '.' || r == 'e' || r == 'E':
		case (r == '+' || r == '-') && (i == 0 || s[i-1] == 'e' || s[i-1] == 'E'):
		default:
			return 0, fmt.Errorf("%q is not a number", v)
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if !digits || err != nil || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, fmt.Errorf("%q is not a number", v)
	}
	return n, nil
}

// same reports whether two values of f on side s mean the same thing.
func same(f Field, s hubforce.Side, a, b string) bool {
	if blank(a) || blank(b) {
		return blank(a) && blank(b)
	}
	switch f.Type {
	case Domain:
		return NormalizeDomain(a) == NormalizeDomain(b)
	case Number, Integer:
		x, err1 := parseNumber(a)
		y, err2 := parseNumber(b)
		return err1 == nil && err2 == nil && x == y
	case Boolean:
		x, err1 := strconv.ParseBool(strings.TrimSpace(a))
		y, err2 := strconv.ParseBool(strings.TrimSpace(b))
		return err1 == nil && err2 == nil && x == y
	}
	return a == b
}

// equivalent reports whether a source value and the target's current value
// already agree, judged on both sides so that a many-to-one picklist pair
// (COMPUTER_SOFTWARE and Technology) or a differently spelt website
// ("https://www.acme.com/" for "acme.com") is not rewritten.
func equivalent(f Field, from hubforce.Side, src, current, out string) bool {
	if same(f, from.Other(), current, out) {
		return true
	}
	if blank(current) {
		return false
	}
	back, _, err := convert(f, from.Other(), current)
	return err == nil && same(f, from, back, src)
}
