package salesforcesim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// These tests compare the simulator's output with real captured messages
// (see each sample's .source.txt) field by field. CI sets
// HUBFORCE_CONFORMANCE_DIR to the conformance folder.
func conformanceFile(t *testing.T, name string) []byte {
	t.Helper()
	dir := os.Getenv("HUBFORCE_CONFORMANCE_DIR")
	if dir == "" {
		t.Skip("HUBFORCE_CONFORMANCE_DIR is not set; skipping the comparison with real Salesforce samples")
	}
	b, err := os.ReadFile(filepath.Join(dir, "salesforce", name))
	if err != nil {
		t.Fatalf("read sample: %v", err)
	}
	return bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
}

// shape classifies a value's lexical form.
func shape(v string) string {
	for _, c := range []struct{ name, re string }{
		{"id18", `^[a-zA-Z0-9]{18}$`},
		{"datetime", `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`},
		{"date", `^\d{4}-\d\d-\d\d$`},
		{"bool", `^(true|false)$`},
		{"number", `^-?\d+(\.\d+)?$`},
	} {
		if regexp.MustCompile(c.re).MatchString(v) {
			return c.name
		}
	}
	return "text"
}

func rootNamespaces(n *node) []string {
	var out []string
	for _, a := range n.attrs {
		if a.Name.Space == "xmlns" {
			out = append(out, a.Name.Local+"="+a.Value)
		}
	}
	slices.Sort(out)
	return out
}

func childNames(n *node) []string {
	var out []string
	for _, c := range n.children {
		name := c.name.Space + " " + c.name.Local
		if len(out) == 0 || out[len(out)-1] != name {
			out = append(out, name)
		}
	}
	return out
}

func TestConformanceOutboundMessage(t *testing.T) {
	conformanceFile(t, "om-request-account-full-fields.xml") // skips without the directory
	l := newListener(t, false)
	e := outboundEnv(t, l, func(c *Config) {
		c.OutboundFields = map[string][]string{"Contact": contactSelection(), "Account": accountSelection()}
	})
	acct, _ := e.sim.Create("Account", map[string]any{"Name": "Acme", "Website": "acme.com", "NumberOfEmployees": 5000,
		"AnnualRevenue": 10000.0, "Phone": "+1", "Industry": "Apparel"}, "005000000000002AAA")
	e.sim.Create("Contact", map[string]any{"LastName": "Black", "FirstName": "Jeraldine", "Email": "j@x.com", "Title": "White",
		"AccountId": acct, "Birthdate": "1978-01-01", "HasOptedOutOfEmail": false}, "005000000000002AAA")
	waitIdle(t, e.sim)
	ours := map[string]*node{} // sObject type → a notifications element we sent
	for _, r := range l.got() {
		root, err := parseXML(bytes.NewReader(r.body))
		if err != nil {
			t.Fatal(err)
		}
		n := root.children[0].children[0]
		xt, _ := n.children[5].children[1].attr(nsXSI, "type")
		ours[xt] = root
	}
	for _, sample := range []string{"om-request-account-full-fields.xml", "om-request-contact-2-notifications.xml",
		"om-request-contact-npsp-full-fields.xml", "om-request-opportunity-single-line.xml"} {
		t.Run(sample, func(t *testing.T) {
			real, err := parseXML(bytes.NewReader(conformanceFile(t, sample)))
			if err != nil {
				t.Fatal(err)
			}
			realObj := real.children[0].children[0].children[5].children[1]
			xt, _ := realObj.attr(nsXSI, "type")
			mine := ours[xt]
			if mine == nil {
				mine = ours["sf:Contact"] // other objects: compare the envelope only
			}
			if a, b := rootNamespaces(real), rootNamespaces(mine); !slices.Equal(a, b) {
				t.Errorf("envelope namespaces %v, real %v", b, a)
			}
			if real.name != mine.name || real.children[0].name != mine.children[0].name {
				t.Errorf("envelope/body %v/%v, real %v/%v", mine.name, mine.children[0].name, real.name, real.children[0].name)
			}
			rn, mn := real.children[0].children[0], mine.children[0].children[0]
			if a, b := childNames(rn), childNames(mn); !slices.Equal(a, b) {
				t.Errorf("notifications children %v, real %v", b, a)
			}
			for _, name := range []string{"OrganizationId", "ActionId", "EnterpriseUrl", "PartnerUrl"} {
				rv, _ := rn.field(name)
				mv, _ := mn.field(name)
				if name != "OrganizationId" && shape(rv) != shape(mv) { // the samples' org ids are anonymised
					t.Errorf("%s %q (%s), real %q (%s)", name, mv, shape(mv), rv, shape(rv))
				}
			}
			re := regexp.MustCompile(`^https?://[^/]+/services/Soap/[cu]/\d+\.0/[A-Za-z0-9]{15}$`)
			for _, name := range []string{"EnterpriseUrl", "PartnerUrl"} {
				if v, _ := mn.field(name); !re.MatchString(v) {
					t.Errorf("%s %q", name, v)
				}
			}
			myNotif, realNotif := mn.children[5], rn.children[5]
			if a, b := childNames(realNotif), childNames(myNotif); !slices.Equal(a, b) {
				t.Errorf("Notification children %v, real %v", b, a)
			}
			myObj := myNotif.children[1]
			if myObj.scope["sf"] != realObj.scope["sf"] {
				t.Errorf("xmlns:sf %q, real %q", myObj.scope["sf"], realObj.scope["sf"])
			}
			if mine != ours[xt] {
				return
			}
			compared := 0
			for _, rc := range realObj.children {
				for _, mc := range myObj.children {
					if rc.name.Local != mc.name.Local {
						continue
					}
					compared++
					if rc.name.Space != mc.name.Space || shape(strings.TrimSpace(rc.text)) != shape(strings.TrimSpace(mc.text)) {
						t.Errorf("sf:%s = %q in %s, real %q in %s", mc.name.Local, mc.text, mc.name.Space, rc.text, rc.name.Space)
					}
				}
			}
			if compared < 4 {
				t.Errorf("only %d fields in common with the sample", compared)
			}
		})
	}
}

func contactSelection() []string {
	return []string{"Id", "AccountId", "Birthdate", "CreatedById", "CreatedDate", "Email", "FirstName", "HasOptedOutOfEmail",
		"IsDeleted", "LastModifiedById", "LastModifiedDate", "LastName", "OwnerId", "SystemModstamp", "Title"}
}

func accountSelection() []string {
	return []string{"Id", "AnnualRevenue", "CreatedById", "CreatedDate", "Industry", "IsDeleted", "LastModifiedById",
		"LastModifiedDate", "Name", "NumberOfEmployees", "OwnerId", "Phone", "SystemModstamp", "Website"}
}

func TestConformanceAckAndFault(t *testing.T) {
	if ok, err := readAck(bytes.NewReader(conformanceFile(t, "om-response-ack-true.xml"))); !ok || err != nil {
		t.Errorf("real ack not accepted: %v", err)
	}
	fault := strings.Replace(string(conformanceFile(t, "om-response-soap-fault-template.xml")), "{0}", "refused", 1)
	if ok, _ := readAck(strings.NewReader(fault)); ok {
		t.Error("a SOAP fault was taken for an ack")
	}
}

// keyTypes maps each key of a JSON object to its JSON type.
func keyTypes(t *testing.T, b []byte) map[string]string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	out := map[string]string{}
	for k, v := range m {
		switch v.(type) {
		case string:
			out[k] = "string"
		case bool:
			out[k] = "bool"
		case float64:
			out[k] = "number"
		case []any:
			out[k] = "array"
		case nil:
			out[k] = "null"
		default:
			out[k] = "object"
		}
	}
	return out
}

func TestConformanceJSON(t *testing.T) {
	tokenSample := conformanceFile(t, "oauth-token-response-doc-example.json")
	e := newEnv(t, nil)

	_, body := e.form(url.Values{"grant_type": {"refresh_token"}, "client_id": {testClientID}, "refresh_token": {testRefresh}})
	mine := keyTypes(t, body)
	for k, typ := range keyTypes(t, tokenSample) {
		if mine[k] != typ {
			t.Errorf("token response %s: %q, real %q", k, mine[k], typ)
		}
	}
	_, body = e.form(url.Values{"grant_type": {"refresh_token"}, "client_id": {testClientID}, "refresh_token": {"bad"}})
	for _, f := range []string{"oauth-400-invalid-grant-invalid-assertion.json", "oauth-400-invalid-grant-not-approved.json"} {
		if a, b := keyTypes(t, conformanceFile(t, f)), keyTypes(t, body); len(a) != len(b) || a["error"] != b["error"] || a["error_description"] != b["error_description"] {
			t.Errorf("%s: keys %v, real %v", f, b, a)
		}
	}

	resp, body := e.do("PATCH", "/sobjects/Account/HubSpot_Id__c/11999", map[string]any{"Name": "California Wheat Corporation"})
	if a, b := keyTypes(t, conformanceFile(t, "rest-upsert-created-201.json")), keyTypes(t, body); resp.StatusCode != 201 || !mapsEqual(a, b) {
		t.Errorf("upsert 201 %d keys %v, real %v", resp.StatusCode, b, a)
	}

	var real map[string]any
	_ = json.Unmarshal(conformanceFile(t, "rest-upsert-unknown-external-id-field-404.json"), &real)
	var errs []map[string]any
	resp, body = e.do("PATCH", "/sobjects/Account/customExtIdField__c/11999", map[string]any{"Name": "x"})
	if err := json.Unmarshal(body, &errs); err != nil || resp.StatusCode != 404 || len(errs) != 1 ||
		errs[0]["message"] != real["message"] || errs[0]["errorCode"] != real["errorCode"] {
		t.Errorf("unknown external id field: %d %s, real %v", resp.StatusCode, body, real)
	}

	var lim, realLim map[string]map[string]any
	e.expect("GET", "/limits", nil, http.StatusOK, &lim)
	_ = json.Unmarshal(conformanceFile(t, "rest-limits-excerpt.json"), &realLim)
	for k, v := range realLim {
		for kk := range v {
			if _, ok := lim[k][kk].(float64); !ok {
				t.Errorf("limits %s.%s missing or not a number", k, kk)
			}
		}
	}

	sc := bufio.NewScanner(bytes.NewReader(conformanceFile(t, "rest-sforce-limit-info-header.txt")))
	resp, _ = e.do("GET", "/limits", nil)
	re := regexp.MustCompile(`api-usage=\d+/\d+`)
	for sc.Scan() {
		realVal := strings.TrimPrefix(sc.Text(), "Sforce-Limit-Info: ")
		if re.FindString(realVal) == "" || !re.MatchString(resp.Header.Get("Sforce-Limit-Info")) {
			t.Errorf("Sforce-Limit-Info %q, real %q", resp.Header.Get("Sforce-Limit-Info"), realVal)
		}
	}

	e.sim.SpendDailyLimit()
	_, body = e.do("GET", "/limits", nil)
	if !jsonEqual(t, body, conformanceFile(t, "rest-403-request-limit-exceeded.json")) {
		t.Errorf("403 body %s", body)
	}

	e.sim.ExpireSessions()
	resp, body = e.do("GET", "/limits", nil)
	raw := string(conformanceFile(t, "rest-401-invalid-session-id.http"))
	head, realBody, _ := strings.Cut(strings.ReplaceAll(raw, "\r\n", "\n"), "\n\n")
	if resp.StatusCode != 401 || !jsonEqual(t, body, []byte(realBody)) {
		t.Errorf("401: %d %s", resp.StatusCode, body)
	}
	for _, line := range strings.Split(head, "\n")[1:] {
		k, v, _ := strings.Cut(line, ": ")
		if resp.Header.Get(k) != v {
			t.Errorf("401 header %s = %q, real %q", k, resp.Header.Get(k), v)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return bytes.Equal(xa, ya)
}
