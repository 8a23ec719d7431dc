package salesforce

import (
	"fmt"
	"strings"
	"time"
)

// Salesforce writes dateTime values two ways: SOAP (Outbound Messages) as
// xsd:dateTime "2017-11-03T17:24:20.000Z", REST as
// "2013-05-20T20:49:32.000+0000" (no colon in the offset, which RFC 3339
// parsing refuses). The fraction is optional in both.
var timeLayouts = []string{
	time.RFC3339Nano,                     // Z or ±hh:mm
	"2006-01-02T15:04:05.999999999Z0700", // Z or ±hhmm
}

// ParseTime parses a Salesforce dateTime in either form and returns it in
// UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("salesforce: %q is not a dateTime like 2017-11-03T17:24:20.000Z or 2013-05-20T20:49:32.000+0000", truncate(s, 40))
}
