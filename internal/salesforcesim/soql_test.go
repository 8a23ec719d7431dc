package salesforcesim

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParseSOQL(t *testing.T) {
	tests := []struct {
		q       string
		wantErr bool
		conds   int
		limit   int
	}{
		{"SELECT Id, Email FROM Contact", false, 0, -1},
		{"select id from contact where Email = 'a@b.com'", false, 1, -1},
		{"SELECT Id FROM Contact WHERE Id IN ('003a', '003b')", false, 1, -1},
		{"SELECT Id FROM Account WHERE Name = 'O\\'Brien' AND Website = 'x.com'", false, 2, -1},
		{"SELECT Id FROM Contact WHERE SystemModstamp >= 2024-01-01T00:00:00Z AND SystemModstamp < 2024-01-02T00:00:00.000+0000 ORDER BY SystemModstamp ASC, Id LIMIT 10", false, 2, 10},
		{"SELECT Id FROM Contact WHERE Email != null", false, 1, -1},
		{"SELECT FROM Contact", true, 0, 0},
		{"SELECT Id Contact", true, 0, 0},
		{"SELECT Id FROM Contact WHERE", true, 0, 0},
		{"SELECT Id FROM Contact WHERE Name = 'unterminated", true, 0, 0},
		{"SELECT Id FROM Contact LIMIT x", true, 0, 0},
		{"SELECT Id FROM Contact WHERE Name LIKE 'a%'", true, 0, 0},
		{"SELECT Id FROM Contact trailing", true, 0, 0},
	}
	for _, tt := range tests {
		q, err := parseSOQL(tt.q)
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: err %v", tt.q, err)
			continue
		}
		if err == nil && (len(q.where) != tt.conds || q.limit != tt.limit) {
			t.Errorf("%q: %+v", tt.q, q)
		}
	}
	q, _ := parseSOQL("SELECT Id FROM Account WHERE Name = 'O\\'Brien'")
	if q.where[0].values[0] != "O'Brien" {
		t.Errorf("escaped quote: %v", q.where[0].values)
	}
}

type queryPage struct {
	TotalSize      int              `json:"totalSize"`
	Done           bool             `json:"done"`
	NextRecordsURL string           `json:"nextRecordsUrl"`
	Records        []map[string]any `json:"records"`
}

func TestQueryForms(t *testing.T) {
	e := newEnv(t, nil)
	user := "005000000000002AAA"
	acme, _ := e.sim.Create("Account", map[string]any{"Name": "Acme", "Website": "acme.com"}, user)
	e.sim.Create("Account", map[string]any{"Name": "Globex", "Website": "globex.com"}, user)
	c1, _ := e.sim.Create("Contact", map[string]any{"LastName": "A", "Email": "a@acme.com", "AccountId": acme}, user)
	e.clock.Advance(time.Hour)
	c2, _ := e.sim.Create("Contact", map[string]any{"LastName": "B", "Email": "b@acme.com"}, user)
	c3, _ := e.sim.Create("Contact", map[string]any{"LastName": "C"}, user)
	e.clock.Advance(time.Second) // stamps are to the second: order the deletion after
	e.sim.Delete("Contact", c3, user)

	since := e.clock.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	tests := []struct {
		q    string
		all  bool
		want []string // Ids, or Names for Account
	}{
		{"SELECT Id FROM Contact WHERE Id = '" + c1[:15] + "'", false, []string{c1}},
		{"SELECT Id FROM Contact WHERE Id IN ('" + c1 + "','" + c2 + "')", false, []string{c1, c2}},
		{"SELECT Id FROM Contact WHERE Id IN ('" + c1[:15] + "','" + c2 + "')", false, []string{c1, c2}},
		{"SELECT Id FROM Contact WHERE Email = 'A@ACME.COM'", false, []string{c1}},
		{"SELECT Id FROM Contact WHERE Email IN ('B@Acme.com', 'nobody@acme.com')", false, []string{c2}},
		{"SELECT Name FROM Account WHERE Website = 'globex.com'", false, []string{"Globex"}},
		{"SELECT Name FROM Account WHERE Name = 'acme'", false, []string{"Acme"}},
		{"SELECT Id FROM Contact WHERE SystemModstamp > " + since, false, []string{c2}},
		{"SELECT Id FROM Contact WHERE SystemModstamp >= " + since + " ORDER BY SystemModstamp DESC", true, []string{c3, c2}},
		{"SELECT Id FROM Contact WHERE AccountId = '" + acme + "' AND Email != null", false, []string{c1}},
		{"SELECT Id FROM Contact ORDER BY SystemModstamp LIMIT 1", false, []string{c1}},
		{"SELECT Id, IsDeleted FROM Contact", true, []string{c1, c2, c3}},
	}
	for _, tt := range tests {
		path := "/query?q="
		if tt.all {
			path = "/queryAll?q="
		}
		var page queryPage
		e.expect("GET", path+url.QueryEscape(tt.q), nil, http.StatusOK, &page)
		var got []string
		for _, r := range page.Records {
			if v, ok := r["Id"].(string); ok {
				got = append(got, v)
			} else {
				got = append(got, r["Name"].(string))
			}
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") || page.TotalSize != len(tt.want) || !page.Done {
			t.Errorf("%s: got %v (total %d)", tt.q, got, page.TotalSize)
		}
	}
	var page queryPage
	e.expect("GET", "/query?q="+url.QueryEscape("SELECT Id, Email, SystemModstamp FROM Contact WHERE Id = '"+c1+"'"), nil, http.StatusOK, &page)
	r := page.Records[0]
	if len(r) != 4 || r["attributes"].(map[string]any)["url"] != "/services/data/v66.0/sobjects/Contact/"+c1 ||
		!strings.HasSuffix(r["SystemModstamp"].(string), ".000+0000") {
		t.Errorf("record shape %v", r)
	}
}

func TestQueryErrors(t *testing.T) {
	e := newEnv(t, nil)
	for q, code := range map[string]string{
		"SELECT Id FROM":           "MALFORMED_QUERY",
		"SELECT Id FROM Lead":      "INVALID_TYPE",
		"SELECT Nope FROM Contact": "INVALID_FIELD",
		"SELECT Id FROM Contact WHERE SystemModstamp > '2024'": "INVALID_FIELD",
	} {
		var errs []restErr
		e.expect("GET", "/query?q="+url.QueryEscape(q), nil, http.StatusBadRequest, &errs)
		if errs[0].ErrorCode != code {
			t.Errorf("%s: %v, want %s", q, errs, code)
		}
	}
}

func TestQueryPaging(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.QueryPageSize = 3 })
	for i := 0; i < 7; i++ {
		e.sim.Create("Contact", map[string]any{"LastName": "L"}, "005000000000002AAA")
	}
	var page queryPage
	e.expect("GET", "/query?q="+url.QueryEscape("SELECT Id FROM Contact ORDER BY SystemModstamp"), nil, http.StatusOK, &page)
	seen := map[string]bool{}
	sizes := []int{}
	for {
		if page.TotalSize != 7 {
			t.Fatalf("totalSize %d", page.TotalSize)
		}
		sizes = append(sizes, len(page.Records))
		for _, r := range page.Records {
			seen[r["Id"].(string)] = true
		}
		if page.Done {
			if page.NextRecordsURL != "" {
				t.Errorf("done page has nextRecordsUrl")
			}
			break
		}
		if !strings.HasPrefix(page.NextRecordsURL, "/services/data/v66.0/query/01g") {
			t.Fatalf("nextRecordsUrl %q", page.NextRecordsURL)
		}
		next := page.NextRecordsURL
		page = queryPage{}
		e.expect("GET", next, nil, http.StatusOK, &page)
	}
	if len(seen) != 7 || len(sizes) != 3 || sizes[0] != 3 || sizes[2] != 1 {
		t.Errorf("pages %v, %d distinct records", sizes, len(seen))
	}
}
