package salesforcesim

import (
	"testing"
	"time"
)

// FuzzQuery checks that no query string makes the parser or the evaluator
// panic; a query either runs or is refused with a 400.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{
		"SELECT Id FROM Contact",
		"SELECT Id, Email FROM Contact WHERE Email = 'a@b.c' AND Id IN ('003gK0000000001AAA') ORDER BY SystemModstamp DESC LIMIT 5",
		"SELECT Name FROM Account WHERE SystemModstamp >= 2024-01-01T00:00:00Z",
		"SELECT Id FROM Contact WHERE Name = 'O\\'Brien'",
	} {
		f.Add(q)
	}
	s := New(Config{Now: func() time.Time { return time.Unix(1700000000, 0) }})
	defer s.Close()
	s.Create("Contact", map[string]any{"LastName": "X", "Email": "a@b.c"}, "005000000000002AAA")
	f.Fuzz(func(t *testing.T, q string) {
		parsed, err := parseSOQL(q)
		if err != nil {
			return
		}
		if _, aerr := s.runQuery(parsed, true, "v66.0"); aerr != nil && aerr.Status != 400 {
			t.Errorf("%q: %v", q, aerr)
		}
	})
}
