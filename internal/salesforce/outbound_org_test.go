package salesforce

import "testing"

func TestOrgMatches(t *testing.T) {
	tests := []struct {
		configured, got string
		want            bool
	}{
		{"00Dd0000000dtDqEAI", "00Dd0000000dtDqEAI", true},
		{"00Dd0000000dtDq", "00Dd0000000dtDqEAI", true}, // admin pasted the 15-character form
		{"00Dd0000000dtDqEAI", "00Dd0000000dtDq", true},
		{"00dd0000000dtdqeai", "00Dd0000000dtDqEAI", true}, // 18 vs 18: case-insensitive
		{"00dd0000000dtdqeai", "00Dd0000000dtDq", true},    // case restored from the suffix
		{" 00Dd0000000dtDqEAI\n", "00Dd0000000dtDqEAI", true},
		{"00Dd0000000dtdq", "00Dd0000000dtDqEAI", false}, // 15 is case-sensitive: another id
		{"00Dd0000000dtdq", "00Dd0000000dtDq", false},
		{"00Dd0000000dtDqAAA", "00Dd0000000dtDq", false}, // suffix says all lower case
		{"00Dd0000000dtDqEAJ", "00Dd0000000dtDqEAI", false},
		{"00Dd0000000dtDr", "00Dd0000000dtDqEAI", false},
		{"00Dd0000000dtDq9AI", "00Dd0000000dtDq", false}, // '9' is not a suffix character
		{"0123456789ABCDENNN", "0123456789ABCDENNN", true},
		{"0123456789ABCDE", "0123456789ABCDENNN", false}, // NNN is no valid suffix for it
		{"", "", false},
		{"00Dd0000000dtDqEAI", "", false},
		{"00Dd0000000dtDq-AI", "00Dd0000000dtDq", false},
		{"00Dd0000000dtD", "00Dd0000000dtDqEAI", false},
	}
	for _, tt := range tests {
		if got := OrgMatches(tt.configured, tt.got); got != tt.want {
			t.Errorf("OrgMatches(%q, %q) = %t, want %t", tt.configured, tt.got, got, tt.want)
		}
	}
}

// Published 15/18 pairs (salesforce_id_formatter and salesforce_id gem
// READMEs, the salesforce_id_converter README) check the suffix decoding.
// (A widely copied 2012 gist pairs a0D30000001n7Pi with …EAC; its checksum
// is wrong, as the salesforce_id_formatter README notes: …EAI is right.)
func TestCaseSensitiveID(t *testing.T) {
	for id15, id18 := range map[string]string{
		"70130000001tcyI": "70130000001tcyIAAQ",
		"a0D30000001n7Pi": "a0D30000001n7PiEAI",
		"003G000001SUbc4": "003G000001SUbc4IAD",
		"00558000001N0Ke": "00558000001N0KeAAK",
		"00Dd0000000dtDq": "00Dd0000000dtDqEAI",
	} {
		for _, in := range []string{id18, lower(id18), upper(id18)} {
			if got, ok := caseSensitiveID(in); !ok || got != id15 {
				t.Errorf("caseSensitiveID(%q) = %q, %t; want %q", in, got, ok, id15)
			}
		}
		if !OrgMatches(id15, id18) || !OrgMatches(lower(id18), id15) {
			t.Errorf("%s and %s must match", id15, id18)
		}
	}
}

func lower(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] = toLower(b[i])
	}
	return string(b)
}

func upper(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] = toUpper(b[i])
	}
	return string(b)
}
