package salesforce

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hubforce/hubforce"
)

// quoteSOQL makes a SOQL string literal. SOQL and SOSL Reference, "Reserved
// Characters" (sforce_api_calls_soql_select_reservedcharacters.htm): the
// single quote and the backslash "must be preceded by a backslash"; "Quoted
// String Escape Sequences" (…_quotedstringescapes.htm) adds \n, \r, \t, \b,
// \f and \" and says a backslash in any other context is an error. The
// backslash goes first so the escapes added after are not doubled.
func quoteSOQL(s string) string {
	r := strings.NewReplacer(
		`\`, `\\`,
		`'`, `\'`,
		`"`, `\"`,
		"\n", `\n`,
		"\r", `\r`,
		"\t", `\t`,
		"\b", `\b`,
		"\f", `\f`,
	)
	return "'" + r.Replace(s) + "'"
}

// soqlTime is a SOQL dateTime literal ("Date Formats and Date Literals":
// YYYY-MM-DDThh:mm:ssZ, unquoted). Sub-second precision is dropped
// downwards, so a "> since" filter can only return more, never less.
func soqlTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
}

// fieldRE is an API name (Email, HubSpot_Id__c, ns__Field__c) or a
// relationship path (Account.Name). Names are not quotable in SOQL, so
// anything else is refused rather than sent.
var fieldRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$`)

// selectList returns fields plus Id and SystemModstamp (for Record.ID and
// Modified), deduplicated case-insensitively, or an error naming a bad
// field.
func selectList(fields []string) ([]string, error) {
	out := []string{"Id", "SystemModstamp"}
	seen := map[string]bool{"id": true, "systemmodstamp": true}
	for _, f := range fields {
		if !fieldRE.MatchString(f) {
			return nil, invalidField(f)
		}
		if k := strings.ToLower(f); !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out, nil
}

func invalidField(f string) *hubforce.APIError {
	return &hubforce.APIError{Side: hubforce.Salesforce, Class: hubforce.Permanent, Code: "INVALID_FIELD",
		Message: fmt.Sprintf("%q is not a Salesforce field name", f), Fields: []string{f}}
}
