package salesforcesim

import "testing"

func TestTo18MatchesRealIDs(t *testing.T) {
	// Ids from captured Outbound Messages: the suffix is Salesforce's.
	for _, id := range []string{"001d000001XD5XKAA1", "0031I0000081tbPQAQ", "04ld000000TzMKpAAN",
		"00Dd0000000dtDqEAI", "005d0000000yYC7AAM", "0067F000003pmdWQAQ"} {
		if got := to18(id[:15]); got != id {
			t.Errorf("to18(%s) = %s, want %s", id[:15], got, id)
		}
	}
}

func TestNormaliseID(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"0031I0000081tbP", "0031I0000081tbPQAQ", true},
		{"0031I0000081tbPQAQ", "0031I0000081tbPQAQ", true},
		{"0031i0000081TBPqaq", "0031I0000081tbPQAQ", true}, // 18 chars are case-insensitive
		{"0031I0000081tbP555", "", false},                  // suffix marks digits as upper case
		{"003-I0000081tbP", "", false},
		{"003", "", false},
	}
	for _, tt := range tests {
		got, ok := normaliseID(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("normaliseID(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestNewIDIsValid(t *testing.T) {
	for n := uint64(0); n < 2000; n += 97 {
		id := newID(prefixContact, n)
		if got, ok := normaliseID(id); !ok || got != id || id[:3] != "003" {
			t.Fatalf("newID(%d) = %s not a valid Contact id", n, id)
		}
	}
}
