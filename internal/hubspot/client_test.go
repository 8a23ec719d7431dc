package hubspot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hubforce/hubforce"
	"github.com/hubforce/hubforce/internal/hubspotsim"
	"github.com/hubforce/hubforce/internal/simfault"
)

const (
	simRead   = "POST /crm/objects/2026-03/{objectType}/batch/read"
	simCreate = "POST /crm/objects/2026-03/{objectType}/batch/create"
	simUpdate = "POST /crm/objects/2026-03/{objectType}/batch/update"
	simUpsert = "POST /crm/objects/2026-03/{objectType}/batch/upsert"
)

func TestReadChunksAndLeavesMissingOut(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	ids := mustCreate(t, e.sim, "contacts", 250, contactProps)
	c := e.client(t, nil)
	got, err := c.Read(context.Background(), hubforce.Contact, append(ids, "999999999", ids[0]), []string{"email", "firstname", "phone"})
	if err != nil {
		t.Fatal(err)
	}
	if n := e.sim.Calls()[simRead]; n != 3 {
		t.Fatalf("250 ids (+1 missing, +1 repeated) took %d batch reads, want 3", n)
	}
	if len(got) != 250 {
		t.Fatalf("got %d records, want 250", len(got))
	}
	if _, ok := got["999999999"]; ok {
		t.Fatal("a missing id must be absent")
	}
	simRec, _ := e.sim.Get("contacts", ids[7])
	r := got[ids[7]]
	if r.Fields["email"] != "person7@example.com" || r.Fields["firstname"] != "P7" {
		t.Fatalf("fields: %v", r.Fields)
	}
	if v, ok := r.Fields["phone"]; !ok || v != "" {
		t.Fatalf("an unset requested property reads as empty: %q %v", v, ok)
	}
	if !r.Modified.Equal(simRec.UpdatedAt) {
		t.Fatalf("Modified %v, want updatedAt %v", r.Modified, simRec.UpdatedAt)
	}
}

func TestReadByLowercasedValue(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	ids := mustCreate(t, e.sim, "contacts", 2, contactProps)
	co := mustCreate(t, e.sim, "companies", 1, func(int) map[string]string {
		return map[string]string{"name": "Acme", "domain": "acme.example"}
	})
	c := e.client(t, nil)
	ctx := context.Background()
	got, err := c.ReadBy(ctx, hubforce.Contact, "email", []string{"Person1@Example.com", "nobody@example.com"}, []string{"firstname"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got["person1@example.com"].ID != ids[1] || got["person1@example.com"].Fields["firstname"] != "P1" {
		t.Fatalf("got %+v", got)
	}
	comps, err := c.ReadBy(ctx, hubforce.Company, "domain", []string{"acme.example"}, nil)
	if err != nil || comps["acme.example"].ID != co[0] {
		t.Fatalf("companies by domain: %+v %v", comps, err)
	}
}

func TestCreateChunksInInputOrder(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	c := e.client(t, nil)
	inputs := make([]map[string]string, 250)
	for i := range inputs {
		inputs[i] = contactProps(i)
	}
	res, err := c.Create(context.Background(), hubforce.Contact, inputs)
	if err != nil {
		t.Fatal(err)
	}
	if n := e.sim.Calls()[simCreate]; n != 3 {
		t.Fatalf("250 creates took %d calls, want 3", n)
	}
	for i, r := range res {
		rec, ok := e.sim.Get("contacts", r.ID)
		if r.Err != nil || !r.Created || !ok || rec.Properties["email"] != inputs[i]["email"] {
			t.Fatalf("result %d: %+v (sim has %v)", i, r, rec.Properties["email"])
		}
	}
}

func TestCreatePartialFailureMapsErrorsToInputs(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	existing := mustCreate(t, e.sim, "contacts", 1, contactProps)[0]
	c := e.client(t, nil)
	inputs := []map[string]string{
		{"email": "a@example.com"},
		{"email": "b@example.com", "nosuchprop": "x"},
		{"email": "PERSON0@example.com"}, // taken by `existing`
		{"email": "c@example.com"},
	}
	res, err := c.Create(context.Background(), hubforce.Contact, inputs)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 3} {
		rec, _ := e.sim.Get("contacts", res[i].ID)
		if res[i].Err != nil || rec.Properties["email"] != inputs[i]["email"] {
			t.Fatalf("input %d: %+v", i, res[i])
		}
	}
	var v *hubforce.APIError
	if !errors.As(res[1].Err, &v) || v.Class != hubforce.Validation || v.Code != "PROPERTY_DOESNT_EXIST" ||
		len(v.Fields) != 1 || v.Fields[0] != "nosuchprop" || !strings.Contains(v.Message, "nosuchprop") {
		t.Fatalf("input 1: %#v", res[1].Err)
	}
	if classOf(t, res[2].Err) != hubforce.Conflict || res[2].ID != existing {
		t.Fatalf("input 2: %+v, want Conflict naming %s", res[2], existing)
	}
	if n := e.sim.Calls()[simCreate]; n != 1 {
		t.Fatalf("a traced batch create must fail per input in one call, took %d", n)
	}
}

func TestUpdateIsolatesFailingInputs(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	ids := mustCreate(t, e.sim, "contacts", 6, contactProps)
	c := e.client(t, nil)
	updIDs := []string{ids[0], "888888888", ids[1], ids[2], ids[3], ids[4]}
	inputs := []map[string]string{
		{"firstname": "Zero"},
		{"firstname": "Ghost"},
		{"email": "person5@example.com"}, // taken by ids[5]: HubSpot fails the whole batch
		{"email": "not-an-email"},        // invalid: also fails the whole batch
		{"firstname": "Three"},
		{"firstname": "Four"},
	}
	res, err := c.Update(context.Background(), hubforce.Contact, updIDs, inputs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]hubforce.Class{1: hubforce.NotFound, 2: hubforce.Conflict, 3: hubforce.Validation}
	for i, r := range res {
		if cl, bad := want[i]; bad {
			if classOf(t, r.Err) != cl {
				t.Fatalf("input %d: %v, want %s", i, r.Err, cl)
			}
			continue
		}
		rec, _ := e.sim.Get("contacts", updIDs[i])
		if r.Err != nil || r.ID != updIDs[i] || r.Created || rec.Properties["firstname"] != inputs[i]["firstname"] {
			t.Fatalf("input %d: %+v, sim firstname %q", i, r, rec.Properties["firstname"])
		}
	}
	if res[2].ID != ids[5] {
		t.Fatalf("conflict should name the existing record %s, got %q", ids[5], res[2].ID)
	}
	rec, _ := e.sim.Get("contacts", ids[1])
	if rec.Properties["email"] != "person1@example.com" {
		t.Fatalf("the conflicting update must not apply: %v", rec.Properties["email"])
	}
}

func TestUpdateRepeatedIDGoesInALaterBatch(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	id := mustCreate(t, e.sim, "contacts", 1, contactProps)[0]
	c := e.client(t, nil)
	res, err := c.Update(context.Background(), hubforce.Contact, []string{id, id},
		[]map[string]string{{"firstname": "One"}, {"firstname": "Two"}})
	if err != nil || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("%+v %v", res, err)
	}
	if rec, _ := e.sim.Get("contacts", id); rec.Properties["firstname"] != "Two" {
		t.Fatalf("last write wins in input order: %q", rec.Properties["firstname"])
	}
	if _, err := c.Update(context.Background(), hubforce.Contact, []string{id}, nil); err == nil {
		t.Fatal("mismatched ids and inputs must fail")
	}
}

func TestUpsertReportsCreated(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	existing := mustCreate(t, e.sim, "contacts", 1, contactProps)[0]
	c := e.client(t, nil)
	res, err := c.Upsert(context.Background(), hubforce.Contact, "email", []map[string]string{
		{"email": "new@example.com", "firstname": "New"},
		{"firstname": "no key"},
		{"email": "Person0@Example.com", "firstname": "Old"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || !res[0].Created || res[0].ID == "" || res[0].ID == existing {
		t.Fatalf("new: %+v", res[0])
	}
	if classOf(t, res[1].Err) != hubforce.Validation {
		t.Fatalf("missing key: %+v", res[1])
	}
	if res[2].Err != nil || res[2].Created || res[2].ID != existing {
		t.Fatalf("existing: %+v", res[2])
	}
	if rec, _ := e.sim.Get("contacts", existing); rec.Properties["firstname"] != "Old" {
		t.Fatalf("upsert did not update: %v", rec.Properties)
	}
	if n := e.sim.Calls()[simUpsert]; n != 1 {
		t.Fatalf("want one upsert call, got %d", n)
	}
}

func TestWholeCallFailureBeforeAnyWrite(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	c := e.client(t, nil)
	e.sim.Faults().Update(func(p *simfault.Plan) { p.Outage = true })
	res, err := c.Create(context.Background(), hubforce.Contact, []map[string]string{{"email": "x@example.com"}})
	if res != nil || classOf(t, err) != hubforce.Retryable {
		t.Fatalf("outage: %v %v", res, err)
	}
	var ae *hubforce.APIError
	if !errors.As(err, &ae) || ae.Status != 502 {
		t.Fatalf("want the 502 the simulator answered, got %v", err)
	}
	if n := e.sim.Calls()[simCreate]; n != 1 {
		t.Fatalf("a create with an unknown outcome must not be retried blindly: %d attempts", n)
	}
	// Idempotent calls are retried.
	_, err = c.Read(context.Background(), hubforce.Contact, []string{"1"}, nil)
	if classOf(t, err) != hubforce.Retryable || e.sim.Calls()[simRead] != 4 {
		t.Fatalf("read: %v after %d attempts, want 1 + 3 retries", err, e.sim.Calls()[simRead])
	}
}

func TestCreateRetriesOnlyRefusedAttempts(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	c := e.client(t, nil)
	e.sim.Faults().Update(func(p *simfault.Plan) { p.RateLimited = 1 })
	res, err := c.Create(context.Background(), hubforce.Contact, []map[string]string{{"email": "x@example.com"}})
	if err != nil || res[0].Err != nil || len(e.sim.List("contacts")) != 1 {
		t.Fatalf("a 429 means nothing was written: retry it. %+v %v", res, err)
	}
}

func TestServerErrorsThenSuccess(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	ids := mustCreate(t, e.sim, "contacts", 1, contactProps)
	c := e.client(t, nil)
	e.sim.Faults().Update(func(p *simfault.Plan) { p.ServerErrors = 2 })
	got, err := c.Read(context.Background(), hubforce.Contact, ids, nil)
	if err != nil || len(got) != 1 {
		t.Fatalf("%v %v", got, err)
	}
	if n := e.calls.count(502); n != 2 {
		t.Fatalf("OnCall saw %d 502s, want 2 (%v)", n, e.calls.all())
	}
}

func TestLaterBatchFailureMarksPendingInputs(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	c := e.client(t, nil)
	// The outage starts right after the first batch was written.
	c.onCall = func(route string, status int, _ time.Duration) {
		if route == c.label(routeBatchCreate) && status == 201 {
			e.sim.Faults().Update(func(p *simfault.Plan) { p.Outage = true })
		}
	}
	inputs := make([]map[string]string, 150)
	for i := range inputs {
		inputs[i] = contactProps(i)
	}
	res, err := c.Create(context.Background(), hubforce.Contact, inputs)
	if err != nil {
		t.Fatalf("written inputs must be reported, not a whole-call error: %v", err)
	}
	for i, r := range res {
		if i < 100 && (r.Err != nil || r.ID == "") {
			t.Fatalf("input %d was written: %+v", i, r)
		}
		if i >= 100 && hubforce.ClassOf(r.Err) != hubforce.Retryable {
			t.Fatalf("input %d must carry the outage: %+v", i, r)
		}
	}
	if got := len(e.sim.List("contacts")); got != 100 {
		t.Fatalf("sim holds %d contacts, want 100", got)
	}
}

func TestOnCallReportsRoutePatterns(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	ids := mustCreate(t, e.sim, "contacts", 1, contactProps)
	c := e.client(t, nil)
	if _, err := c.Read(context.Background(), hubforce.Contact, ids, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PrimaryCompanies(context.Background(), ids); err != nil {
		t.Fatal(err)
	}
	for _, s := range e.calls.all() {
		if strings.Contains(s, ids[0]) {
			t.Fatalf("route carries a record id: %q", s)
		}
	}
	want := []string{c.label(routeBatchRead) + " 200", c.label(routeAssocBatchRead) + " 207"} // the contact has no company
	if got := e.calls.all(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
