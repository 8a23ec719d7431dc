package salesforcesim

import (
	"fmt"
	"net/http"
	"testing"
)

func contacts(n int, mod func(i int, r map[string]any)) []map[string]any {
	out := make([]map[string]any, n)
	for i := range out {
		out[i] = map[string]any{"attributes": map[string]any{"type": "Contact"}, "LastName": fmt.Sprintf("L%d", i)}
		if mod != nil {
			mod(i, out[i])
		}
	}
	return out
}

func TestCollectionLimit(t *testing.T) {
	e := newEnv(t, nil)
	var res []saveResult
	e.expect("POST", "/composite/sobjects", map[string]any{"records": contacts(200, nil)}, http.StatusOK, &res)
	if len(res) != 200 || !res[199].Success {
		t.Fatalf("200 records: %d results", len(res))
	}
	var errs []restErr
	e.expect("POST", "/composite/sobjects", map[string]any{"records": contacts(201, nil)}, http.StatusBadRequest, &errs)
	if errs[0].ErrorCode != "EXCEEDED_ID_LIMIT" {
		t.Errorf("201 records: %v", errs)
	}
	if got := len(e.sim.List("Contact")); got != 200 {
		t.Errorf("%d contacts stored, want 200", got)
	}
}

func TestCollectionPartialFailure(t *testing.T) {
	e := newEnv(t, nil)
	recs := contacts(3, func(i int, r map[string]any) {
		if i == 1 {
			delete(r, "LastName")
		}
	})
	var res []map[string]any
	e.expect("POST", "/composite/sobjects", map[string]any{"allOrNone": false, "records": recs}, http.StatusOK, &res)
	if res[0]["success"] != true || res[2]["success"] != true || res[1]["success"] != false {
		t.Fatalf("results %v", res)
	}
	if _, hasID := res[1]["id"]; hasID {
		t.Errorf("failed create carries an id: %v", res[1])
	}
	errs := res[1]["errors"].([]any)
	e1 := errs[0].(map[string]any)
	if e1["statusCode"] != "REQUIRED_FIELD_MISSING" || e1["message"] != "Required fields are missing: [LastName]" ||
		fmt.Sprint(e1["fields"]) != "[LastName]" {
		t.Errorf("error %v", e1)
	}
	if len(e.sim.List("Contact")) != 2 {
		t.Errorf("want the two valid records stored")
	}

	// Update: one good id, one malformed, one deleted.
	good, deleted := res[0]["id"].(string), res[2]["id"].(string)
	if err := e.sim.Delete("Contact", deleted, "005000000000002AAA"); err != nil {
		t.Fatal(err)
	}
	upd := []map[string]any{
		{"attributes": map[string]any{"type": "Contact"}, "Id": good, "Title": "ok"},
		{"attributes": map[string]any{"type": "Contact"}, "Id": "001xx000003DGb2999", "Title": "x"},
		{"attributes": map[string]any{"type": "Contact"}, "Id": deleted, "Title": "x"},
	}
	var ures []saveResult
	e.expect("PATCH", "/composite/sobjects", map[string]any{"records": upd}, http.StatusOK, &ures)
	if !ures[0].Success || ures[1].Errors[0].StatusCode != "MALFORMED_ID" || ures[2].Errors[0].StatusCode != "ENTITY_IS_DELETED" {
		t.Errorf("update results %+v %+v %+v", ures[0], ures[1].Errors[0], ures[2].Errors[0])
	}
}

func TestCollectionAllOrNone(t *testing.T) {
	e := newEnv(t, nil)
	recs := contacts(3, func(i int, r map[string]any) {
		if i == 2 {
			delete(r, "LastName")
		}
	})
	var res []saveResult
	e.expect("POST", "/composite/sobjects", map[string]any{"allOrNone": true, "records": recs}, http.StatusOK, &res)
	for i, want := range []string{"ALL_OR_NONE_OPERATION_ROLLED_BACK", "ALL_OR_NONE_OPERATION_ROLLED_BACK", "REQUIRED_FIELD_MISSING"} {
		if res[i].Success || res[i].Errors[0].StatusCode != want || res[i].ID != "" {
			t.Errorf("result %d: %+v", i, res[i])
		}
	}
	if n := len(e.sim.List("Contact")); n != 0 {
		t.Errorf("%d records survived the rollback", n)
	}
	// An update rolled back leaves the record as it was.
	id, _ := e.sim.Create("Contact", map[string]any{"LastName": "Keep"}, "005000000000002AAA")
	before, _ := e.sim.Get("Contact", id)
	upd := []map[string]any{
		{"attributes": map[string]any{"type": "Contact"}, "Id": id, "LastName": "Changed"},
		{"attributes": map[string]any{"type": "Contact"}, "Id": id[:15], "LastName": nil},
	}
	e.expect("PATCH", "/composite/sobjects", map[string]any{"allOrNone": true, "records": upd}, http.StatusOK, &res)
	after, _ := e.sim.Get("Contact", id)
	if after["LastName"] != "Keep" || after["SystemModstamp"] != before["SystemModstamp"] {
		t.Errorf("rolled back update changed the record: %v", after)
	}
}

func TestCollectionUpsertAndRetrieve(t *testing.T) {
	e := newEnv(t, nil)
	existing, _ := e.sim.Create("Account", map[string]any{"Name": "Old", "HubSpot_Id__c": "7"}, "005000000000002AAA")
	recs := []map[string]any{
		{"attributes": map[string]any{"type": "Account"}, "HubSpot_Id__c": "7", "Name": "New"},
		{"attributes": map[string]any{"type": "Account"}, "HubSpot_Id__c": "8", "Name": "Eight"},
		{"attributes": map[string]any{"type": "Account"}, "HubSpot_Id__c": "9"},
		{"attributes": map[string]any{"type": "Account"}, "Name": "no key"},
	}
	var res []saveResult
	e.expect("PATCH", "/composite/sobjects/Account/HubSpot_Id__c", map[string]any{"records": recs}, http.StatusOK, &res)
	if !res[0].Success || *res[0].Created || res[0].ID != existing {
		t.Errorf("update by external id: %+v", res[0])
	}
	if !res[1].Success || !*res[1].Created {
		t.Errorf("create by external id: %+v", res[1])
	}
	if res[2].Success || res[2].Errors[0].StatusCode != "REQUIRED_FIELD_MISSING" {
		t.Errorf("missing Name: %+v", res[2])
	}
	if res[3].Success || res[3].Errors[0].StatusCode != "MISSING_ARGUMENT" {
		t.Errorf("missing key: %+v", res[3])
	}
	var got []map[string]any
	e.expect("GET", "/composite/sobjects/Account?ids="+existing+",001000000000000AAA,"+res[1].ID+"&fields=Name,HubSpot_Id__c",
		nil, http.StatusOK, &got)
	if len(got) != 3 || got[0]["Name"] != "New" || got[1] != nil || got[2]["HubSpot_Id__c"] != "8" {
		t.Errorf("retrieve %v", got)
	}
}

func TestCollectionDelete(t *testing.T) {
	e := newEnv(t, nil)
	user := "005000000000002AAA"
	a, _ := e.sim.Create("Contact", map[string]any{"LastName": "A"}, user)
	b, _ := e.sim.Create("Account", map[string]any{"Name": "B"}, user)
	var res []saveResult
	e.expect("DELETE", "/composite/sobjects?allOrNone=true&ids="+a+","+b+",zzz", nil, http.StatusOK, &res)
	if res[0].Success || res[2].Errors[0].StatusCode != "MALFORMED_ID" || res[0].Errors[0].StatusCode != "ALL_OR_NONE_OPERATION_ROLLED_BACK" {
		t.Fatalf("allOrNone delete %+v", res)
	}
	if _, ok := e.sim.Get("Contact", a); !ok {
		t.Fatal("rolled back delete removed the record")
	}
	e.expect("DELETE", "/composite/sobjects?ids="+a+","+b+","+a, nil, http.StatusOK, &res)
	if !res[0].Success || !res[1].Success || res[2].Errors[0].StatusCode != "ENTITY_IS_DELETED" {
		t.Errorf("delete %+v", res)
	}
	if len(e.sim.List("Contact"))+len(e.sim.List("Account")) != 0 {
		t.Error("records left")
	}
}
