package salesforce

import "strings"

// OrgMatches tells whether an Outbound Message's OrganizationId (got) is the
// configured org (HUBFORCE_SALESFORCE_ORG_ID). Salesforce ids come in two
// forms (API "ID Field Type", developer.salesforce.com/docs/atlas.en-us.
// api.meta/api/field_types.htm; Knowledge article 000004383 "How unique IDs
// work in Salesforce"): 15 characters, case-sensitive (the UI's form), and
// 18 characters, the same 15 plus a 3-character suffix that encodes the case
// of each of the 15, so 18-character ids can be compared case-insensitively.
// Outbound Messages send 18; admins often paste 15 from Setup.
//
// So: two 18-character ids compare case-insensitively; otherwise both are
// reduced to their case-sensitive 15 characters — an 18-character id's case
// restored from its suffix, which must be valid — and compared exactly.
// Anything that is not a 15/18-character alphanumeric id never matches,
// except an exact copy of the configured value (test orgs and placeholders).
func OrgMatches(configured, got string) bool {
	configured, got = strings.TrimSpace(configured), strings.TrimSpace(got)
	if configured == "" || got == "" {
		return false
	}
	if configured == got {
		return true
	}
	if !isID(configured) || !isID(got) {
		return false
	}
	if len(configured) == 18 && len(got) == 18 {
		return strings.EqualFold(configured, got)
	}
	a, okA := caseSensitiveID(configured)
	b, okB := caseSensitiveID(got)
	return okA && okB && a == b
}

func isID(s string) bool {
	if len(s) != 15 && len(s) != 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// caseSensitiveID returns the 15-character form of id. For an 18-character
// id, suffix character k (A–Z = 0–25, 0–5 = 26–31) is a bit mask saying which
// of characters 5k…5k+4 are upper case; the prefix's case is restored from
// it, so a lower-cased 18-character id still yields the right 15. A suffix
// that claims a digit is upper case, or is not in the alphabet, is invalid.
func caseSensitiveID(id string) (string, bool) {
	if len(id) == 15 {
		return id, true
	}
	out := []byte(id[:15])
	for k := 0; k < 3; k++ {
		bits, ok := suffixValue(id[15+k])
		if !ok {
			return "", false
		}
		for j := 0; j < 5; j++ {
			i := 5*k + j
			upper := bits&(1<<j) != 0
			c := out[i]
			switch {
			case '0' <= c && c <= '9':
				if upper {
					return "", false
				}
			case upper:
				out[i] = toUpper(c)
			default:
				out[i] = toLower(c)
			}
		}
	}
	return string(out), true
}

func suffixValue(c byte) (int, bool) {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A'), true
	case 'a' <= c && c <= 'z':
		return int(c - 'a'), true
	case '0' <= c && c <= '5':
		return int(c-'0') + 26, true
	}
	return 0, false
}

func toUpper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func toLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c - 'A' + 'a'
	}
	return c
}
