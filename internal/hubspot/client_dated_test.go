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
	"github.com/hubforce/hubforce/internal/testkit"
)

// TestEveryCallIsDated runs each method against a simulator and checks
// that every path called carries the configured version and none is
// legacy, the token endpoint included.
func TestEveryCallIsDated(t *testing.T) {
	for _, version := range []string{"2026-03", "2026-09"} {
		t.Run(version, func(t *testing.T) {
			e := newEnv(t, hubspotsim.Config{})
			store := testkit.NewCredentials()
			c := e.client(t, func(cfg *ClientConfig) {
				oauth(store, nil)(cfg)
				cfg.APIVersion = version
			})
			ctx := context.Background()
			res, err := c.Create(ctx, hubforce.Contact, []map[string]string{contactProps(1)})
			if err != nil || res[0].Err != nil {
				t.Fatalf("create: %v %+v", err, res)
			}
			co, err := c.Upsert(ctx, hubforce.Company, "domain", []map[string]string{{"domain": "acme.example", "name": "Acme"}})
			if err != nil || co[0].Err != nil {
				t.Fatalf("upsert: %v %+v", err, co)
			}
			if _, err := c.Update(ctx, hubforce.Contact, []string{res[0].ID}, []map[string]string{{"firstname": "Q"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Read(ctx, hubforce.Contact, []string{res[0].ID}, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := c.ReadBy(ctx, hubforce.Contact, "email", []string{"person1@example.com"}, nil); err != nil {
				t.Fatal(err)
			}
			if err := c.SetPrimaryCompany(ctx, res[0].ID, co[0].ID); err != nil {
				t.Fatal(err)
			}
			if got, err := c.PrimaryCompanies(ctx, []string{res[0].ID}); err != nil || got[res[0].ID] != co[0].ID {
				t.Fatalf("primary companies: %v %v", got, err)
			}
			if _, _, err := c.ModifiedSince(ctx, hubforce.Contact, time.Time{}, nil, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Properties(ctx, hubforce.Company); err != nil {
				t.Fatal(err)
			}
			if legacy := e.sim.LegacyCalls(); len(legacy) != 0 {
				t.Fatalf("legacy paths called: %v", legacy)
			}
			for route := range e.sim.Calls() {
				if !strings.Contains(route, "/"+version+"/") {
					t.Errorf("%s does not carry version %s", route, version)
				}
			}
		})
	}
}

func TestAPIVersionChecked(t *testing.T) {
	for _, v := range []string{"v3", "2026-3", "2026-04", "latest"} {
		if _, err := NewClient(ClientConfig{AccessToken: "x", APIVersion: v}); err == nil {
			t.Errorf("version %q accepted", v)
		}
	}
}

// TestUpdateNeverSendsAnInputWithoutProperties: an update with nothing to
// write is settled without a call (HubSpot refuses an input without
// properties); the others in the batch are written.
func TestUpdateNeverSendsAnInputWithoutProperties(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	ids := mustCreate(t, e.sim, "contacts", 2, contactProps)
	c := e.client(t, nil)
	res, err := c.Update(context.Background(), hubforce.Contact, ids, []map[string]string{{}, {"firstname": "Z"}})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[0].ID != ids[0] || res[1].Err != nil || res[1].ID != ids[1] {
		t.Fatalf("results: %+v", res)
	}
	if r, _ := e.sim.Get("contacts", ids[1]); r.Properties["firstname"] != "Z" {
		t.Fatalf("the other input was not written: %v", r.Properties)
	}
	e.sim.ResetCalls()
	res, err = c.Update(context.Background(), hubforce.Contact, ids[:1], []map[string]string{nil})
	if err != nil || res[0].Err != nil || res[0].ID != ids[0] {
		t.Fatalf("empty-only update: %+v %v", res, err)
	}
	if n := len(e.sim.Calls()); n != 0 {
		t.Fatalf("an update with nothing to write made calls: %v", e.sim.Calls())
	}
	created, err := c.Create(context.Background(), hubforce.Contact, []map[string]string{{}})
	if err != nil || hubforce.ClassOf(created[0].Err) != hubforce.Validation {
		t.Fatalf("empty create: %+v %v", created, err)
	}
}

// TestValidationRuleIsValidation: an admin's property validation rule
// refuses the write; the input fails alone as Validation with HubSpot's
// message, its neighbours are written.
func TestValidationRuleIsValidation(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{APIVersions: []string{"2026-09"}})
	ids := mustCreate(t, e.sim, "contacts", 3, contactProps)
	if err := e.sim.SetValidationRule("contacts", "firstname", hubspotsim.ValidationRule{Error: "INVALID_ALPHA",
		Message: "Enter only letters", Valid: func(v string) bool { return !strings.ContainsAny(v, "0123456789") }}); err != nil {
		t.Fatal(err)
	}
	c := e.client(t, func(cfg *ClientConfig) { cfg.APIVersion = "2026-09" })
	res, err := c.Update(context.Background(), hubforce.Contact, ids,
		[]map[string]string{{"firstname": "Ann"}, {"firstname": "R2D2"}, {"firstname": "Bea"}})
	if err != nil {
		t.Fatal(err)
	}
	var ae *hubforce.APIError
	if !errors.As(res[1].Err, &ae) || ae.Class != hubforce.Validation || ae.Code != "INVALID_ALPHA" ||
		!strings.HasPrefix(ae.Message, "firstname: Enter only letters") || fmt.Sprint(ae.Fields) != "[firstname]" {
		t.Fatalf("refused input: %+v", res[1].Err)
	}
	if res[0].Err != nil || res[2].Err != nil {
		t.Fatalf("neighbours: %+v", res)
	}
}

// TestPrimaryCompaniesInBatches: 250 contacts take three batch reads of at
// most 100, and a primary company past the first page of one contact's
// associations is found by following that contact's paging.
func TestPrimaryCompaniesInBatches(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{})
	contacts := mustCreate(t, e.sim, "contacts", 250, contactProps)
	companies := mustCreate(t, e.sim, "companies", 502, func(i int) map[string]string {
		return map[string]string{"name": fmt.Sprintf("Co%d", i), "domain": fmt.Sprintf("co%d.example", i)}
	})
	// Each association makes that company primary: the last one, with the
	// highest id, ends primary and comes on the second page.
	for _, co := range companies {
		if err := e.sim.Associate(contacts[0], co, hubspotsim.UI(1)); err != nil {
			t.Fatal(err)
		}
	}
	for i, ct := range contacts[1:200] {
		if err := e.sim.Associate(ct, companies[i], hubspotsim.UI(1)); err != nil {
			t.Fatal(err)
		}
	}
	c := e.client(t, nil)
	e.sim.ResetCalls()
	got, err := c.PrimaryCompanies(context.Background(), contacts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 200 || got[contacts[0]] != companies[501] || got[contacts[1]] != companies[0] {
		t.Fatalf("got %d primaries, contact 0 → %q", len(got), got[contacts[0]])
	}
	if n := e.sim.Calls()["POST /crm/associations/2026-03/{objectType}/{toObjectType}/batch/read"]; n != 4 {
		t.Fatalf("%d batch reads, want 3 for 250 contacts and 1 for the second page: %v", n, e.sim.Calls())
	}
}

// TestIntrospectAndWebhooks: the app's credentials tell the token's portal,
// app and scopes, and where the app's webhooks go.
func TestIntrospectAndWebhooks(t *testing.T) {
	e := newEnv(t, hubspotsim.Config{AppID: 4321, WebhookURL: "https://sync.example.com/webhooks/hubspot",
		Subscriptions: []string{"contact.creation"}, Scopes: []string{"oauth", "crm.objects.contacts.read"}})
	c := e.client(t, func(cfg *ClientConfig) { cfg.ClientID, cfg.ClientSecret = testClientID, testClientSecret })
	info, err := c.Introspect(context.Background())
	if err != nil || !info.Active || info.HubID != 62515 || info.AppID != 4321 || fmt.Sprint(info.Scopes) != "[oauth crm.objects.contacts.read]" {
		t.Fatalf("introspect: %+v %v", info, err)
	}
	hooks, err := c.Webhooks(context.Background(), 4321)
	if err != nil || hooks.TargetURL != "https://sync.example.com/webhooks/hubspot" || len(hooks.Subscriptions) != 1 ||
		hooks.Subscriptions[0].EventType != "contact.creation" {
		t.Fatalf("webhooks: %+v %v", hooks, err)
	}
	if _, err := c.Webhooks(context.Background(), 4322); hubforce.ClassOf(err) != hubforce.NotFound {
		t.Fatalf("another app's webhooks: %v", err)
	}
	bare := e.client(t, nil)
	if _, err := bare.Introspect(context.Background()); !errors.Is(err, ErrNoClientCredentials) {
		t.Fatalf("introspect without the app's credentials: %v", err)
	}
	wrong := e.client(t, func(cfg *ClientConfig) { cfg.ClientID, cfg.ClientSecret = testClientID, "wrong" })
	var ae *hubforce.APIError
	if _, err := wrong.Introspect(context.Background()); !errors.As(err, &ae) || ae.Code != "invalid_client" {
		t.Fatalf("introspect with a wrong secret: %v", err)
	}
}

func TestLegacyOAuthErrorBody(t *testing.T) {
	for body, want := range map[string]string{
		`{"status":"BAD_REFRESH_TOKEN","message":"missing or invalid refresh token"}`: "invalid_grant",
		`{"status":"BAD_CLIENT_ID","message":"missing or unknown client id"}`:         "invalid_client",
		`{"status":"SOMETHING","message":"x"}`:                                        "",
		`not json`:                                                                    "",
	} {
		if got, _ := legacyOAuthError([]byte(body)); got != want {
			t.Errorf("%s → %q, want %q", body, got, want)
		}
	}
}
