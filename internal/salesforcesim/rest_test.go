package salesforcesim

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce/internal/simfault"
)

func TestRecordLifecycle(t *testing.T) {
	e := newEnv(t, nil)
	var acct saveResult
	e.expect("POST", "/sobjects/Account", map[string]any{"Name": "Acme", "Website": "acme.com"}, http.StatusCreated, &acct)
	var created map[string]any
	e.expect("POST", "/sobjects/Contact", map[string]any{"LastName": "Lovelace", "FirstName": "Ada",
		"Email": "ada@acme.com", "AccountId": acct.ID, "HubSpot_Id__c": "101"}, http.StatusCreated, &created)
	if len(created) != 3 || created["success"] != true || len(created["errors"].([]any)) != 0 {
		t.Fatalf("create result %v", created)
	}
	id := created["id"].(string)
	if !regexp.MustCompile(`^003[A-Za-z0-9]{15}$`).MatchString(id) {
		t.Fatalf("id %s", id)
	}

	var rec map[string]any
	e.expect("GET", "/sobjects/Contact/"+id, nil, http.StatusOK, &rec)
	tsRE := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$`)
	for _, f := range []string{"CreatedDate", "LastModifiedDate", "SystemModstamp"} {
		if s, _ := rec[f].(string); !tsRE.MatchString(s) {
			t.Errorf("%s = %v, want 2013-05-20T20:49:32.000+0000 form", f, rec[f])
		}
	}
	attrs := rec["attributes"].(map[string]any)
	if attrs["type"] != "Contact" || attrs["url"] != "/services/data/v66.0/sobjects/Contact/"+id {
		t.Errorf("attributes %v", attrs)
	}
	if rec["LastModifiedById"] != e.sim.IntegrationUserID() || rec["Name"] != "Ada Lovelace" || rec["Phone"] != nil {
		t.Errorf("record %v", rec)
	}
	stamp1 := rec["SystemModstamp"].(string)

	// Two writes in the same second share SystemModstamp: Salesforce
	// stores it to the second.
	e.expect("PATCH", "/sobjects/Contact/"+id, map[string]any{"Title": "Countess"}, http.StatusNoContent, nil)
	if err := e.sim.Update("Contact", id, map[string]any{"Phone": "+44 1"}, "005000000000002AAA"); err != nil {
		t.Fatal(err)
	}
	var sel map[string]any
	e.expect("GET", "/sobjects/Contact/"+id+"?fields=Title,Phone,SystemModstamp,LastModifiedById", nil, http.StatusOK, &sel)
	if len(sel) != 5 || sel["Title"] != "Countess" || sel["Phone"] != "+44 1" || sel["LastModifiedById"] != "005000000000002AAA" {
		t.Errorf("fields= result %v", sel)
	}
	s1, _ := time.Parse(restTimeLayout, stamp1)
	s3, _ := time.Parse(restTimeLayout, sel["SystemModstamp"].(string))
	if !s3.Equal(s1) {
		t.Errorf("SystemModstamp %s → %s, want the same second for writes in one second", s1, s3)
	}
	// The next second moves both stamps, to the second.
	e.clock.Advance(1500 * time.Millisecond)
	e.expect("PATCH", "/sobjects/Contact/"+id, map[string]any{"Title": "Lady"}, http.StatusNoContent, nil)
	e.expect("GET", "/sobjects/Contact/"+id+"?fields=LastModifiedDate,SystemModstamp", nil, http.StatusOK, &sel)
	s4, _ := time.Parse(restTimeLayout, sel["SystemModstamp"].(string))
	if s4.Sub(s1) != time.Second || sel["LastModifiedDate"] != sel["SystemModstamp"] {
		t.Errorf("after 1.5 s: SystemModstamp %s → %v (LastModifiedDate %v), want +1 s and equal", s1, sel["SystemModstamp"], sel["LastModifiedDate"])
	}

	e.expect("DELETE", "/sobjects/Contact/"+id, nil, http.StatusNoContent, nil)
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		var errs []restErr
		e.expect(m, "/sobjects/Contact/"+id, map[string]any{"Title": "x"}, http.StatusNotFound, &errs)
		if errs[0].ErrorCode != "ENTITY_IS_DELETED" || errs[0].Message != "entity is deleted" {
			t.Errorf("%s deleted: %v", m, errs)
		}
	}
	if _, ok := e.sim.Get("Contact", id); ok {
		t.Error("Get returned a deleted record")
	}
}

func TestValidationErrors(t *testing.T) {
	e := newEnv(t, nil)
	acct, _ := e.sim.Create("Account", map[string]any{"Name": "Acme"}, "005000000000002AAA")
	tests := []struct {
		name, method, path string
		body               map[string]any
		status             int
		want               restErr
	}{
		{"contact without LastName", "POST", "/sobjects/Contact", map[string]any{"FirstName": "Ada"}, 400,
			restErr{"Required fields are missing: [LastName]", "REQUIRED_FIELD_MISSING", []string{"LastName"}}},
		{"account without Name", "POST", "/sobjects/Account", map[string]any{"Website": "x.com"}, 400,
			restErr{"Required fields are missing: [Name]", "REQUIRED_FIELD_MISSING", []string{"Name"}}},
		{"clearing Name", "PATCH", "/sobjects/Account/" + acct, map[string]any{"Name": nil}, 400,
			restErr{"Required fields are missing: [Name]", "REQUIRED_FIELD_MISSING", []string{"Name"}}},
		{"unknown field", "POST", "/sobjects/Contact", map[string]any{"LastName": "x", "Foo__c": 1}, 400,
			restErr{"No such column 'Foo__c' on sobject of type Contact", "INVALID_FIELD", nil}},
		{"read-only field", "PATCH", "/sobjects/Account/" + acct, map[string]any{"SystemModstamp": "2020-01-01T00:00:00Z"}, 400,
			restErr{ErrorCode: "INVALID_FIELD_FOR_INSERT_UPDATE", Fields: []string{"SystemModstamp"}}},
		{"wrong JSON type", "PATCH", "/sobjects/Account/" + acct, map[string]any{"NumberOfEmployees": "many"}, 400,
			restErr{ErrorCode: "JSON_PARSER_ERROR"}},
		{"bad email", "POST", "/sobjects/Contact", map[string]any{"LastName": "x", "Email": "nope"}, 400,
			restErr{"Email: invalid email address: nope", "INVALID_EMAIL_ADDRESS", []string{"Email"}}},
		{"unknown account", "POST", "/sobjects/Contact", map[string]any{"LastName": "x", "AccountId": "001000000000000AAA"}, 400,
			restErr{"invalid cross reference id", "INVALID_CROSS_REFERENCE_KEY", []string{"AccountId"}}},
		{"not an id", "GET", "/sobjects/Contact/abc", nil, 404,
			restErr{"Provided external ID field does not exist or is not accessible: abc", "NOT_FOUND", nil}},
		{"no such record", "GET", "/sobjects/Contact/003000000000000AAA", nil, 404,
			restErr{"The requested resource does not exist", "NOT_FOUND", nil}},
		{"unknown sobject", "GET", "/sobjects/Lead/00Q000000000000AAA", nil, 404,
			restErr{"The requested resource does not exist", "NOT_FOUND", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs []restErr
			e.expect(tt.method, tt.path, tt.body, tt.status, &errs)
			got := errs[0]
			if len(errs) != 1 || got.ErrorCode != tt.want.ErrorCode ||
				(tt.want.Message != "" && got.Message != tt.want.Message) ||
				strings.Join(got.Fields, ",") != strings.Join(tt.want.Fields, ",") {
				t.Errorf("got %+v, want %+v", errs, tt.want)
			}
		})
	}
}

func TestUpsert(t *testing.T) {
	e := newEnv(t, nil)
	var res map[string]any
	e.expect("PATCH", "/sobjects/Contact/HubSpot_Id__c/501", map[string]any{"LastName": "One"}, http.StatusCreated, &res)
	if res["created"] != true || res["success"] != true || len(res) != 4 {
		t.Fatalf("created upsert %v", res)
	}
	id := res["id"].(string)
	e.expect("PATCH", "/sobjects/Contact/HubSpot_Id__c/501", map[string]any{"LastName": "Uno"}, http.StatusOK, &res)
	if res["created"] != false || res["id"] != id {
		t.Fatalf("updating upsert %v", res)
	}
	if got, _ := e.sim.Get("Contact", id); got["LastName"] != "Uno" || got["HubSpot_Id__c"] != "501" {
		t.Errorf("record %v", got)
	}
	var byExt map[string]any
	e.expect("GET", "/sobjects/Contact/HubSpot_Id__c/501", nil, http.StatusOK, &byExt)
	if byExt["Id"] != id {
		t.Errorf("GET by external id: %v", byExt)
	}
	e.expect("GET", "/sobjects/Contact/HubSpot_Id__c/999", nil, http.StatusNotFound, nil)
	// Email is an idLookup field: it can key an upsert, and is not unique.
	e.expect("PATCH", "/sobjects/Contact/Email/a@x.com", map[string]any{"LastName": "A"}, http.StatusCreated, nil)
	e.expect("PATCH", "/sobjects/Contact/Email/A@X.com", map[string]any{"Title": "T"}, http.StatusOK, nil)
	if _, err := e.sim.Create("Contact", map[string]any{"LastName": "B", "Email": "a@x.com"}, "005000000000002AAA"); err != nil {
		t.Fatal(err)
	}
	var urls []string
	e.expect("PATCH", "/sobjects/Contact/Email/a@x.com", map[string]any{"Title": "T"}, http.StatusMultipleChoices, &urls)
	if len(urls) != 2 || !strings.HasPrefix(urls[0], "/services/data/v66.0/sobjects/Contact/003") {
		t.Errorf("300 body %v", urls)
	}
	var errs []restErr
	e.expect("PATCH", "/sobjects/Contact/Website__c/x", map[string]any{"LastName": "x"}, http.StatusNotFound, &errs)
	if errs[0].ErrorCode != "NOT_FOUND" || errs[0].Message != "The requested resource does not exist" {
		t.Errorf("unknown external id field: %v", errs)
	}
	// LastName is a field, but not an external id.
	e.expect("PATCH", "/sobjects/Contact/LastName/x", map[string]any{"Title": "x"}, http.StatusNotFound, nil)
	// The external id is unique.
	var other saveResult
	e.expect("POST", "/sobjects/Contact", map[string]any{"LastName": "Dup", "HubSpot_Id__c": "501"}, http.StatusBadRequest, &errs)
	if errs[0].ErrorCode != "DUPLICATE_VALUE" {
		t.Errorf("duplicate external id: %v %v", errs, other)
	}
}

func TestLimitsHeaderAndSpentAllocation(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.DailyAPILimit = 5 })
	paths := []string{"/limits", "/query?q=SELECT+Id+FROM+Contact", "/sobjects/Contact/abc", "/nope"}
	for i, p := range paths {
		resp, _ := e.do("GET", p, nil)
		want := "api-usage=" + string(rune('1'+i)) + "/5"
		if got := resp.Header.Get("Sforce-Limit-Info"); got != want {
			t.Errorf("GET %s: Sforce-Limit-Info %q, want %q", p, got, want)
		}
	}
	var lim map[string]map[string]int
	e.expect("GET", "/limits", nil, http.StatusOK, &lim)
	if lim["DailyApiRequests"]["Max"] != 5 || lim["DailyApiRequests"]["Remaining"] != 0 {
		t.Errorf("limits %v", lim["DailyApiRequests"])
	}
	resp, body := e.do("GET", "/limits", nil)
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Sforce-Limit-Info") != "api-usage=5/5" ||
		string(body) != `[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]`+"\n" {
		t.Fatalf("spent: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	e.sim.SetDailyUsage(0)
	e.expect("GET", "/limits", nil, http.StatusOK, nil)
	e.sim.SpendDailyLimit()
	e.expect("GET", "/limits", nil, http.StatusForbidden, nil)
	// The allocation is a rolling 24 h window: spent requests age out.
	e.clock.Advance(23 * time.Hour)
	e.token = e.login() // the session has expired meanwhile
	e.expect("GET", "/limits", nil, http.StatusForbidden, nil)
	e.clock.Advance(time.Hour)
	e.token = e.login()
	resp = e.expect("GET", "/limits", nil, http.StatusOK, nil)
	if got := resp.Header.Get("Sforce-Limit-Info"); got != "api-usage=1/5" {
		t.Errorf("after 24 h: %q", got)
	}
}

func TestVersionsAndUnknownVersion(t *testing.T) {
	e := newEnv(t, nil)
	var vs []map[string]string
	e.expect("GET", "/services/data/", nil, http.StatusOK, &vs)
	if len(vs) != 3 || vs[0]["url"] != "/services/data/v66.0" || vs[2]["version"] != "68.0" || vs[2]["label"] != "Winter '27" {
		t.Errorf("versions %v", vs)
	}
	e.expect("GET", "/services/data/v20.0/limits", nil, http.StatusNotFound, nil)
}

func TestFaultsAndCalls(t *testing.T) {
	e := newEnv(t, nil)
	e.sim.ResetCalls()
	e.sim.Faults().Update(func(p *simfault.Plan) { p.ServerErrors = 1; p.RateLimited = 1 })
	var errs []restErr
	e.expect("GET", "/limits", nil, http.StatusServiceUnavailable, &errs)
	if errs[0].ErrorCode != "SERVER_UNAVAILABLE" {
		t.Errorf("5xx body %v", errs)
	}
	e.expect("GET", "/limits", nil, http.StatusForbidden, &errs)
	if errs[0].ErrorCode != "REQUEST_LIMIT_EXCEEDED" || !strings.HasPrefix(errs[0].Message, "ConcurrentRequests") {
		t.Errorf("concurrency body %v", errs)
	}
	e.expect("GET", "/limits", nil, http.StatusOK, nil)
	if got := e.sim.Calls()["GET /services/data/{version}/limits"]; got != 3 {
		t.Errorf("calls %v", e.sim.Calls())
	}
	resp, err := http.Get(e.srv.URL + "/_sim/faults")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var plan simfault.Plan
	if err := json.NewDecoder(resp.Body).Decode(&plan); err != nil || plan.ServerErrors != 0 {
		t.Errorf("/_sim/faults: %v %+v", err, plan)
	}
}

func TestDeletingAccountDeletesItsContacts(t *testing.T) {
	e := newEnv(t, nil)
	user := "005000000000002AAA"
	acct, _ := e.sim.Create("Account", map[string]any{"Name": "Acme"}, user)
	c1, _ := e.sim.Create("Contact", map[string]any{"LastName": "In", "AccountId": acct}, user)
	c2, _ := e.sim.Create("Contact", map[string]any{"LastName": "Out"}, user)
	e.expect("DELETE", "/sobjects/Account/"+acct, nil, http.StatusNoContent, nil)
	if _, ok := e.sim.Get("Contact", c1); ok {
		t.Error("the account's contact survived")
	}
	if _, ok := e.sim.Get("Contact", c2); !ok {
		t.Error("an unrelated contact was deleted")
	}
}
